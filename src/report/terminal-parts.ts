/**
 * The pieces every terminal renderer is built from: control-character stripping for untrusted text,
 * display width (a box-drawing character is one column, a CJK character two), word wrapping to the
 * terminal width, sparklines and indentation. Tables are text-table.ts.
 */

/** The width a report is laid out for when the caller names none (a pipe, a file). */
export const DEFAULT_WIDTH = 80;

/** How a terminal report is laid out: the columns it may fill. */
export interface TextLayout {
  width: number;
}

// Wide (two-column) ranges of East Asian scripts, full-width forms and emoji; enough for log text.
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
const ZERO: [number, number][] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0xfe00, 0xfe0f],
];
const inRanges = (cp: number, ranges: [number, number][]) => ranges.some(([a, b]) => cp >= a && cp <= b);

/** Columns one character takes on a terminal: 0, 1 or 2. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x300) return 1;
  if (inRanges(cp, ZERO)) return 0;
  return inRanges(cp, WIDE) ? 2 : 1;
}

/** Columns a (control-character-free) string takes on a terminal. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** The longest prefix of `s` that fits `width` columns. */
function fitPrefix(s: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    w += charWidth(ch);
    if (w > width) break;
    out += ch;
  }
  return out;
}

/** `s` cut to `width` columns, an ellipsis marking the cut. */
export function cut(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  return width <= 0 ? '' : `${fitPrefix(s, width - 1)}…`;
}

/** Replaces control characters (C0, DEL, C1: terminal escapes) and cuts to `max` columns. */
export function safe(s: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  return cut(s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '�'), max);
}

/** Splits `s` into pieces of at most `width` columns (a word longer than a line is broken). */
function hardBreak(s: string, width: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (displayWidth(rest) > width) {
    const head = fitPrefix(rest, Math.max(1, width)) || [...rest][0];
    parts.push(head);
    rest = rest.slice(head.length);
  }
  return rest ? [...parts, rest] : parts;
}

/**
 * Word-wraps `text` into lines of at most `width` columns; continuation lines are `more` columns
 * narrower (the caller indents them). Words wider than a line are broken.
 */
export function wrapLines(text: string, width: number, more = 0): string[] {
  const lines: string[] = [];
  // Leading spaces (an aligned figure) stay with the first word.
  const lead = /^ */.exec(text)![0];
  text = text.slice(lead.length);
  let cur = lead;
  const limit = () => Math.max(1, lines.length === 0 ? width : width - more);
  for (const word of text.split(' ')) {
    const joined = cur.trim() ? `${cur} ${word}` : cur + word;
    if (displayWidth(joined) <= limit()) {
      cur = joined;
      continue;
    }
    if (cur) lines.push(cur);
    const pieces = hardBreak(word, limit());
    cur = pieces.pop() ?? '';
    for (const p of pieces) lines.push(p);
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/**
 * One logical line as terminal lines of at most `width` columns: `first` spaces before it, `more`
 * further spaces before each continuation.
 */
export function wrap(text: string, width: number, first = 0, more = 2): string {
  return wrapLines(text, width - first, more)
    .map((l, i) => ' '.repeat(first + (i ? more : 0)) + l)
    .join('\n');
}

/** A labelled line ("  events       1,000 accepted"): the value wraps under itself. */
export function field(label: string, value: string, width: number, labelWidth = 13): string {
  const lead = `  ${label.padEnd(labelWidth)}`;
  const lines = wrapLines(value, width - lead.length);
  return lines.map((l, i) => (i ? ' '.repeat(lead.length) : lead) + l).join('\n');
}

const BLOCKS = '▁▂▃▄▅▆▇█';
/** Block characters scaled to the largest value; long series are folded into `width` columns (max per fold, so spikes stay visible). */
export function sparkline(values: number[], width = 60): string {
  if (values.length === 0) return '';
  const fold = Math.max(1, Math.ceil(values.length / Math.max(1, width)));
  const cols: number[] = [];
  for (let i = 0; i < values.length; i += fold) cols.push(Math.max(...values.slice(i, i + fold)));
  const max = Math.max(...cols);
  if (max <= 0) return ' '.repeat(cols.length);
  return cols.map((v) => (v <= 0 ? ' ' : BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((v / max) * (BLOCKS.length - 1e-9)))])).join('');
}

export const indent = (text: string, by = 2): string =>
  text
    .split('\n')
    .map((l) => ' '.repeat(by) + l)
    .join('\n');
