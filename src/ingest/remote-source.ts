/**
 * Inputs the engine reads itself, from object storage or the web: `s3://bucket/key`, `gs://bucket/key`
 * (Google Cloud Storage through its S3-compatible endpoint) and `http(s)://` URLs. A name becomes an
 * s3() or url() table-function call. Keys may be patterns, expanded by the engine's own listing
 * (ClickHouse globs: `*`, `**`, `?`, `{a,b}`, `{00..03}`): object stores have no shell to expand them.
 *
 * Credentials (a named collection's name aside) travel in the statement's text, never as bound
 * parameters: a server's HTTP parameters ride in the request URL, which proxies log. Names shown or
 * stored never carry them.
 */
import { UserError } from '../errors.js';
import { invocationSecrets } from '../secrets/scrubber.js';
import type { SqlParams } from '../store/sql.js';

/** How the engine reaches object storage (resolved from flags and environment by the command). */
export interface ObjectStorageAccess {
  /** S3-compatible endpoint for s3:// names, addressed path-style (MinIO, s3rver): http(s)://host[:port]. */
  endpoint?: string;
  /** A named collection made by the ClickHouse admin, holding the credentials. */
  collection?: string;
  /** Keys from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
  keys?: { id: string; secret: string; token?: string };
  /** Unsigned requests (a public bucket): no credentials at all, not even the engine's own. */
  noSign?: boolean;
}

export interface RemoteInput {
  /** The name as the user gave it, safe to print (no password, signed query values masked). */
  display: string;
  engine: 's3' | 'url';
  /** What the engine reads (a url() URL may carry credentials: user:password@, a signed query). */
  url: string;
  /** True when the key or path holds a pattern the engine expands. */
  pattern: boolean;
  /** url(): the URL before its path (credentials kept) and its query, to name one listed object exactly. */
  parts?: { base: string; query: string };
  /**
   * An object's name is `prefix + path + suffix`, `path` being the engine's `_path` less `strip`:
   * s3://bucket/key for object storage, the URL (credentials masked) for the web.
   */
  name: { prefix: string; strip: string; suffix: string };
}

/** One object of a remote input, as listed by the engine (`path` is its `_path`). */
export interface RemoteObject {
  input: RemoteInput;
  path: string;
  /** Bytes as listed (unknown for URLs). */
  size?: number;
}

const REMOTE = /^(s3|gs|https?):\/\//i;
const PATTERN = /[*?{}]/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const COLLECTION = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Query-string keys whose values are credentials (pre-signed S3 / GCS URLs, SAS tokens, API keys). */
const SIGNED = /sig|signature|token|credential|secret|key|auth|password/i;

/** True for a name meterscope reads through the engine rather than from this machine. */
export const isRemoteName = (arg: string): boolean => REMOTE.test(arg);

/** Parses `s3://`, `gs://` or `http(s)://` into what the engine reads; a malformed name is one sentence. */
export function parseRemote(arg: string, access: ObjectStorageAccess = {}): RemoteInput {
  const scheme = REMOTE.exec(arg)?.[1].toLowerCase();
  if (scheme === 's3' || scheme === 'gs') return objectStorageInput(scheme, arg, access);
  if (scheme === 'http' || scheme === 'https') return webInput(arg);
  throw new UserError(`${arg}: not an s3://, gs:// or http(s):// name`);
}

function objectStorageInput(scheme: 's3' | 'gs', arg: string, access: ObjectStorageAccess): RemoteInput {
  const rest = arg.slice(scheme.length + 3);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) throw new UserError(`${arg}: "${bucket}" is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)`);
  if (!key) throw new UserError(`${arg}: name the objects too, e.g. ${scheme}://${bucket}/exports/*.jsonl.gz`);
  const base = scheme === 'gs' ? 'https://storage.googleapis.com' : access.endpoint ? endpointUrl(access.endpoint) : undefined;
  // Without an endpoint, AWS's virtual-hosted address (as ClickHouse maps s3:// names itself).
  const url = base ? `${base}/${bucket}/${key}` : `https://${bucket}.s3.amazonaws.com/${key}`;
  return { display: arg, engine: 's3', url, pattern: PATTERN.test(key), name: { prefix: `${scheme}://${bucket}/`, strip: `${bucket}/`, suffix: '' } };
}

/** --s3-endpoint / METERSCOPE_S3_ENDPOINT: an http(s) base URL without credentials, no trailing slash. */
export function endpointUrl(endpoint: string): string {
  let u: URL | undefined;
  try {
    u = new URL(endpoint);
  } catch {
    /* reported below */
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
    throw new UserError(`--s3-endpoint / METERSCOPE_S3_ENDPOINT must be an http:// or https:// base URL like http://127.0.0.1:9000, got "${endpoint}"`);
  }
  if (u.username || u.password)
    throw new UserError('--s3-endpoint / METERSCOPE_S3_ENDPOINT must not carry credentials; use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or --s3-collection');
  return u.toString().replace(/\/+$/, '');
}

function webInput(arg: string): RemoteInput {
  let u: URL;
  try {
    u = new URL(arg);
  } catch {
    throw new UserError(`${arg}: not a URL`);
  }
  // A password or signed query value is a credential: masked wherever it could be printed or stored.
  invocationSecrets.add(u.password).add(safeDecode(u.password));
  const pairs = [...u.searchParams].map(([k, v]) => {
    if (SIGNED.test(k)) invocationSecrets.add(v).add(encodeURIComponent(v));
    return `${encodeURIComponent(k)}=${SIGNED.test(k) ? '***' : encodeURIComponent(v)}`;
  });
  const suffix = pairs.length ? `?${pairs.join('&')}` : '';
  // Taken from the text as given: the URL parser would percent-encode the engine's {a,b} patterns.
  const [, scheme, authority, path, query] = /^(https?):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(arg)!;
  const prefix = `${scheme.toLowerCase()}://${authority.replace(/^.*@/, '')}`;
  const parts = { base: `${scheme}://${authority}`, query: query ?? '' };
  return { display: `${prefix}${path}${suffix}`, engine: 'url', url: arg, pattern: PATTERN.test(path), parts, name: { prefix, strip: '', suffix } };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * One listed object of a url() pattern as its own URL: the engine tells compression by the name it
 * reads, and a pattern's name ends in the pattern. Object storage keeps its pattern (read per object).
 */
export function exactUrl(input: RemoteInput, path: string): RemoteInput {
  if (!input.parts || !input.pattern) return input;
  return { ...input, url: `${input.parts.base}${path}${input.parts.query}`, pattern: false };
}

/** The printable, stored name of one listed object (the SQL twin is `objectNameSql`). */
export function objectName(obj: RemoteObject): string {
  const { prefix, strip, suffix } = obj.input.name;
  return `${prefix}${strip && obj.path.startsWith(strip) ? obj.path.slice(strip.length) : obj.path}${suffix}`;
}

/** SQL for each row's object name, from the `_path` virtual column (as `objectName` does in Node). */
export function objectNameSql(input: RemoteInput, params: SqlParams): string {
  const { prefix, strip, suffix } = input.name;
  const s = params.add(strip);
  return `concat(${params.add(prefix)}, if(${s} != '' AND startsWith(_path, ${s}), substring(_path, length(${s}) + 1), _path), ${params.add(suffix)})`;
}

export interface TableRead {
  /** ClickHouse input format, e.g. LineAsString or One (a listing without reading). */
  format: string;
  structure?: string;
  /** none, gzip, zstd, or auto (by the object's extension). */
  compression?: string;
  /** Wraps the s3 arguments in the store's reader: s3(…) on one node, s3Cluster(…) so every node of a cluster reads a share. */
  reader?: (args: string) => string;
}

/** The s3() / url() call that reads `input` with `read`; its URL is bound unless it may hold credentials. */
export function tableFunction(input: RemoteInput, access: ObjectStorageAccess, params: SqlParams, read: TableRead): string {
  const tail = [read.format, read.structure, read.structure ? (read.compression ?? 'auto') : undefined].filter((x): x is string => x !== undefined);
  if (input.engine === 'url') return `url(${literal(input.url)}, ${tail.map(literal).join(', ')})`;
  const s3 = read.reader ?? ((args: string) => `s3(${args})`);
  const url = params.add(input.url);
  if (access.collection) {
    if (!COLLECTION.test(access.collection))
      throw new UserError(`--s3-collection must be a named collection's name (letters, digits, underscores), got "${access.collection}"`);
    const named = [`url = ${url}`, `format = ${literal(read.format)}`];
    if (read.structure) named.push(`structure = ${literal(read.structure)}`, `compression_method = ${literal(read.compression ?? 'auto')}`);
    return s3(`${access.collection}, ${named.join(', ')}`);
  }
  const auth = access.keys ? [access.keys.id, access.keys.secret, ...(access.keys.token ? [access.keys.token] : [])].map(literal) : access.noSign ? ['NOSIGN'] : [];
  return s3([url, ...auth, ...tail.map(literal)].join(', '));
}

/** A ClickHouse string literal: for text that must travel in the statement itself (credentials). */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
