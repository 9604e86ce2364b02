/**
 * Internal consistency of the questionnaire answers: every number an answer states must be one of
 * its figures (formatted as the reports format numbers), so no sentence counts something its
 * figures do not. Dates, times and code spans (names) are not numbers of the answer.
 */
import type { Figure, MeteringAnswer } from '../../src/report/answers.js';
import { dec, int, pct } from '../../src/report/format.js';

const NUMBER = /(?<![\w.\-/])(?:[<>]\d+(?:\.\d+)?%|\d[\d,]*(?:\.\d+)?%?)(?![\w])/g;

export function numbersOf(text: string): string[] {
  const plain = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?/g, ' ')
    .replace(/\\_/g, '_');
  return [...plain.matchAll(NUMBER)].map((m) => m[0]);
}

function forms(f: Figure | Figure[], out: Set<string>): void {
  if (Array.isArray(f)) {
    for (const x of f) forms(x, out);
    return;
  }
  if (typeof f === 'number') {
    for (const s of [int(f), dec(f), pct(f), String(f), `${dec(f)}%`]) out.add(s);
  } else if (typeof f === 'string') {
    for (const n of numbersOf(f)) out.add(n);
  }
}

/** The numbers of each answer that none of its figures accounts for ([] when consistent). */
export function unexplainedNumbers(answers: MeteringAnswer[]): string[] {
  const problems: string[] = [];
  for (const a of answers) {
    const known = new Set<string>();
    for (const v of Object.values(a.figures)) forms(v, known);
    for (const n of numbersOf(a.answer)) if (!known.has(n)) problems.push(`${a.id}: ${n} in "${a.answer}"`);
  }
  return problems;
}
