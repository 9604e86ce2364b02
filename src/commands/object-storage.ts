/**
 * Flags and environment for inputs the engine reads from object storage (s3://, gs://): endpoint and
 * credentials, best first — none (the engine's own role or environment), an admin-made named
 * collection, or keys from the environment. Keys are never taken from argv (ps shows argv).
 */
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { endpointUrl, type ObjectStorageAccess } from '../ingest/remote-source.js';

export interface ObjectStorageFlags {
  s3Endpoint?: string;
  s3Collection?: string;
  s3NoSign?: boolean;
}

export function addObjectStorageOptions(cmd: Command): Command {
  return cmd
    .option('--s3-endpoint <url>', 'S3-compatible endpoint for s3:// inputs, addressed path-style (MinIO, a regional endpoint; env METERSCOPE_S3_ENDPOINT)')
    .option('--s3-collection <name>', "read s3:// and gs:// inputs with the credentials of this ClickHouse named collection (made by the server's admin)")
    .option('--s3-no-sign', 'read s3:// and gs:// inputs unsigned (public buckets)');
}

/** Access from flags and environment; AWS_* keys are used only when no collection or --s3-no-sign is named. */
export function objectStorageFrom(flags: ObjectStorageFlags, env: NodeJS.ProcessEnv = process.env): ObjectStorageAccess {
  const endpoint = flags.s3Endpoint ?? (env.METERSCOPE_S3_ENDPOINT || undefined);
  const access: ObjectStorageAccess = endpoint ? { endpoint: endpointUrl(endpoint) } : {};
  if (flags.s3Collection !== undefined && flags.s3NoSign)
    throw new UserError('--s3-collection and --s3-no-sign exclude each other: a named collection signs with its keys');
  if (flags.s3Collection !== undefined) return { ...access, collection: flags.s3Collection };
  if (flags.s3NoSign) return { ...access, noSign: true };
  const id = env.AWS_ACCESS_KEY_ID || undefined;
  const secret = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (!id && !secret) return access;
  if (!id || !secret)
    throw new UserError(`${id ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither`);
  return { ...access, keys: { id, secret, ...(env.AWS_SESSION_TOKEN ? { token: env.AWS_SESSION_TOKEN } : {}) } };
}
