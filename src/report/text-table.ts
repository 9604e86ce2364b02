/**
 * Tables for the terminal reports, laid out for a width: each column is as wide as its content
 * (up to its `max`); when the table is wider than the terminal, the columns that may give way wrap
 * or are cut down to their `min`, and if that is not enough, the least useful column (highest
 * `drop`) is left out and the layout starts over. Drawn by cli-table3 in one of three rule styles.
 */
import Table from 'cli-table3';
import { cut, displayWidth, wrapLines } from './terminal-parts.js';

export interface Column {
  head: string;
  align?: 'left' | 'right';
  /** How the column gives way when the table is too wide: wrap at word boundaries, or cut with an ellipsis. Absent: never narrower than its content. */
  shrink?: 'wrap' | 'cut';
  /** Narrowest content width when giving way (default 10, or the content width if less). */
  min?: number;
  /** Content width the column keeps before a column that may be dropped is left out (default: min). */
  want?: number;
  /** Widest content width; longer text wraps or is cut (by `shrink`, default cut). */
  max?: number;
  /** Left out when the table cannot fit otherwise; the highest goes first. Absent: always shown. */
  drop?: number;
}

/**
 * boxed (the reports): a ruled box, no rules between rows; grid: a rule between rows too (the runs
 * listing); bare: no rules, columns two spaces apart (the Stripe tables).
 */
export type Rules = 'boxed' | 'grid' | 'bare';

const NO_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

const STYLE: Record<Rules, Table.TableConstructorOptions> = {
  boxed: { style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 } },
  grid: { style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 } },
  bare: { chars: NO_CHARS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } },
};

/** Columns taken by rules and padding around `n` columns of content. */
const frame = (rules: Rules, n: number) => (rules === 'bare' ? 2 * (n - 1) : 3 * n + 1);

const widest = (cells: string[]) => Math.max(0, ...cells.map(displayWidth));
const longestWord = (s: string) => widest(s.split(' '));

export interface TextTable {
  push(...rows: string[][]): void;
  /** The table's lines for a terminal `width` columns wide. */
  render(width: number): string;
}

export function table(columns: Column[], opts: { rules?: Rules } = {}): TextTable {
  const rows: string[][] = [];
  const rules = opts.rules ?? 'boxed';
  return {
    push: (...more) => void rows.push(...more),
    render: (width) => draw(columns, rows, fitColumns(columns, rows, width, rules), rules),
  };
}

/**
 * Content width per column, or null for a column left out. Columns that may give way do so down to
 * the width they want; then the least useful column is left out and the layout starts over; with
 * nothing left to drop, they give way down to their `min`, and headers wrap (at word boundaries).
 */
function fitColumns(columns: Column[], rows: string[][], width: number, rules: Rules): (number | null)[] {
  const shown = columns.map(() => true);
  const content = columns.map((_, i) => widest(rows.map((r) => r[i] ?? '')));
  const natural = columns.map((c, i) => Math.min(c.max ?? Infinity, Math.max(displayWidth(c.head), content[i], 1)));
  const floor = (pick: (c: Column) => number) => columns.map((c, i) => (c.shrink ? Math.min(natural[i], Math.max(pick(c), longestWord(c.head))) : natural[i]));
  const least = floor((c) => c.min ?? 10);
  const wanted = floor((c) => Math.max(c.want ?? 0, c.min ?? 10));
  const headed = columns.map((c, i) => (c.shrink ? least[i] : Math.min(natural[i], Math.max(longestWord(c.head), content[i], 1))));
  for (;;) {
    const widths = natural.slice();
    const tooWide = () => widths.reduce((s, w, i) => s + (shown[i] ? w : 0), 0) + frame(rules, shown.filter(Boolean).length) > width;
    const result = () => widths.map((w, i) => (shown[i] ? w : null));
    narrow(widths, wanted, shown, tooWide);
    if (!tooWide()) return result();
    let drop = -1;
    columns.forEach((c, i) => {
      if (shown[i] && c.drop !== undefined && (drop < 0 || c.drop > columns[drop].drop!)) drop = i;
    });
    if (drop >= 0) {
      shown[drop] = false;
      continue;
    }
    for (const f of [least, headed]) narrow(widths, f, shown, tooWide);
    return result();
  }
}

/** Takes a column at a time from the widest shown column above its floor while `tooWide`. */
function narrow(widths: number[], floor: number[], shown: boolean[], tooWide: () => boolean): void {
  while (tooWide()) {
    let pick = -1;
    for (let i = 0; i < widths.length; i++) if (shown[i] && widths[i] > floor[i] && (pick < 0 || widths[i] > widths[pick])) pick = i;
    if (pick < 0) return;
    widths[pick]--;
  }
}

/** A cell's lines at `w` columns: wrapped, or cut. */
function fitCell(text: string, w: number, c: Column): string {
  if (displayWidth(text) <= w) return text;
  return c.shrink === 'wrap' ? wrapLines(text, w).join('\n') : cut(text, w);
}

function draw(columns: Column[], rows: string[][], widths: (number | null)[], rules: Rules): string {
  const keep = columns.map((_, i) => i).filter((i) => widths[i] !== null);
  const pad = rules === 'bare' ? 0 : 2;
  const t = new Table({
    head: keep.map((i) => wrapLines(columns[i].head, widths[i]!).join('\n')),
    colWidths: keep.map((i) => widths[i]! + pad),
    colAligns: keep.map((i) => columns[i].align ?? 'left'),
    ...STYLE[rules],
  });
  for (const r of rows) t.push(keep.map((i) => fitCell(r[i] ?? '', widths[i]!, columns[i])));
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}
