import { describe, expect, it } from 'vitest';
import { objectStorageFrom } from './object-storage.js';

describe('object-storage access from flags and environment', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret-value', AWS_SESSION_TOKEN: 'tok' };

  it('prefers a named collection, then unsigned, then keys from the environment, else nothing', () => {
    expect(objectStorageFrom({ s3Collection: 'exports_ro' }, env)).toEqual({ collection: 'exports_ro' });
    expect(objectStorageFrom({ s3NoSign: true }, env)).toEqual({ noSign: true });
    expect(objectStorageFrom({}, env)).toEqual({ keys: { id: 'AKID', secret: 'secret-value', token: 'tok' } });
    expect(objectStorageFrom({}, {})).toEqual({});
  });

  it('takes the endpoint from the flag or METERSCOPE_S3_ENDPOINT', () => {
    expect(objectStorageFrom({ s3Endpoint: 'http://127.0.0.1:9000/' }, {})).toEqual({ endpoint: 'http://127.0.0.1:9000' });
    expect(objectStorageFrom({}, { METERSCOPE_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com' })).toEqual({ endpoint: 'https://s3.eu-west-1.amazonaws.com' });
  });

  it('refuses half-set keys and contradictory flags in one sentence', () => {
    expect(() => objectStorageFrom({}, { AWS_ACCESS_KEY_ID: 'AKID' })).toThrow(/AWS_SECRET_ACCESS_KEY is not set/);
    expect(() => objectStorageFrom({ s3Collection: 'c', s3NoSign: true }, {})).toThrow(/exclude each other/);
  });
});
