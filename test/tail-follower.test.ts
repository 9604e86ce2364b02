/**
 * The file follower on its own (no ClickHouse): whole lines only, rotation by rename and by
 * copy-truncate, a file that appears later or is deleted, resume positions. Expected lines are
 * what the test itself wrote; polls are explicit, so nothing here depends on timing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/helpers.js';
import { FileFollower, type Chunk } from '../src/tail/follower.js';
import { StreamFollower } from '../src/tail/stream-follower.js';
import { KEPT_BYTES, MAX_LINE_BYTES } from '../src/ingest/long-lines.js';

const lines = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${from + i} ${'x'.repeat((from + i) % 13)}`);
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

function linesOf(chunks: Chunk[]): string[] {
  const all = Buffer.concat(chunks.map((c) => c.data)).toString('utf8');
  for (const c of chunks) {
    expect(c.data[c.data.length - 1]).toBe(10); // whole lines only
    expect(c.lines).toBe(c.data.toString('utf8').split('\n').length - 1);
  }
  return all.split('\n').slice(0, -1);
}

function follower(file: string, start: ConstructorParameters<typeof FileFollower>[1]['start'] = { mode: 'start' }) {
  const notes: string[] = [];
  const f = new FileFollower(file, { start, notice: (m) => notes.push(m) });
  return { f, notes };
}

describe('tail follower', () => {
  it('holds a partial last line until its newline arrives', async () => {
    const file = path.join(tempDir(), 'a.log');
    fs.writeFileSync(file, 'one\ntw');
    const { f } = follower(file);
    let got = await f.poll();
    expect(linesOf(got)).toEqual(['one']);
    expect(f.status().held).toBe(2);
    expect(got[0].end.offset).toBe(4);
    fs.appendFileSync(file, 'o\r\nthr');
    got = await f.poll();
    expect(linesOf(got)).toEqual(['two\r']); // \r is stripped later, by the SQL that tidies lines (src/ingest/sql/lines.ts), as profile does
    expect(got[0].end.offset).toBe(9);
    fs.appendFileSync(file, 'ee\n');
    expect(linesOf(await f.poll())).toEqual(['three']);
    expect(await f.poll()).toEqual([]);
    await f.close();
  });

  it('rotation by rename: finishes the old file (unfinished line included), then reads the new one', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    const a = lines('a', 0, 50);
    fs.writeFileSync(file, text(a.slice(0, 30)));
    const { f, notes } = follower(file);
    const got: Chunk[] = [...(await f.poll())];
    fs.appendFileSync(file, `${text(a.slice(30))}tail-without-newline`); // written after our read, before rotation
    fs.renameSync(file, `${file}.1`);
    const b = lines('b', 0, 20);
    fs.writeFileSync(file, text(b));
    const after = await f.poll();
    got.push(...after);
    expect(linesOf(got)).toEqual([...a, 'tail-without-newline', ...b]);
    expect(after.find((c) => c.data.toString().startsWith('b-0'))?.fileStart).toBe(true);
    expect(notes.some((n) => n.includes('rotated'))).toBe(true);
    await f.close();
  });

  it('copy-truncate: the unread end is recovered from the copy, then the file is read anew', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    const a = lines('a', 0, 40);
    fs.writeFileSync(file, text(a.slice(0, 25)));
    const { f, notes } = follower(file);
    const got: Chunk[] = [...(await f.poll())];
    fs.appendFileSync(file, text(a.slice(25))); // not read yet
    fs.copyFileSync(file, `${file}.1`);
    fs.truncateSync(file, 0);
    const b = lines('b', 0, 5); // shorter than what we had read: seen by size
    fs.appendFileSync(file, text(b));
    got.push(...(await f.poll()));
    expect(linesOf(got)).toEqual([...a, ...b]);
    expect(notes.some((n) => n.includes('copy-truncate'))).toBe(true);
    await f.close();
  });

  it('copy-truncate that regrew past our offset before we looked is told by the head fingerprint', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    const a = lines('a', 0, 20);
    fs.writeFileSync(file, text(a.slice(0, 10)));
    const { f } = follower(file);
    const got: Chunk[] = [...(await f.poll())];
    fs.appendFileSync(file, text(a.slice(10)));
    fs.copyFileSync(file, `${file}.1`);
    fs.truncateSync(file, 0);
    const b = lines('b', 0, 200); // much longer than before: the size alone would not show the truncation
    fs.appendFileSync(file, text(b));
    got.push(...(await f.poll()));
    expect(linesOf(got)).toEqual([...a, ...b]);
    await f.close();
  });

  it('a plain truncate (no copy) reads the file again from its start', async () => {
    const file = path.join(tempDir(), 'app.log');
    fs.writeFileSync(file, text(lines('a', 0, 10)));
    const { f, notes } = follower(file);
    expect(linesOf(await f.poll())).toHaveLength(10);
    fs.truncateSync(file, 0);
    fs.appendFileSync(file, text(lines('b', 0, 3)));
    expect(linesOf(await f.poll())).toEqual(lines('b', 0, 3));
    expect(notes.some((n) => n.includes('truncated'))).toBe(true);
    await f.close();
  });

  it('waits for a file that appears later, and for a deleted file to come back', async () => {
    const file = path.join(tempDir(), 'later.log');
    const { f, notes } = follower(file);
    expect(await f.poll()).toEqual([]);
    expect(f.status().state).toBe('waiting');
    fs.writeFileSync(file, text(lines('a', 0, 3)));
    expect(linesOf(await f.poll())).toEqual(lines('a', 0, 3));
    fs.appendFileSync(file, 'last\n');
    fs.unlinkSync(file);
    expect(linesOf(await f.poll())).toEqual(['last']); // read through the open handle
    expect(f.status().state).toBe('waiting');
    fs.writeFileSync(file, text(lines('b', 0, 2)));
    expect(linesOf(await f.poll())).toEqual(lines('b', 0, 2));
    expect(notes.some((n) => n.includes('waiting for it to appear'))).toBe(true);
    await f.close();
  });

  it('--from end skips whole lines present at start and counts them', async () => {
    const file = path.join(tempDir(), 'big.log');
    fs.writeFileSync(file, `${text(lines('old', 0, 7))}half`);
    const { f } = follower(file, { mode: 'end' });
    expect((await f.begin()).skippedLines).toBe(7);
    fs.appendFileSync(file, '-done\nnew\n');
    expect(linesOf(await f.poll())).toEqual(['half-done', 'new']);
    await f.close();
  });

  it('resumes at a checkpointed position, also when the file was rotated meanwhile', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    const a = lines('a', 0, 30);
    fs.writeFileSync(file, text(a.slice(0, 12)));
    const first = follower(file).f;
    const chunks = await first.poll();
    const pos = chunks[chunks.length - 1].end;
    await first.close();

    // Same file, grown.
    fs.appendFileSync(file, text(a.slice(12, 20)));
    const same = follower(file, { mode: 'resume', pos }).f;
    const c1 = await same.poll();
    expect(linesOf(c1)).toEqual(a.slice(12, 20));
    expect(c1.every((c) => c.backlog)).toBe(true); // written while we were away: catch-up, not arrivals
    const pos2 = c1[c1.length - 1].end;
    await same.close();

    // Grown, then rotated by rename while stopped.
    fs.appendFileSync(file, text(a.slice(20)));
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, text(lines('b', 0, 4)));
    const { f: moved, notes } = follower(file, { mode: 'resume', pos: pos2 });
    expect(linesOf(await moved.poll())).toEqual([...a.slice(20), ...lines('b', 0, 4)]);
    expect(notes.some((n) => n.includes('rotated while meterscope was stopped'))).toBe(true);
    await moved.close();
  });

  it('resumes across several rotations made while stopped (rename and copy-truncate), oldest generation first', async () => {
    for (const how of ['rename', 'copy'] as const) {
      const dir = tempDir();
      const file = path.join(dir, 'app.log');
      const gens = [lines('g0', 0, 9), lines('g1', 0, 5), lines('g2', 0, 6), lines('g3', 0, 2)];
      fs.writeFileSync(file, text(gens[0].slice(0, 4)));
      const first = follower(file).f;
      const c = await first.poll();
      await first.close();
      fs.appendFileSync(file, text(gens[0].slice(4)));
      for (let g = 1; g < gens.length; g++) {
        // logrotate numbering: the newest rotation is .1, older ones shift up.
        for (let k = g - 1; k >= 1; k--) fs.renameSync(`${file}.${k}`, `${file}.${k + 1}`);
        if (how === 'rename') {
          fs.renameSync(file, `${file}.1`);
          fs.writeFileSync(file, text(gens[g]));
        } else {
          fs.copyFileSync(file, `${file}.1`);
          fs.writeFileSync(file, text(gens[g]));
        }
        const t = Date.now() / 1000 + g; // distinct modification times, in rotation order
        fs.utimesSync(`${file}.1`, t, t);
      }
      const { f } = follower(file, { mode: 'resume', pos: c[c.length - 1].end });
      const got: Chunk[] = [];
      for (let i = 0; i < 6; i++) got.push(...(await f.poll()));
      expect(linesOf(got)).toEqual([...gens[0].slice(4), ...gens[1], ...gens[2], ...gens[3]]);
      await f.close();
    }
  });

  it('resume when no file had been seen yet: generations rotated away since are read first', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.log');
    fs.writeFileSync(`${file}.old`, 'from before the run\n');
    fs.utimesSync(`${file}.old`, 1000, 1000);
    const first = follower(file).f;
    await first.begin();
    const pos = first.position(); // nothing there yet
    await first.close();
    const a = lines('a', 0, 8);
    const b = lines('b', 0, 3);
    fs.writeFileSync(file, text(a));
    fs.copyFileSync(file, `${file}.1`); // copy-truncate while stopped
    fs.writeFileSync(file, text(b));
    const { f } = follower(file, { mode: 'resume', pos });
    const got: Chunk[] = [];
    for (let i = 0; i < 3; i++) got.push(...(await f.poll()));
    expect(linesOf(got)).toEqual([...a, ...b]);
    await f.close();
  });

  it('refuses a compressed file with one sentence', async () => {
    const file = path.join(tempDir(), 'x.log');
    fs.writeFileSync(file, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    await expect(follower(file).f.poll()).rejects.toThrow(/gzip-compressed; tail follows plain-text logs/);
  });

  it('a line over the limit is handed on as one marked line, holding only its head, positions unchanged', async () => {
    const file = path.join(tempDir(), 'long.log');
    const long = 'x'.repeat(MAX_LINE_BYTES + 5);
    fs.writeFileSync(file, `a\n${long.slice(0, MAX_LINE_BYTES - 10)}`);
    const { f } = follower(file);
    expect(linesOf(await f.poll())).toEqual(['a']);
    fs.appendFileSync(file, long.slice(MAX_LINE_BYTES - 10));
    for (let i = 0; i < 4; i++) expect(await f.poll()).toEqual([]); // 8 MiB per poll
    expect(f.status().held).toBe(MAX_LINE_BYTES + 5);
    expect(f.position().offset).toBe(2);
    fs.appendFileSync(file, '\nb\n');
    const got = await f.poll();
    const [marked, b] = linesOf(got);
    expect(b).toBe('b');
    expect(marked).toContain(`line too long (${MAX_LINE_BYTES + 5} bytes)`);
    expect(Buffer.byteLength(marked)).toBeLessThan(KEPT_BYTES + 100);
    expect(got.at(-1)!.end.offset).toBe(2 + MAX_LINE_BYTES + 5 + 3);
    await f.close();
  });

  it('stdin: chunks as they come, the last line finished by the end of input', async () => {
    const input = new PassThrough();
    const f = new StreamFollower(input);
    input.write('a\nb');
    await new Promise((r) => setImmediate(r));
    expect(linesOf(await f.poll())).toEqual(['a']);
    input.end('c');
    await new Promise((r) => setImmediate(r));
    const last = await f.poll();
    expect(linesOf(last)).toEqual(['bc']);
    expect(last[0].end.offset).toBe(4);
    expect(f.status().state).toBe('ended');
  });
});
