/**
 * Splits whole-file JSON into its events, streaming and in bounded memory: a top-level array (pretty
 * or on one line, any size), top-level objects one after another (`jq .` output), and envelopes
 * (`{"data":[…]}`, `{"events":[…]}`) whose array holds the events. Each event keeps the line it
 * starts on and its 1-based index in its array (1 outside arrays). Only the structure is scanned
 * here; the events are parsed by ClickHouse like any line.
 *
 * ClickHouse's own JSONAsString reader takes arrays and concatenated objects, but it reports no
 * position but the row number and reads an envelope as one row, so the split happens here.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { escapeBytes, escapeTsv } from './line-splitter.js';
import { KEPT_BYTES, MAX_LINE_BYTES, firstBytes, tooLongText } from './long-lines.js';

export interface JsonRecord {
  line: number;
  seq: number;
  /** The event's text as written, or its marked text when it is longer than MAX_LINE_BYTES. */
  raw: Buffer;
}

/** Envelope keys whose array holds the events, unless an event field came before them. */
const ENVELOPE_KEYS = new Set(['data', 'events']);
const EVENT_KEYS = new Set(['event_name', 'event_type', 'type', 'specversion', 'timestamp', 'time', 'identifier', 'transaction_id']);

const QUOTE = 34;
const BACKSLASH = 92;
const NL = 10;

export class JsonRecordSplitter {
  /** Lines seen so far (1-based number of the current line). */
  line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth at which events start (-1: none in this value, e.g. the rest of an envelope). */
  private recordDepth = 0;
  private topArray = false;
  private envelope = false;
  private seq = 0;
  // The event being read.
  private inRecord = false;
  private scalar = false;
  private recLine = 0;
  private recSeq = 0;
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Where the event began in the current chunk (0 when it began in an earlier one). */
  private recStart = -1;
  // Keys of a top-level object, to tell an envelope (depth 1 only).
  private expectKey = false;
  private keyStart = -1;
  private keyParts: Buffer[] = [];
  private lastKey = '';
  private eventKeySeen = false;
  private arrayAfterKey = false;
  private bomChecked = false;
  private nextQuote = -1;
  private nextBackslash = -1;
  private nextNewline = -1;

  constructor(private readonly emit: (r: JsonRecord) => void) {}

  push(buf: Buffer): void {
    let i = 0;
    if (!this.bomChecked && buf.length > 0) {
      this.bomChecked = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    }
    this.recStart = this.inRecord ? 0 : -1;
    this.nextQuote = this.nextBackslash = this.nextNewline = -1;
    const n = buf.length;
    while (i < n) {
      if (this.inString) {
        i = this.skipString(buf, i);
        if (!this.inString) this.endScalar(buf, i);
        continue;
      }
      const c = buf[i];
      if (c === 32 || c === NL || c === 9 || c === 13) {
        if (c === NL) this.line++;
        this.endScalar(buf, i);
      } else {
        if (this.arrayAfterKey) this.maybeEnvelope(c);
        if (c === 44 /* , */ || c === 93 /* ] */ || c === 125 /* } */) this.delimiter(buf, i, c);
        else this.valueByte(i, c);
      }
      i++;
    }
    if (this.inRecord) this.keep(buf.subarray(Math.max(this.recStart, 0)));
    if (this.keyStart >= 0) {
      // A key cut by the chunk's end (short keys only matter; a long one is cut short here).
      if (this.keyParts.length < 4) this.keyParts.push(Buffer.from(buf.subarray(this.keyStart, this.keyStart + 64)));
      this.keyStart = 0;
    }
  }

  /** `,` `]` `}` at `i`: ends a scalar event; a closing bracket may end an event or a top-level value. */
  private delimiter(buf: Buffer, i: number, c: number): void {
    this.endScalar(buf, i);
    if (c === 44) {
      if (this.depth === 1 && !this.topArray && !this.envelope) this.expectKey = true;
      return;
    }
    this.depth--;
    if (this.inRecord && this.depth === this.recordDepth) this.endRecord(buf, i + 1);
    this.closed();
  }

  /** Any other byte outside strings: may start an event, opens containers and strings, ends keys. */
  private valueByte(i: number, c: number): void {
    if (!this.inRecord && this.depth === this.recordDepth && !(this.depth === 0 && c === 91 /* [ */)) {
      this.startRecord(c);
      this.recStart = i;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      this.opened(c);
    } else if (c === QUOTE) {
      this.inString = true;
      if (this.depth === 1 && this.expectKey) {
        this.keyStart = i + 1;
        this.keyParts = [];
      }
    } else if (c === 58 /* : */ && this.depth === 1) {
      this.expectKey = false;
    }
  }

  /** A scalar event (a number, a string, a literal) ends before byte `i`. */
  private endScalar(buf: Buffer, i: number): void {
    if (this.inRecord && this.scalar && this.depth === this.recordDepth) this.endRecord(buf, i);
  }

  /** End of input: an unfinished event is still an event (the parser rejects it). */
  end(): void {
    this.recStart = 0;
    if (this.inRecord) this.endRecord(Buffer.alloc(0), 0);
  }

  /** Moves past string bytes from `i`; returns the index after the closing quote, or the end of `buf`. */
  private skipString(buf: Buffer, i: number): number {
    const n = buf.length;
    while (i < n) {
      if (this.escaped) {
        this.escaped = false;
        i++;
        continue;
      }
      // Next quote, backslash and newline are looked up once per chunk position (not per string),
      // so a chunk without any of them is not scanned again for every string in it.
      if (this.nextQuote < i) this.nextQuote = indexOr(buf, QUOTE, i);
      if (this.nextBackslash < i) this.nextBackslash = indexOr(buf, BACKSLASH, i);
      const stop = Math.min(this.nextQuote, this.nextBackslash);
      // A raw newline inside a string is invalid JSON, but later events still need the right line.
      if (this.nextNewline < i) this.nextNewline = indexOr(buf, NL, i);
      while (this.nextNewline < stop) {
        this.line++;
        this.nextNewline = indexOr(buf, NL, this.nextNewline + 1);
      }
      if (stop === n) return n;
      if (stop === this.nextBackslash) {
        this.escaped = true;
        i = stop + 1;
        continue;
      }
      this.inString = false;
      this.collectKey(buf, stop);
      return stop + 1;
    }
    return i;
  }

  /** A closed key string of a top-level object (keys longer than any we look for are not kept). */
  private collectKey(buf: Buffer, end: number): void {
    if (this.keyStart < 0) return;
    this.keyParts.push(buf.subarray(this.keyStart, end));
    const key = Buffer.concat(this.keyParts);
    this.lastKey = key.length <= 32 ? key.toString('utf8') : '';
    if (EVENT_KEYS.has(this.lastKey)) this.eventKeySeen = true;
    this.keyStart = -1;
    this.keyParts = [];
  }

  private opened(c: number): void {
    if (this.depth === 0 && c === 91) {
      this.topArray = true;
      this.recordDepth = 1;
      this.seq = 0;
    } else if (this.depth === 0) {
      this.expectKey = true;
      this.eventKeySeen = false;
      this.lastKey = '';
    } else if (this.depth === 1 && !this.topArray && !this.envelope && c === 91) {
      this.arrayAfterKey = ENVELOPE_KEYS.has(this.lastKey) && !this.eventKeySeen;
    }
    this.depth++;
  }

  /** The byte after `[` of a top-level object's data/events key: an object (or the end) makes it an envelope. */
  private maybeEnvelope(c: number): void {
    this.arrayAfterKey = false;
    if (c !== 123 && c !== 93) return;
    this.envelope = true;
    this.inRecord = false;
    this.parts = [];
    this.bytes = 0;
    this.recordDepth = 2;
    this.seq = 0;
  }

  /** After a closing bracket: leaving an envelope's array, or a top-level value. */
  private closed(): void {
    if (this.envelope && this.depth === 1) this.recordDepth = -1;
    if (this.depth === 0) {
      this.topArray = false;
      this.envelope = false;
      this.recordDepth = 0;
      this.expectKey = false;
    }
  }

  private startRecord(c: number): void {
    this.inRecord = true;
    this.scalar = c !== 123 && c !== 91;
    this.recLine = this.line;
    this.recSeq = this.recordDepth > 0 ? ++this.seq : 1;
    this.parts = [];
    this.bytes = 0;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    // Past the limit only the first KiB is needed (the reject's raw text); the rest is counted.
    if (this.bytes <= MAX_LINE_BYTES) {
      this.parts.push(Buffer.from(part));
      if (this.bytes + part.length > MAX_LINE_BYTES) this.parts = [firstBytes(this.parts, KEPT_BYTES)];
    }
    this.bytes += part.length;
  }

  /** The event ends before byte `to` of `buf`. */
  private endRecord(buf: Buffer, to: number): void {
    this.keep(buf.subarray(Math.max(this.recStart, 0), to));
    this.recStart = -1;
    const raw = this.bytes > MAX_LINE_BYTES ? tooLongText('event', this.bytes, this.parts[0]) : Buffer.concat(this.parts);
    this.inRecord = false;
    this.parts = [];
    this.bytes = 0;
    this.emit({ line: this.recLine, seq: this.recSeq, raw });
  }
}

function indexOr(buf: Buffer, byte: number, from: number): number {
  const at = buf.indexOf(byte, from);
  return at === -1 ? buf.length : at;
}

/** The complete events at the start of a sample (for format detection). */
export function firstRecords(sample: Buffer, max = 50): string[] {
  const out: string[] = [];
  const splitter = new JsonRecordSplitter((r) => {
    if (out.length < max) out.push(r.raw.toString('utf8'));
  });
  splitter.push(sample);
  return out;
}

/** Bytes of whole-file JSON -> TabSeparated rows "line\tseq\ttext\n" for a staging insert. */
export class JsonRecordsToTsv extends Transform {
  bytes = 0;
  private readonly splitter: JsonRecordSplitter;
  private out: string[] = [];

  constructor() {
    super();
    // Bytes that are not UTF-8 travel as \xHH escapes, so staging holds the event's bytes (as LineToTsv does).
    this.splitter = new JsonRecordSplitter((r) => this.out.push(`${r.line}\t${r.seq}\t${isUtf8(r.raw) ? escapeTsv(r.raw.toString('utf8')) : escapeBytes(r.raw)}\n`));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.splitter.push(chunk);
    this.drain();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.splitter.end();
    this.drain();
    cb();
  }

  private drain(): void {
    if (this.out.length) this.push(this.out.join(''));
    this.out = [];
  }
}
