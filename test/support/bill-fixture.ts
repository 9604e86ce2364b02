/**
 * A hand-made Stripe v2 stream log for the bill tests (millisecond timestamps, several events per
 * line): every edge case the bill rules name, with the expected figures worked out in
 * test/bill.test.ts. Customer key stripe_customer_id, as Stripe's default.
 */
import type { Request } from './bill-oracle.js';

type Payload = Record<string, unknown>;
const ev = (identifier: string, event_name: string, timestamp: string, customer: string | null, payload: Payload) => ({
  identifier,
  event_name,
  timestamp,
  payload: customer === null ? payload : { stripe_customer_id: customer, ...payload },
});

const LINES = [
  // Month, week and dedup boundaries to the millisecond.
  [ev('a1', 'api', '2024-05-31T23:59:59.999Z', 'c1', { value: '5', region: 'eu' }), ev('a2', 'api', '2024-06-01T00:00:00.000Z', 'c1', { value: '7', region: 'eu' })],
  [ev('a3', 'api', '2024-06-02T23:59:59.999Z', 'c1', { value: ' 7 ', region: 'us' })],
  [ev('a4', 'api', '2024-06-03T00:00:00.000Z', 'c1', { value: '1e3', region: 'us' })],
  // Values that are not numbers, missing keys, missing customers.
  [ev('a5', 'api', '2024-06-01T10:00:00.000Z', 'c2', { value: 'lots', region: 'eu' })],
  [ev('a6', 'api', '2024-06-01T10:00:01.000Z', 'c2', { value: true, region: 'eu' })],
  [ev('a7', 'api', '2024-06-01T10:00:02.000Z', 'c2', { value: { x: 1 }, region: 'eu' })],
  [ev('a8', 'api', '2024-06-01T10:00:03.000Z', 'c2', { region: 'eu' })],
  [ev('a9', 'api', '2024-06-01T10:00:04.000Z', 'c2', { value: '3' })],
  [ev('a10', 'api', '2024-06-01T10:00:05.000Z', 'c2', { value: '-2.5', region: null })],
  [ev('a11', 'api', '2024-06-01T10:00:06.000Z', '', { value: '4', region: 'eu' }), ev('a12', 'api', '2024-06-01T10:00:07.000Z', null, { value: '4', region: 'eu' })],
  // Identifier reuse: exactly 24 h, 24 h + 1 ms, exactly 34 days, 34 days + 1 ms after the previous use.
  [ev('a1', 'api', '2024-06-01T23:59:59.999Z', 'c3', { value: '2', region: 'eu' })],
  [ev('a2', 'api', '2024-06-02T00:00:00.001Z', 'c3', { value: '2', region: 'eu' })],
  [ev('d34', 'api', '2024-05-01T00:00:00.000Z', 'c3', { value: '9', region: 'ap' })],
  [ev('d34', 'api', '2024-06-04T00:00:00.000Z', 'c3', { value: '9', region: 'ap' })],
  [ev('d35', 'api', '2024-05-01T00:00:00.000Z', 'c3', { value: '9', region: 'ap' })],
  [ev('d35', 'api', '2024-06-04T00:00:00.001Z', 'c3', { value: '9', region: 'ap' })],
  // LATEST ties: same millisecond; a later line beats a later position in an earlier line.
  [ev('s1', 'storage', '2024-06-05T12:00:00.000Z', 'c1', { gb: '10' }), ev('s2', 'storage', '2024-06-05T12:00:00.000Z', 'c1', { gb: '12' })],
  [ev('s3', 'storage', '2024-06-05T12:00:00.000Z', 'c1', { gb: '11' })],
  [ev('s4', 'storage', '2024-06-05T11:00:00.000Z', 'c1', { gb: '50' })],
  [ev('s5', 'storage', '2024-06-30T23:59:59.999Z', 'c2', { gb: '5' }), ev('s6', 'storage', '2024-07-01T00:00:00.000Z', 'c2', { gb: '6' })],
  // UNIQUE and property filters.
  [
    ev('l1', 'login', '2024-06-06T09:00:00.000Z', 'c1', { user: 'u1', method: 'sso' }),
    ev('l2', 'login', '2024-06-06T09:00:01.000Z', 'c1', { user: 'u2', method: 'password' }),
    ev('l3', 'login', '2024-06-06T09:00:02.000Z', 'c1', { user: 'u1', method: 'sso' }),
  ],
  [ev('l4', 'login', '2024-06-06T09:00:03.000Z', 'c1', { user: 1, method: 'sso' })],
  [ev('l5', 'login', '2024-06-06T09:00:04.000Z', 'c1', { user: '1', method: 'sso' })],
  [ev('l6', 'login', '2024-06-06T09:00:05.000Z', 'c2', { user: 'u3' })],
  [ev('l7', 'login', '2024-06-06T09:00:06.000Z', 'c2', { user: 'u4', method: 'magic' })],
  [ev('l8', 'login', '2024-06-06T09:00:07.000Z', 'c2', { user: 'u5', method: 'sso', debug: '1' })],
  [ev('p1', 'ping', '2024-06-07T00:00:00.000Z', 'c1', { value: 1 })],
];

export const handLog = (): string => `${LINES.map((events) => JSON.stringify({ events })).join('\n')}\n`;

export const HAND_METRICS: Request[] = [
  {
    name: 'api sum',
    aggregation_type: 'SUM',
    aggregation_key: 'value',
    event_type_filter: { in_values: ['api'] },
    property_filters: [
      { name: 'value', exists: true },
      { name: 'region', exists: true },
    ],
    group_keys: [['region']],
  },
  { name: 'api max', aggregation_type: 'MAX', aggregation_key: 'value', event_type_filter: { in_values: ['api'] }, property_filters: [{ name: 'value', exists: true }] },
  { name: 'not login or storage', aggregation_type: 'COUNT', event_type_filter: { not_in_values: ['login', 'storage'] } },
  {
    name: 'storage latest',
    aggregation_type: 'LATEST',
    aggregation_key: 'gb',
    event_type_filter: { in_values: ['storage'] },
    property_filters: [{ name: 'gb', exists: true }],
  },
  {
    name: 'storage max',
    aggregation_type: 'MAX',
    aggregation_key: 'gb',
    event_type_filter: { in_values: ['storage'] },
    property_filters: [{ name: 'gb', exists: true }],
  },
  {
    name: 'login users',
    aggregation_type: 'UNIQUE',
    aggregation_key: 'user',
    event_type_filter: { in_values: ['login'] },
    property_filters: [
      { name: 'user', exists: true },
      { name: 'method', in_values: ['sso', 'password'] },
      { name: 'debug', exists: false },
    ],
  },
  {
    name: 'login by method',
    aggregation_type: 'COUNT',
    event_type_filter: { in_values: ['login'] },
    property_filters: [{ name: 'method', exists: true, not_in_values: ['password'] }],
    group_keys: [['method']],
  },
  { name: 'everything', aggregation_type: 'COUNT' },
];
