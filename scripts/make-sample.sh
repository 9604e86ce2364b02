#!/usr/bin/env bash
# Regenerates examples/stripe-meter-events.jsonl.gz byte for byte (same seed, same engine, same bytes):
# one day of Stripe meter events (S3-connector / API object shape), 100,000 events from 300
# customers, three event names, region/model/tier dimensions, a high-cardinality user_id,
# bursts at 60 events/s, and a few duplicates, late arrivals and malformed lines.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli.js ] || npm run build
data_dir="$(mktemp -d)"
trap 'rm -rf "$data_dir"' EXIT
node bin/meterscope.js generate \
  --format stripe-json \
  --events 100000 --duration 1d --start 2025-03-03T00:00:00Z \
  --peak-rate 60 \
  --customers 300 \
  --event-names api_request:6,tokens:3,image_generation:1 \
  --property region:8:1 --property model:12:0.8 --property tier:4:1 --property user_id:20000:0.9 \
  --value-range 1:1000 \
  --duplicate-rate 0.002 --malformed-rate 0.0003 --late-rate 0.005 --late-max 30m \
  --seed 2025 \
  --compression-level 9 \
  --data-dir "$data_dir" \
  -o examples/stripe-meter-events.jsonl.gz
