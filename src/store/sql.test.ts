import { describe, expect, it } from 'vitest';
import { SqlParams, isoOfSecond, isoSql, num, numOrNull, toQuery } from './sql.js';

describe('SqlParams', () => {
  it('hands out numbered placeholders of the given type, each bound to its value', () => {
    const p = new SqlParams();
    expect([p.add("it's"), p.add(3, 'UInt32'), p.add(['a'], 'Array(String)')]).toEqual(['{p0:String}', '{p1:UInt32}', '{p2:Array(String)}']);
    expect(p.values).toEqual({ p0: "it's", p1: 3, p2: ['a'] });
  });
});

describe('toQuery', () => {
  it('text + params, or a Query whose params the extra ones extend (and override)', () => {
    expect(toQuery('SELECT 1')).toEqual({ sql: 'SELECT 1', params: {} });
    const q = { sql: 'S', params: { a: 1, b: 2 } };
    expect(toQuery(q, { b: 3, c: 4 })).toEqual({ sql: 'S', params: { a: 1, b: 3, c: 4 } });
    expect(q.params).toEqual({ a: 1, b: 2 }); // the builder's value is not changed
  });
});

describe('value helpers', () => {
  it.each<[unknown, number]>([
    ['18446744073709551615', 2 ** 64],
    [null, 0],
    [undefined, 0],
    [2.5, 2.5],
  ])('num(%o) = %d', (v, n) => {
    expect(num(v)).toBe(n);
  });
  it('numOrNull keeps NULL and turns NaN/Infinity into NULL', () => {
    expect([numOrNull(null), numOrNull('nan'), numOrNull(Infinity), numOrNull('7')]).toEqual([null, null, null, 7]);
  });
  it('times: unix seconds to ISO; DateTime64 to ISO text in SQL', () => {
    expect(isoOfSecond(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(isoSql('max(event_time)')).toBe("concat(replaceOne(toString(max(event_time), 'UTC'), ' ', 'T'), 'Z')");
  });
});
