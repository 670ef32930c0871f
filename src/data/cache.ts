/**
 * Where datasets live on disk, and checking that a file there is the one we expect.
 *
 * Cache folder, first match wins: the `dataDir` option (config / --data-dir), the
 * NRELU_BENCH_DATA environment variable, $XDG_CACHE_HOME/nrelu-bench, ~/.cache/nrelu-bench.
 * Each dataset gets its own subfolder (`<cache>/mnist`, `<cache>/fashion-mnist`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RemoteFile } from './catalog.js';
import { IdxFormatError, gunzipIdx, isGzip } from './idx.js';

export function resolveDataDir(dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (dataDir) return path.resolve(dataDir);
  if (env.NRELU_BENCH_DATA) return path.resolve(env.NRELU_BENCH_DATA);
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'nrelu-bench');
  return path.join(os.homedir(), '.cache', 'nrelu-bench');
}

/** The folder of one dataset inside the cache. */
export function datasetDir(dataset: string, dataDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resolveDataDir(dataDir, env), dataset);
}

export function sha256Hex(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export interface Verified {
  ok: boolean;
  /** SHA-256 of the bytes as given. */
  sha256: string;
  /** The decompressed IDX bytes, when ok. */
  idx?: Uint8Array;
}

/** Accepts bytes whose SHA-256 matches the served .gz, or whose decompressed IDX matches `rawSha256`. */
export function verifyBytes(bytes: Uint8Array, spec: RemoteFile): Verified {
  const sha256 = sha256Hex(bytes);
  try {
    if (sha256 === spec.sha256) return { ok: true, sha256, idx: gunzipIdx(bytes) };
    if (!isGzip(bytes)) return sha256 === spec.rawSha256 ? { ok: true, sha256, idx: bytes } : { ok: false, sha256 };
    const idx = gunzipIdx(bytes);
    return sha256Hex(idx) === spec.rawSha256 ? { ok: true, sha256, idx } : { ok: false, sha256 };
  } catch (err) {
    if (err instanceof IdxFormatError) return { ok: false, sha256 };
    throw err;
  }
}

export type LocalLookup =
  | { state: 'ok'; path: string; sha256: string; idx: Uint8Array }
  | { state: 'missing' }
  | { state: 'mismatch'; path: string; sha256: string };

/** The names a file may have on disk: as served (`x.gz`) or unpacked by hand (`x`). */
export function localNames(spec: RemoteFile): string[] {
  return spec.name.endsWith('.gz') ? [spec.name, spec.name.slice(0, -3)] : [spec.name];
}

async function readIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    // A folder where the file belongs is no copy of it either: the loader falls back (package copy, mirrors).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw err;
  }
}

/** Looks for `spec` in `dir` (gzipped or unpacked) and verifies it. */
export async function findLocal(dir: string, spec: RemoteFile): Promise<LocalLookup> {
  let mismatch: LocalLookup | undefined;
  for (const name of localNames(spec)) {
    const file = path.join(dir, name);
    const bytes = await readIfExists(file);
    if (!bytes) continue;
    const v = verifyBytes(bytes, spec);
    if (v.ok && v.idx) return { state: 'ok', path: file, sha256: v.sha256, idx: v.idx };
    mismatch ??= { state: 'mismatch', path: file, sha256: v.sha256 };
  }
  return mismatch ?? { state: 'missing' };
}
