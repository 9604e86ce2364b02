/**
 * The pieces every terminal renderer is built from: control-character stripping for untrusted text,
 * sparklines, indentation and the one table helper (cli-table3 in three rule styles).
 */
import Table from 'cli-table3';

export const TERMINAL_WIDTH = 100;

/** Replaces control characters (C0, DEL, C1: terminal escapes) and truncates to `max` characters. */
export function safe(s: string, max = 60): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '�');
  const chars = [...clean];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

const BLOCKS = '▁▂▃▄▅▆▇█';
/** Block characters scaled to the largest value; long series are folded into `width` columns (max per fold, so spikes stay visible). */
export function sparkline(values: number[], width = 60): string {
  if (values.length === 0) return '';
  const fold = Math.max(1, Math.ceil(values.length / width));
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

export interface TableOptions {
  /** Column widths, padding included; cell text wraps at word boundaries. Without: as wide as the content. */
  widths?: number[];
  aligns?: ('left' | 'right')[];
  /**
   * boxed (the reports): a ruled box, no rules between rows; grid: a rule between rows too (the runs
   * listing); bare: no rules, columns two spaces apart (the Stripe tables, so they fit 100 columns).
   */
  rules?: 'boxed' | 'grid' | 'bare';
}

const NO_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

const RULES: Record<NonNullable<TableOptions['rules']>, Table.TableConstructorOptions> = {
  boxed: { wordWrap: true, wrapOnWordBoundary: true, style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 } },
  grid: { style: { head: [], border: [] } },
  bare: { chars: NO_CHARS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } },
};

export interface TextTable {
  push(...rows: string[][]): void;
  /** The table's lines, without the padding cli-table3 leaves at line ends. */
  toString(): string;
}

/** A table with an uncoloured header, in one of the rule styles. */
export function table(head: string[], opts: TableOptions = {}): TextTable {
  const t = new Table({
    head,
    ...(opts.widths ? { colWidths: opts.widths } : {}),
    ...(opts.aligns ? { colAligns: opts.aligns } : {}),
    ...RULES[opts.rules ?? 'boxed'],
  });
  return {
    push: (...rows) => void t.push(...rows),
    toString: () =>
      t
        .toString()
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n'),
  };
}
