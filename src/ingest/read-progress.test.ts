import { describe, expect, it } from 'vitest';
import { bytesPerLine, processReadBytes } from './read-progress.js';

describe('load progress', () => {
  it('bytes per line from a sample; none without a newline', () => {
    expect(bytesPerLine(Buffer.from('ab\ncd\n'))).toBe(3);
    expect(bytesPerLine(Buffer.from('abc'))).toBeUndefined();
  });

  it('the process read counter grows when a file is read (Linux)', async () => {
    const before = processReadBytes();
    if (before === undefined) return;
    const fs = await import('node:fs');
    fs.readFileSync(process.execPath);
    expect(processReadBytes()! - before).toBeGreaterThanOrEqual(fs.statSync(process.execPath).size);
  });
});
