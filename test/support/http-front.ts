/** Starts test/support/chdb-http-server.ts (ClickHouse's HTTP interface over chDB) in its own process. */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, tempDir } from './helpers.js';

export async function startHttpFront(password: string): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('front-'), password],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.on('exit', (c) => reject(new Error(`the HTTP front exited with ${c}`)));
  });
  return { url, process: child };
}
