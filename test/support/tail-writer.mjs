#!/usr/bin/env node
/**
 * Test helper for the tail tests: appends Stripe meter-event lines to a file at a known rate, like
 * a backend writing its log, optionally rotating it (rename or copy-truncate) and splitting lines
 * across writes. Paced open-loop from its own start time; bounded by --count.
 * Prints one JSON line at the end: {written, ids, firstWriteAt, lastWriteAt, measuredRate, rotations}.
 *
 *   node test/support/tail-writer.mjs --file F --rate 1000 --count 5000 [--start 0] [--bad-every 0]
 *        [--rotate rename|truncate --rotate-every N] [--split] [--delay-ms 0] [--stop-file F]
 * --stop-file: stop (as if --count were reached) once F exists, so a test can end the writing when
 * the reader is ready rather than after a fixed time that a loaded machine may not honour.
 */
import fs from 'node:fs';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []),
);
const file = args.file;
const rate = Number(args.rate ?? 1000);
const count = Number(args.count ?? 1000);
const start = Number(args.start ?? 0);
const badEvery = Number(args['bad-every'] ?? 0);
const rotate = args.rotate;
const rotateEvery = Number(args['rotate-every'] ?? 0);
const split = args.split === 'true';
const delayMs = Number(args['delay-ms'] ?? 0);
const stopFile = args['stop-file'];
let limit = count;
if (!file || !(rate > 0) || !(count > 0)) {
  process.stderr.write('usage: tail-writer.mjs --file F --rate R --count N\n');
  process.exit(2);
}

const names = ['api_call', 'storage_gb', 'seat'];
const regions = ['eu', 'us', 'ap'];
function line(i) {
  const id = start + i;
  if (badEvery > 0 && i % badEvery === badEvery - 1) return `{"identifier":"w-${id}","timestamp":${Math.floor(Date.now() / 1000)},"event_na`;
  const payload = { stripe_customer_id: `cus_${id % 7}`, value: String((id % 5) + 1), region: regions[id % 3] };
  if (i > count / 2) payload.plan = id % 2 ? 'pro' : 'free'; // a key that appears half-way
  return JSON.stringify({ identifier: `w-${id}`, timestamp: Math.floor(Date.now() / 1000), event_name: names[id % 3], payload });
}

let fd = fs.openSync(file, 'a');
let written = 0;
let carry = '';
let rotations = 0;
let firstWriteAt = 0;
let firstWriteLines = 0;
let lastWriteAt = 0;
let t0 = 0;

function rotateNow() {
  rotations++;
  if (rotate === 'rename') {
    fs.closeSync(fd);
    fs.renameSync(file, `${file}.${rotations}`);
    fd = fs.openSync(file, 'a');
  } else {
    // logrotate's copytruncate: copy, then truncate in place; the writer keeps its (O_APPEND) handle.
    fs.copyFileSync(file, `${file}.${rotations}`);
    fs.ftruncateSync(fd, 0);
  }
}

function tick() {
  const now = Date.now();
  if (stopFile && limit === count && fs.existsSync(stopFile)) limit = written;
  const target = Math.min(limit, Math.floor(((now - t0) / 1000) * rate) + 1);
  let text = carry;
  carry = '';
  let n = 0;
  while (written < target) {
    text += `${line(written)}\n`;
    written++;
    n++;
    if (rotate && rotateEvery > 0 && written % rotateEvery === 0 && written < limit) {
      fs.writeSync(fd, text);
      text = '';
      rotateNow();
    }
  }
  if (split && text.length > 20 && written < limit) {
    // Leave the last line unfinished until the next tick: the reader sees a partial line.
    const cut = text.length - 10;
    carry = text.slice(cut);
    text = text.slice(0, cut);
  }
  if (text) {
    fs.writeSync(fd, text);
    if (!firstWriteAt) {
      firstWriteAt = now;
      firstWriteLines = n;
    }
    lastWriteAt = now;
  }
  if (written >= limit && !carry) {
    fs.closeSync(fd);
    const measuredRate = lastWriteAt > firstWriteAt ? (written - firstWriteLines) / ((lastWriteAt - firstWriteAt) / 1000) : written;
    process.stdout.write(`${JSON.stringify({ written, first: start, last: start + written - 1, firstWriteAt, lastWriteAt, measuredRate, rotations })}\n`);
    return;
  }
  setTimeout(tick, 5);
}

setTimeout(() => {
  t0 = Date.now();
  tick();
}, delayMs);
