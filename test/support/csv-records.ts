/**
 * An independent reading of CSV record boundaries, as README "Inputs" describes them, written as a
 * character-by-character state machine (meterscope does it with regexes in SQL). Used to count and
 * check the records the tests expect.
 */

export interface Line {
  line: number;
  text: string;
}

type End = 'complete' | 'open' | 'error';

/** Reads one line from a record's start (or from inside a quoted field): where does it end? */
export function scanCsvLine(text: string, insideQuotes: boolean): End {
  let st: 'field' | 'unquoted' | 'quoted' | 'quote' = insideQuotes ? 'quoted' : 'field';
  for (const c of text) {
    if (st === 'field') st = c === '"' ? 'quoted' : c === ',' ? 'field' : 'unquoted';
    else if (st === 'unquoted') {
      if (c === '"') return 'error';
      if (c === ',') st = 'field';
    } else if (st === 'quoted') {
      if (c === '"') st = 'quote';
    } else if (c === '"') st = 'quoted';
    else if (c === ',') st = 'field';
    else return 'error';
  }
  return st === 'quoted' ? 'open' : 'complete';
}

const BLANK = /^[ \t\r\f\v]*$/;

/**
 * Lines after the header -> records (the line each starts on, lines joined by \n), blank ones dropped.
 * A line that opens a quoted field (and could not close one) starts a multi-line record when the
 * lines after it continue the field and one then closes it; otherwise it is a record of its own.
 */
export function csvRecordsOf(lines: Line[]): Line[] {
  const out: Line[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i];
    if (scanCsvLine(first.text, false) === 'open' && scanCsvLine(first.text, true) !== 'complete') {
      let j = i + 1;
      while (j < lines.length && scanCsvLine(lines[j].text, true) === 'open') j++;
      if (j < lines.length && scanCsvLine(lines[j].text, true) === 'complete') {
        out.push({
          line: first.line,
          text: lines
            .slice(i, j + 1)
            .map((l) => l.text)
            .join('\n'),
        });
        i = j + 1;
        continue;
      }
    }
    if (!BLANK.test(first.text)) out.push(first);
    i++;
  }
  return out;
}

/** Bytes -> numbered lines as meterscope tidies them: one trailing CR off, a BOM off line 1 (latin1: one char per byte). */
export function tidyLinesOf(bytes: Buffer): Line[] {
  let text = bytes.toString('latin1');
  if (text.startsWith('\u00ef\u00bb\u00bf')) text = text.slice(3);
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ line: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
}

export const isBlank = (text: string) => BLANK.test(text);
