/**
 * The flag grammar the commands share, declared once: choices, numbers with bounds, durations,
 * times (as-of, start), key lists and repeatable flags. Every refusal is one sentence that names
 * the flag and what it accepts.
 */
import { UserError } from '../errors.js';

/** Commander's collector for a repeatable flag: each occurrence is appended. */
export const repeatable = (v: string, prev: string[] = []): string[] => [...prev, v];

export interface ChoiceOptions<T extends string> {
  /** Other spellings accepted for a choice (after lower-casing when `ignoreCase`). */
  aliases?: Record<string, T>;
  /** Trim and lower-case the value before matching. */
  ignoreCase?: boolean;
}

/** One of `choices`, or a sentence listing them. */
export function choiceFlag<T extends string>(name: string, v: string, choices: readonly T[], opts?: ChoiceOptions<T>): T;
export function choiceFlag<T extends string>(name: string, v: string | undefined, choices: readonly T[], opts?: ChoiceOptions<T>): T | undefined;
export function choiceFlag<T extends string>(name: string, v: string | undefined, choices: readonly T[], opts: ChoiceOptions<T> = {}): T | undefined {
  if (v === undefined) return undefined;
  const key = opts.ignoreCase ? v.trim().toLowerCase() : v;
  const choice = (opts.aliases && Object.hasOwn(opts.aliases, key) ? opts.aliases[key] : key) as T;
  if (choices.includes(choice)) return choice;
  throw new UserError(`${name} must be one of ${choices.join(', ')}, got "${v}"`);
}

export interface NumberBounds {
  integer?: boolean;
  /** Lowest value allowed. */
  min?: number;
  /** Values must be strictly above this. */
  above?: number;
  /** Highest value allowed. */
  max?: number;
  /** Says what the flag takes in the refusal, instead of the bounds spelled out ("an HTTP status (100–599)"). */
  what?: string;
}

function describeBounds(b: NumberBounds): string {
  if (b.what) return b.what;
  const kind = b.integer ? 'a whole number' : 'a number';
  if (b.above !== undefined) return `${kind} above ${b.above}${b.max !== undefined ? ` and at most ${b.max}` : ''}`;
  if (b.min !== undefined) return b.max !== undefined ? `${kind} from ${b.min} to ${b.max}` : `${kind} ≥ ${b.min}`;
  return b.max !== undefined ? `${kind} at most ${b.max}` : kind;
}

/** A number within `bounds` (undefined when the flag is absent), or a sentence naming the flag. */
export function numberFlag(name: string, v: string, bounds?: NumberBounds): number;
export function numberFlag(name: string, v: string | undefined, bounds?: NumberBounds): number | undefined;
export function numberFlag(name: string, v: string | undefined, b: NumberBounds = {}): number | undefined {
  if (v === undefined) return undefined;
  // Number('') is 0: an empty value is no number.
  const n = v.trim() === '' ? Number.NaN : Number(v);
  const ok =
    Number.isFinite(n) &&
    (!b.integer || Number.isInteger(n)) &&
    (b.min === undefined || n >= b.min) &&
    (b.above === undefined || n > b.above) &&
    (b.max === undefined || n <= b.max);
  if (!ok) throw new UserError(`${name} must be ${describeBounds(b)}, got "${v}"`);
  return n;
}

/** numberFlag with a default for an absent flag. */
export function numberOr(name: string, v: string | undefined, fallback: number, bounds?: NumberBounds): number {
  return numberFlag(name, v, bounds) ?? fallback;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90", "90s", "15m", "1h30m", "2d", "1.5 h" -> seconds; undefined when the text is no duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  return t.length > 0 && matched === t.length ? total : undefined;
}

/** A duration in seconds (undefined when absent); `positive` refuses zero. */
export function durationFlag(name: string, v: string | undefined, opts: { positive?: boolean } = {}): number | undefined {
  if (v === undefined) return undefined;
  const s = parseDuration(v);
  if (s === undefined) throw new UserError(`${name} must be a duration like 90s, 15m, 1h30m or 2d, got "${v}"`);
  if (opts.positive && !(s > 0)) throw new UserError(`${name} must be longer than zero, got "${v}"`);
  return s;
}

export interface TimeOptions {
  /** The time relative forms count back from (unix ms; default the current time). */
  now?: number;
  /** Also read whole numbers as unix seconds (below 1e11) or milliseconds. */
  unix?: boolean;
}

/**
 * ISO 8601 (whatever Date.parse reads), `now`, or a time before now (`-7d`, `-12h`, `now-30m`; any
 * duration), and with `unix` unix seconds or milliseconds -> unix ms; undefined when it is no time.
 */
export function parseTime(text: string, opts: TimeOptions = {}): number | undefined {
  const t = text.trim();
  const now = opts.now ?? Date.now();
  if (t === 'now') return now;
  const rel = /^(?:now)?\s*-\s*(.+)$/.exec(t);
  if (rel) {
    const s = parseDuration(rel[1]);
    return s === undefined ? undefined : now - s * 1000;
  }
  const ms = opts.unix && /^\d+$/.test(t) ? (Number(t) < 1e11 ? Number(t) * 1000 : Number(t)) : Date.parse(t);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A time (unix ms; undefined when absent), optionally within whole years [from, to). */
export function timeFlag(name: string, v: string | undefined, opts: TimeOptions & { years?: [number, number] } = {}): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseTime(v, opts);
  const [from, to] = opts.years ?? [];
  const inRange = from === undefined || to === undefined || (ms !== undefined && ms >= Date.UTC(from, 0, 1) && ms <= Date.UTC(to, 0, 1));
  if (ms === undefined || !inRange) {
    const between = from !== undefined ? ` between ${from} and ${to}` : '';
    throw new UserError(`${name}: "${v}" is not a time${between} (ISO 8601, ${opts.unix ? 'unix seconds, ' : ''}now, or before now like -7d, -12h, now-30m)`);
  }
  return ms;
}

/**
 * A reference time for the stale/future checks (undefined when absent): an absolute time as given
 * (reports show it so), `now` and relative forms as the ISO 8601 time they stand for.
 */
export function asOfFlag(name: string, v: string | undefined, now?: number): string | undefined {
  const ms = timeFlag(name, v, { now });
  if (ms === undefined) return undefined;
  return Number.isFinite(Date.parse(v!.trim())) ? v : new Date(ms).toISOString();
}

/** "a, b,c" -> ['a', 'b', 'c'] (blanks dropped); undefined when the flag is absent or empty. */
export function keyListFlag(v: string | undefined): string[] | undefined {
  return v
    ? v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean)
    : undefined;
}
