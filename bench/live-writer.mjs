#!/usr/bin/env node
/**
 * Benchmark writer for bench/tail.ts: appends Stripe meter-event lines (the API object, ~300 bytes)
 * to a file at a fixed rate for a fixed time, paced open-loop from its start, and prints one JSON
 * line at the end with every write: [ms since epoch, lines written so far], so the benchmark can tell
 * when each line was written.
 *
 *   node bench/live-writer.mjs --file F --rate 100000 --seconds 60
 */
import fs from 'node:fs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const file = arg('file');
const rate = Number(arg('rate', 1000));
const seconds = Number(arg('seconds', 10));
if (!file || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: live-writer.mjs --file F --rate R --seconds S\n');
  process.exit(2);
}
const count = Math.round(rate * seconds);
const names = ['api_call', 'storage_gb', 'seat'];
const regions = ['eu', 'us', 'ap', 'sa', 'af'];

// Rendered by concatenation (JSON.stringify per line cost ~10 µs on a busy box: the writer, not the
// reader, was the limit at 100k lines/s); every value is plain ASCII, so no escaping is needed.
function line(i, nowS) {
  return (
    `{"object":"billing.meter_event","created":${nowS},"event_name":"${names[i % 3]}","identifier":"live-${i}","livemode":false,` +
    `"payload":{"stripe_customer_id":"cus_${(i * 7919) % 5000}","value":"${(i % 5) + 1}","region":"${regions[i % 5]}","endpoint":"/v1/e${i % 24}"},"timestamp":${nowS}}`
  );
}

const fd = fs.openSync(file, 'a');
const writes = [];
let written = 0;
const t0 = performance.now();
/** Most lines in one write: a writer that fell behind catches up in steps (a string stays < 512 MB). */
const MAX_PER_WRITE = 50_000;

function tick() {
  const now = Date.now();
  const target = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * rate), written + MAX_PER_WRITE);
  if (target > written) {
    const nowS = Math.floor(now / 1000);
    const parts = [];
    for (; written < target; written++) parts.push(line(written, nowS));
    fs.writeSync(fd, `${parts.join('\n')}\n`);
    writes.push([Date.now(), written]);
  }
  if (written >= count) {
    fs.closeSync(fd);
    const first = writes[0];
    const last = writes[writes.length - 1];
    const measuredRate = (last[1] - first[1]) / ((last[0] - first[0]) / 1000);
    process.stdout.write(`${JSON.stringify({ written, measuredRate, writes })}\n`);
    return;
  }
  setTimeout(tick, 2);
}
tick();
