#!/usr/bin/env node
/**
 * The naive way: readline + JSON.parse + Maps, one pass over the file, then the same figures as
 * `meterscope profile` (see bench/figures.ts). Plain JavaScript, no engine.
 *
 * Usage: node --max-old-space-size=12288 bench/systems/naive.mjs <file.jsonl>
 * Top values are the JSON text of the value (what meterscope reports). V8 Maps hold at most 2^24
 * entries, so the identifier map is split into shards.
 */
import fs from 'node:fs';
import readline from 'node:readline';

const file = process.argv[2];
if (!file) throw new Error('usage: naive.mjs <file.jsonl>');

const SHARDS = 64;
const ids = Array.from({ length: SHARDS }, () => new Map()); // identifier -> first ts, or [ts...] once reused
const shardOf = (s) => {
  let h = 0;
  for (let i = s.length - 1; i >= 0 && i >= s.length - 4; i--) h = (h * 31 + s.charCodeAt(i)) | 0;
  return (h >>> 0) % SHARDS;
};
const perSecond = new Map();
const names = new Map();
const customers = new Map();
const values = new Map(); // "name\tkey" -> Map(json text -> count)
let total = 0;
let missing = 0;
let first = Infinity;
let last = -Infinity;

const inc = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);

const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const e = JSON.parse(line);
  const ts = Number(e.timestamp);
  total++;
  if (ts < first) first = ts;
  if (ts > last) last = ts;
  inc(perSecond, ts);
  inc(names, e.event_name);
  const p = e.payload ?? {};
  const c = p.stripe_customer_id;
  if (c === undefined || c === '') missing++;
  else inc(customers, c);
  for (const k of Object.keys(p)) {
    const key = `${e.event_name}\t${k}`;
    let m = values.get(key);
    if (!m) values.set(key, (m = new Map()));
    inc(m, JSON.stringify(p[k]));
  }
  if (e.identifier) {
    const shard = ids[shardOf(e.identifier)];
    const seen = shard.get(e.identifier);
    if (seen === undefined) shard.set(e.identifier, ts);
    else if (typeof seen === 'number') shard.set(e.identifier, [seen, ts]);
    else seen.push(ts);
  }
}

const byCountThenText = (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const top = (m) => [...m].sort(byCountThenText).slice(0, 10);

// Sliding peaks: windows [s, s + w - 1] starting at each non-empty second; the earliest wins ties.
const secs = [...perSecond.keys()].sort((a, b) => a - b);
const peaks = [1, 10, 60].map((w) => {
  let best = -1;
  let at = 0;
  let sum = 0;
  let j = 0;
  for (let i = 0; i < secs.length; i++) {
    if (i > 0) sum -= perSecond.get(secs[i - 1]);
    while (j < secs.length && secs[j] <= secs[i] + w - 1) sum += perSecond.get(secs[j++]);
    if (sum > best) {
      best = sum;
      at = secs[i];
    }
  }
  return { w, events: best, at };
});

const properties = {};
for (const [key, m] of values) {
  let present = 0;
  for (const c of m.values()) present += c;
  properties[key] = { present, distinct: m.size, top: top(m) };
}

let reused = 0;
let dup24h = 0;
let dup34d = 0;
for (const shard of ids) {
  for (const v of shard.values()) {
    if (typeof v === 'number') continue;
    reused++;
    v.sort((a, b) => a - b);
    for (let i = 1; i < v.length; i++) {
      const gap = v[i] - v[i - 1];
      if (gap <= 86400) dup24h++;
      if (gap <= 34 * 86400) dup34d++;
    }
  }
}

process.stdout.write(
  JSON.stringify({
    total,
    first,
    last,
    names: Object.fromEntries(names),
    peaks,
    customers: { distinct: customers.size, missing, top: top(customers) },
    properties,
    identity: { reused, dup24h, dup34d },
  }) + '\n',
);
