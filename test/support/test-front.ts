/** The ClickHouse-HTTP test front (chdb-http-server.ts) in a child process, for suites that need a "server". */
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, tempDir } from './helpers.js';

export interface TestFront {
  /** http://127.0.0.1:<port> */
  url: string;
  stop: () => void;
}

/** Starts the front on a free loopback port with its own data directory; resolves once it listens. */
export function startTestFront(password: string): Promise<TestFront> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/support/chdb-http-server.ts'), tempDir('shim-'), password],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, stop: () => child.kill() });
    });
    child.on('exit', (c) => reject(new Error(`test front exited ${c}`)));
  });
}
