/**
 * The bill as JSON, in pieces: the model's fields indented as usual, but usage[] and parity[] one
 * entry per line — a bill grouped by an identifier-like key has hundreds of thousands of lines, and
 * one indented string of them would outgrow what a JavaScript string can hold.
 */
import type { BillModel } from '../bill/model.js';

const ROWS_PER_CHUNK = 10_000;

export function* billJsonChunks(b: BillModel): Generator<string> {
  const entries = Object.entries(b);
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const end = i === entries.length - 1 ? '\n' : ',\n';
    if (Array.isArray(value) && (key === 'usage' || key === 'parity') && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let r = 0; r < value.length; r += ROWS_PER_CHUNK) {
        const last = r + ROWS_PER_CHUNK >= value.length;
        yield `${value
          .slice(r, r + ROWS_PER_CHUNK)
          .map((x) => `    ${JSON.stringify(x)}`)
          .join(',\n')}${last ? '\n' : ',\n'}`;
      }
      yield `  ]${end}`;
    } else {
      yield `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${end}`;
    }
  }
  yield '}\n';
}

/** The whole document as one string (small bills, tests). */
export const renderBillJson = (b: BillModel): string => [...billJsonChunks(b)].join('');
