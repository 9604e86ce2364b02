import { describe, expect, it } from 'vitest';
import { cardinalityFit, classify, isIdName, type ClassInput } from './classify.js';

const base: ClassInput = { key: 'region', present: 1000, distinct: 5, numericShare: 0, objectShare: 0, spaceShare: 0, avgLength: 5, role: null };

describe('classify', () => {
  // Each row sits on one side of one threshold (classify.ts); the first matching rule wins.
  it.each<[string, Partial<ClassInput>, string]>([
    ['one value', { distinct: 1 }, 'constant'],
    ['one value even for the value key', { distinct: 1, role: 'value' }, 'constant'],
    ["the meter's value key", { distinct: 2, role: 'value' }, 'measure'],
    ['numeric 95 %, 101 values', { key: 'latency_ms', numericShare: 0.95, distinct: 101 }, 'measure'],
    ['numeric 95 %, 100 values: a code', { numericShare: 0.95, distinct: 100 }, 'dimension'],
    ['numeric 94.9 %, 500 values', { numericShare: 0.949, distinct: 500 }, 'dimension'],
    ['numeric but named like an id', { key: 'user_id', numericShare: 1, distinct: 500 }, 'identifier-like'],
    ['nested objects in half the values', { objectShare: 0.5 }, 'free text'],
    ['nested objects in 49 %', { objectShare: 0.49 }, 'dimension'],
    ['101 values, half with spaces', { distinct: 101, spaceShare: 0.5 }, 'free text'],
    ['100 values with spaces: few enough', { distinct: 100, spaceShare: 1 }, 'dimension'],
    ['101 values, 64 characters on average', { distinct: 101, avgLength: 64 }, 'free text'],
    ['101 values, 63.9 characters', { distinct: 101, avgLength: 63.9 }, 'dimension'],
    ['near-unique: 18 of 20', { present: 20, distinct: 18 }, 'identifier-like'],
    ['17 of 20 repeat enough', { present: 20, distinct: 17 }, 'dimension'],
    ['all unique but only 19 events', { present: 19, distinct: 19 }, 'dimension'],
    ['id by name, 51 values', { key: 'userId', distinct: 51 }, 'identifier-like'],
    ['id by name, 50 values', { key: 'userId', distinct: 50 }, 'dimension'],
    ['1,000 values', { present: 10_000, distinct: 1000 }, 'dimension'],
    ['1,001 values', { present: 10_000, distinct: 1001 }, 'identifier-like'],
  ])('%s -> %s', (_, change, expected) => {
    expect(classify({ ...base, ...change }).class).toBe(expected);
  });

  it('says why, with the figures', () => {
    expect(classify({ ...base, present: 20, distinct: 19 }).reason).toBe('near-unique: 95% of values distinct');
    expect(classify({ ...base, numericShare: 0.97, distinct: 300 }).reason).toBe('numeric (97%) with 300 distinct values');
    expect(classify({ ...base, present: 10_000, distinct: 2000 }).reason).toBe('high cardinality: 2000 distinct values');
  });
});

describe('isIdName', () => {
  it.each([
    ['id', true],
    ['ID', true],
    ['user_id', true],
    ['project-id', true],
    ['a.uuid', true],
    ['api_key', true],
    ['order_ids', true],
    ['device_guid', true],
    ['userId', true],
    ['accountID', true],
    ['sessionUuid', true],
    ['paid', false],
    ['valid', false],
    ['identity', false],
    ['monkey', false],
    ['keyword', false],
    ['region', false],
  ])('%s: %s', (key, expected) => {
    expect(isIdName(key)).toBe(expected);
  });
});

describe('cardinalityFit', () => {
  it.each([
    [0, 0],
    [1, 0],
    [2, 1],
    [100, 1],
    [200, 0.5],
    [10_000, 0.01],
  ])('%d values -> %d', (n, fit) => {
    expect(cardinalityFit(n)).toBe(fit);
  });
});
