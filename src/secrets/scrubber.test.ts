import { describe, expect, it } from 'vitest';
import { Scrubber } from './scrubber.js';

describe('Scrubber', () => {
  const secret = 'p@ss w/rd+Secret';
  const s = new Scrubber().add(secret, 'meterscope');
  const b64 = (x: string) => Buffer.from(x).toString('base64');

  it.each([
    ['plain', `password is ${secret}!`],
    ['URL-encoded', `url?pw=${encodeURIComponent(secret)}&x=1`],
    ['base64', `echo ${b64(secret)}`],
    ['Basic auth', `Authorization: Basic ${b64(`meterscope:${secret}`)}`],
    ['Basic auth unpadded', `auth=${b64(`meterscope:${secret}`).replace(/=+$/, '')}`],
  ])('masks the %s form', (_form, text) => {
    const out = s.scrub(text);
    expect(out).toContain('***');
    for (const leak of [secret, encodeURIComponent(secret), b64(secret), b64(`meterscope:${secret}`).replace(/=+$/, '')]) expect(out).not.toContain(leak);
  });

  it('masks key-shaped text nobody registered', () => {
    const out = new Scrubber().scrub('keys sk_test_51HabcdefGHIJ and rk_live_ZZZZyyyyXXXX, header Bearer abc.def-123_456');
    expect(out).toBe('keys *** and ***, header Bearer ***');
  });

  it('leaves ordinary text alone and ignores trivially short secrets', () => {
    expect(new Scrubber().add('ab').scrub('about abc')).toBe('about abc');
    expect(s.scrub('nothing secret here: sk_ is a prefix')).toBe('nothing secret here: sk_ is a prefix');
  });
});
