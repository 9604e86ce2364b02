import { describe, expect, it } from 'vitest';
import { compressRequests } from './server.js';

describe('request compression', () => {
  it('is off for a server on this machine and gzip level 1 for any other', () => {
    for (const url of ['http://localhost:8123', 'http://127.0.0.1:8123', 'http://127.1.2.3:8123/', 'http://[::1]:8123', 'https://user:pw@localhost:8443']) {
      expect(compressRequests(url), url).toBe(false);
    }
    for (const url of [
      'http://clickhouse:8123',
      'https://abc.clickhouse.cloud:8443',
      'http://10.0.0.5:8123',
      'http://128.0.0.1:8123',
      'http://localhost.example.com:8123',
    ]) {
      expect(compressRequests(url), url).toEqual({ codec: 'gzip', level: 1 });
    }
  });
});
