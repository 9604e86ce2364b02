/**
 * How values are written in each output syntax. Literal strings (event names, keys, value pools,
 * prefixes: all user-controlled) are encoded here in JS and reach SQL only as query parameters;
 * SQL only adds digits and hex, which need no escaping in any of the syntaxes.
 */
import type { SqlParams } from '../store/sql.js';

export type Syntax = 'json' | 'form' | 'csv';

export interface Codec {
  syntax: Syntax;
  /** Payload numbers are strings in Stripe's API (payload is a hash of strings). */
  numbersAsStrings: boolean;
  /** A literal string, encoded (JSON: with its quotes). */
  lit(s: string): string;
}

const formEncode = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);
const csvQuote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function codecFor(syntax: Syntax, numbersAsStrings: boolean): Codec {
  const lit = syntax === 'json' ? (s: string) => JSON.stringify(s) : syntax === 'form' ? formEncode : csvQuote;
  return { syntax, numbersAsStrings, lit };
}

/** SQL builders bound to one codec and one parameter set. */
export class Writer {
  constructor(
    readonly codec: Codec,
    readonly params: SqlParams,
  ) {}

  /** An encoded literal as a query parameter. */
  lit(s: string): string {
    return this.params.add(this.codec.lit(s));
  }

  /** Raw text (already in output syntax) as a query parameter. */
  raw(s: string): string {
    return this.params.add(s);
  }

  /** A string value whose SQL text is only [0-9a-f-]: JSON needs just the quotes. */
  safeString(core: string): string {
    return this.codec.syntax === 'json' ? `concat('"', ${core}, '"')` : core;
  }

  /** A number value (SQL text of digits, '.', '-'). */
  number(num: string): string {
    return this.codec.syntax === 'json' && this.codec.numbersAsStrings ? `concat('"', ${num}, '"')` : num;
  }

  /** prefix + core, encoded: the prefix's encoding is split around the core (digits/hex encode as themselves). */
  prefixed(prefix: string, core: string): string {
    const enc = this.codec.lit(`${prefix}0`);
    const at = enc.lastIndexOf('0');
    const pre = enc.slice(0, at);
    const post = enc.slice(at + 1);
    return `concat(${this.raw(pre)}, ${core}${post ? `, ${this.raw(post)}` : ''})`;
  }

  /** One of a list of literal strings, picked by a 1-based SQL index. */
  pick(values: string[], index1: string): string {
    return `arrayElement(${this.params.add(
      values.map((v) => this.codec.lit(v)),
      'Array(String)',
    )}, ${index1})`;
  }
}
