import { describe, expect, it } from 'vitest';
import { SqlParams } from '../store/sql.js';
import { clusterLayout } from '../store/layout.js';
import { invocationSecrets } from '../secrets/scrubber.js';
import { exactUrl, objectName, objectNameSql, parseRemote, tableFunction } from './remote-source.js';

const LINES = { format: 'LineAsString', structure: 'l String', compression: 'auto' };

describe('remote names', () => {
  it('maps s3:// to AWS (virtual-hosted) or a path-style endpoint, gs:// to Google, keeping s3://bucket/key names', () => {
    expect(parseRemote('s3://acme-exports/a/*.jsonl.gz')).toMatchObject({ engine: 's3', url: 'https://acme-exports.s3.amazonaws.com/a/*.jsonl.gz', pattern: true });
    const minio = parseRemote('s3://exports/a/x.jsonl', { endpoint: 'http://127.0.0.1:9000' });
    expect(minio).toMatchObject({ url: 'http://127.0.0.1:9000/exports/a/x.jsonl', pattern: false });
    expect(objectName({ input: minio, path: 'exports/a/x.jsonl' })).toBe('s3://exports/a/x.jsonl');
    const gs = parseRemote('gs://bkt/logs/{00..03}.jsonl');
    expect(gs.url).toBe('https://storage.googleapis.com/bkt/logs/{00..03}.jsonl');
    expect(objectName({ input: gs, path: 'bkt/logs/01.jsonl' })).toBe('gs://bkt/logs/01.jsonl');
  });

  it('refuses bad buckets, names without a key and endpoints with credentials in one sentence', () => {
    expect(() => parseRemote('s3://b/x.jsonl')).toThrow(/"b" is not a bucket name/);
    expect(() => parseRemote('s3://bucket')).toThrow(/name the objects too/);
    expect(() => parseRemote('s3://bucket/x', { endpoint: 'http://u:p@host:9000' })).toThrow(/must not carry credentials/);
    expect(() => parseRemote('s3://bucket/x', { endpoint: 'ftp://host' })).toThrow(/http:\/\/ or https:\/\/ base URL/);
  });

  it('masks a URL password and signed query values in the name, and registers them with the scrubber', () => {
    const web = parseRemote('https://bob:pa55word-x@files.example.com/d/{a,b}.jsonl?X-Amz-Signature=abcdef123456&v=2');
    expect(web.display).toBe('https://files.example.com/d/{a,b}.jsonl?X-Amz-Signature=***&v=2');
    expect(objectName({ input: web, path: '/d/a.jsonl' })).toBe('https://files.example.com/d/a.jsonl?X-Amz-Signature=***&v=2');
    expect(exactUrl(web, '/d/a.jsonl').url).toBe('https://bob:pa55word-x@files.example.com/d/a.jsonl?X-Amz-Signature=abcdef123456&v=2');
    expect(invocationSecrets.scrub('pa55word-x abcdef123456')).toBe('*** ***');
  });
});

describe('table functions: where credentials appear', () => {
  const input = parseRemote('s3://exports/a/*.jsonl', { endpoint: 'http://127.0.0.1:9000' });

  it('keys from the environment are quoted literals in the statement, the URL a bound parameter', () => {
    const params = new SqlParams();
    const sql = tableFunction(input, { keys: { id: 'AKID', secret: "se'cr\\et", token: 'tok' } }, params, LINES);
    expect(sql).toBe("s3({p0:String}, 'AKID', 'se\\'cr\\\\et', 'tok', 'LineAsString', 'l String', 'auto')");
    expect(params.values).toEqual({ p0: 'http://127.0.0.1:9000/exports/a/*.jsonl' });
  });

  it('a named collection is named, unsigned reads say NOSIGN, and none leaves the engine its own credentials', () => {
    expect(tableFunction(input, { collection: 'exports_ro' }, new SqlParams(), LINES)).toBe(
      "s3(exports_ro, url = {p0:String}, format = 'LineAsString', structure = 'l String', compression_method = 'auto')",
    );
    expect(() => tableFunction(input, { collection: 'x; DROP' }, new SqlParams(), LINES)).toThrow(/named collection's name/);
    expect(tableFunction(input, { noSign: true }, new SqlParams(), { format: 'One' })).toBe("s3({p0:String}, NOSIGN, 'One')");
    expect(tableFunction(input, {}, new SqlParams(), { format: 'One' })).toBe("s3({p0:String}, 'One')");
  });

  it("a cluster store's reader wraps the same arguments, so every node reads a share", () => {
    const reader = clusterLayout('logs', 'meterscope').objectStorageRead;
    expect(tableFunction(input, { noSign: true }, new SqlParams(), { ...LINES, reader })).toBe(
      "s3Cluster('logs', {p0:String}, NOSIGN, 'LineAsString', 'l String', 'auto')",
    );
    expect(tableFunction(input, { collection: 'exports_ro' }, new SqlParams(), { ...LINES, reader })).toMatch(/^s3Cluster\('logs', exports_ro, url = /);
  });

  it('a url() URL, which may hold credentials, travels in the statement and never as a parameter', () => {
    const params = new SqlParams();
    const web = parseRemote("http://u:pw'1234@127.0.0.1:8080/x.jsonl");
    expect(tableFunction(web, {}, params, LINES)).toBe("url('http://u:pw\\'1234@127.0.0.1:8080/x.jsonl', 'LineAsString', 'l String', 'auto')");
    expect(params.values).toEqual({});
    expect(objectNameSql(web, params)).toContain('_path');
  });
});
