/** Number, time and duration formatting shared by the reports and the advice texts (en-US, UTC). */

// One formatter for every call: toLocaleString builds a new one each time (~3 µs; thousands per report).
const INT = new Intl.NumberFormat('en-US');
export const int = (n: number): string => INT.format(Math.round(n));

export const plural = (n: number, word: string, many = `${word}s`): string => `${int(n)} ${n === 1 ? word : many}`;

/** A rate or ratio with sensible precision: 12,345 / 123.4 / 1.23 / 0.012. */
export function dec(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const a = Math.abs(n);
  if (a >= 1000 || Number.isInteger(n)) return int(n);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a === 0) return '0';
  return n.toPrecision(2);
}

/** A fraction as a percentage that never rounds a partial share to 0 % or 100 % (beyond 1: whole percents, e.g. 2,250%). */
export function pct(x: number): string {
  const p = x * 100;
  if (p === 0 || p === 100) return `${p}%`;
  if (p < 0.1) return '<0.1%';
  if (p > 99.9 && p < 100) return '>99.9%';
  return `${p >= 100 ? int(p) : p.toFixed(p < 10 ? 1 : 0)}%`;
}

/** '2024-01-01T10:00:00.000Z' -> '2024-01-01 10:00:00'. */
export const when = (iso: string | null | undefined): string =>
  iso
    ? iso
        .replace('T', ' ')
        .replace(/\.\d+Z$/, '')
        .replace(/Z$/, '')
    : '-';

export function duration(seconds: number): string {
  if (seconds < 60) return `${dec(seconds)} s`;
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return [d && `${d}d`, (d || h) && `${h}h`, `${m}m`, !d && `${s}s`].filter(Boolean).join(' ');
}

/** Milliseconds with 3 significant figures at most. */
export const ms = (n: number): string => (n >= 100 ? int(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** 'a', 'a and b', 'a, b and c'. */
export function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
/** Sliding-window lengths of the rate peaks, seconds. */
export const PEAK_WINDOWS = { '1s': 1, '10s': 10, '60s': 60 } as const;

/** A window longer than the run's span has no peak to speak of: the run never filled it. */
export const windowFits = (spanSeconds: number, w: keyof typeof PEAK_WINDOWS): boolean => spanSeconds >= PEAK_WINDOWS[w];

/** Where a duplicate identifier was seen: "a.jsonl:3 then :9", naming the second file when it differs. */
export function duplicateAt(e: { first: { source: string; line: number }; duplicate: { source: string; line: number } }): string {
  const base = (s: string) => s.split('/').pop() ?? s;
  const second = e.duplicate.source === e.first.source ? '' : base(e.duplicate.source);
  return `${base(e.first.source)}:${e.first.line} then ${second}:${e.duplicate.line}`;
}
