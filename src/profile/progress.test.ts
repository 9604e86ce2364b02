import { describe, expect, it } from 'vitest';
import { loadNote } from './progress.js';

describe('load progress note', () => {
  it('the note: bytes of the total, lines/s and time left once a second has passed', () => {
    expect(loadNote('f', 2048)).toBe('f 2.0 KiB');
    expect(loadNote('f', 0, { total: 1 << 20, seconds: 0.5 })).toBe('0 B / 1.0 MiB (0 %)');
    expect(loadNote('f', 100 << 20, { total: 300 << 20, seconds: 2, perLine: 320 })).toBe('100.0 MiB / 300.0 MiB (33 %) · 164 k lines/s · 4 s left');
  });
});
