// Module resolve hook (runs on the loader thread; writeSync reaches the process's stderr directly).
import fs from 'node:fs';

export async function resolve(specifier, context, next) {
  if (specifier === 'vega' || specifier === 'vega-lite') fs.writeSync(2, `trace: imported ${specifier}\n`);
  return next(specifier, context);
}
