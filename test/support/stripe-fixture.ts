/**
 * One small meter-event log and the Stripe account it was sent to, shared by the Stripe tests.
 * Hand-made so every expected number in the tests can be worked out by reading this file.
 * T0 = 2024-06-03 10:00:00 UTC (an hour boundary).
 */
import type { FakeMeter, ReceivedEvent } from './fake-stripe.js';

export const T0 = Date.UTC(2024, 5, 3, 10, 0, 0) / 1000;

export const METERS: FakeMeter[] = [
  { id: 'mtr_api', display_name: 'API calls', event_name: 'api_call', status: 'active', formula: 'sum', dimension_payload_keys: ['region'] },
  { id: 'mtr_storage', display_name: 'Storage GB', event_name: 'storage_gb', status: 'active', formula: 'last', customer_key: 'account', value_key: 'gb' },
  { id: 'mtr_login', display_name: 'Logins', event_name: 'login', status: 'active', formula: 'count' },
  { id: 'mtr_idle', display_name: 'Exports', event_name: 'export_run', status: 'active', formula: 'sum' },
  { id: 'mtr_old', display_name: 'Legacy pings', event_name: 'legacy_ping', status: 'inactive', formula: 'count' },
];

interface LogEvent {
  identifier: string;
  /** seconds after T0 */
  at: number;
  event_name: string;
  payload: Record<string, unknown>;
}

export const LOG: LogEvent[] = [
  // api_call: sum of `value`, customer in `stripe_customer_id`
  { identifier: 'e1', at: 10, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A', value: '5', region: 'eu' } },
  { identifier: 'e2', at: 70, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A', value: 7, region: 'eu' } },
  { identifier: 'e3', at: 3700, event_name: 'api_call', payload: { stripe_customer_id: 'cus_B', value: '3', region: 'us' } },
  { identifier: 'e4', at: 3800, event_name: 'api_call', payload: { stripe_customer_id: 'cus_B', value: '4', region: 'us' } },
  { identifier: 'e5', at: 3900, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A', value: '2', region: 'eu' } },
  { identifier: 'e6', at: 100, event_name: 'api_call', payload: { value: '9', region: 'eu' } }, // no customer key
  { identifier: 'e7', at: 110, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A', value: 'lots' } }, // not a number
  { identifier: 'e8', at: 120, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A' } }, // no value key
  { identifier: 'e9', at: 4000, event_name: 'api_call', payload: { stripe_customer_id: 'cus_B', value: '-1' } }, // negative (accepted)
  { identifier: 'e1', at: 20, event_name: 'api_call', payload: { stripe_customer_id: 'cus_A', value: '5' } }, // duplicate of e1
  // storage_gb: last `gb`, customer in `account` (the meter's own keys, not the defaults)
  { identifier: 's1', at: 50, event_name: 'storage_gb', payload: { account: 'cus_A', gb: 10 } },
  { identifier: 's2', at: 3650, event_name: 'storage_gb', payload: { account: 'cus_A', gb: '12' } },
  { identifier: 's3', at: 200, event_name: 'storage_gb', payload: { account: 'cus_C', gb: 30 } },
  { identifier: 's4', at: 250, event_name: 'storage_gb', payload: { stripe_customer_id: 'cus_C', gb: 31 } }, // default key only
  { identifier: 's5', at: 3000, event_name: 'storage_gb', payload: { account: 'cus_C', gb: 25 } },
  { identifier: 's6', at: 3700, event_name: 'storage_gb', payload: { account: 'cus_A', value: 99 } }, // default value key only
  // login: count
  { identifier: 'l1', at: 30, event_name: 'login', payload: { stripe_customer_id: 'cus_A', value: 1 } },
  { identifier: 'l2', at: 40, event_name: 'login', payload: { stripe_customer_id: 'cus_A', value: 1 } },
  { identifier: 'l3', at: 5000, event_name: 'login', payload: { stripe_customer_id: 'cus_D', value: 1 } },
  { identifier: 'l4', at: 60, event_name: 'login', payload: { stripe_customer_id: 'cus_Z', value: 1 } }, // unknown to Stripe
  // legacy_ping: its meter is inactive; debug_trace: no meter at all
  { identifier: 'p1', at: 15, event_name: 'legacy_ping', payload: { stripe_customer_id: 'cus_A', value: 1 } },
  { identifier: 'p2', at: 16, event_name: 'legacy_ping', payload: { stripe_customer_id: 'cus_A', value: 1 } },
  { identifier: 'd1', at: 17, event_name: 'debug_trace', payload: { stripe_customer_id: 'cus_A', value: 1 } },
  { identifier: 'd2', at: 18, event_name: 'debug_trace', payload: { stripe_customer_id: 'cus_B', value: 1 } },
  { identifier: 'd3', at: 19, event_name: 'debug_trace', payload: { stripe_customer_id: 'cus_B', value: 1 } },
];

export const logLines = (): string =>
  `${LOG.map((e) => JSON.stringify({ identifier: e.identifier, timestamp: T0 + e.at, event_name: e.event_name, payload: e.payload })).join('\n')}\n`;

/**
 * What Stripe recorded: the valid events, duplicates dropped, EXCEPT e4 (cus_B's 4 on api_call),
 * which never reached Stripe, so cus_B's api_call total differs (log 6, Stripe 2).
 */
export const RECEIVED: ReceivedEvent[] = [
  { event_name: 'api_call', customer: 'cus_A', timestamp: T0 + 10, value: 5 },
  { event_name: 'api_call', customer: 'cus_A', timestamp: T0 + 70, value: 7 },
  { event_name: 'api_call', customer: 'cus_B', timestamp: T0 + 3700, value: 3 },
  { event_name: 'api_call', customer: 'cus_A', timestamp: T0 + 3900, value: 2 },
  { event_name: 'api_call', customer: 'cus_B', timestamp: T0 + 4000, value: -1 },
  { event_name: 'storage_gb', customer: 'cus_A', timestamp: T0 + 50, value: 10 },
  { event_name: 'storage_gb', customer: 'cus_A', timestamp: T0 + 3650, value: 12 },
  { event_name: 'storage_gb', customer: 'cus_C', timestamp: T0 + 200, value: 30 },
  { event_name: 'storage_gb', customer: 'cus_C', timestamp: T0 + 3000, value: 25 },
  { event_name: 'login', customer: 'cus_A', timestamp: T0 + 30, value: 1 },
  { event_name: 'login', customer: 'cus_A', timestamp: T0 + 40, value: 1 },
  { event_name: 'login', customer: 'cus_D', timestamp: T0 + 5000, value: 1 },
];

export const CUSTOMERS = ['cus_A', 'cus_B', 'cus_C', 'cus_D'];
