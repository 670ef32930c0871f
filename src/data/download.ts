/**
 * Downloads a dataset file from a list of mirrors into the cache, verified by SHA-256.
 *
 * The body goes to a temporary file in the destination folder and is renamed into place only
 * after its digest matches, so a cut connection, a timeout or a corrupt mirror never leaves a
 * bad cache entry (rename within one folder is atomic).
 */
import { writeFileAtomic } from '../atomic-write.js';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { RemoteFile } from './catalog.js';
import { verifyBytes } from './cache.js';

export interface DownloadOptions {
  /** Base URLs tried in order; the file's URL is base + name. */
  mirrors: string[];
  /** Abort a request after this long without any data (default 30 s). */
  timeoutMs?: number;
  /** Show a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
}

export interface Downloaded {
  path: string;
  url: string;
  sha256: string;
  /** Decompressed IDX bytes, verified. */
  idx: Uint8Array;
}

/** Every mirror failed; `failures` has one line per URL tried. */
export class DownloadError extends Error {
  constructor(
    readonly file: string,
    readonly failures: string[],
  ) {
    super(`could not download ${file}: ${failures.length > 0 ? failures.join('; ') : 'no mirrors to try'}`);
    this.name = 'DownloadError';
  }
}

export const DEFAULT_TIMEOUT_MS = 30_000;

function mirrorUrl(base: string, name: string): string {
  return new URL(name, base.endsWith('/') ? base : `${base}/`).href;
}

interface Progress {
  update(bytes: number): void;
  stop(): void;
}

function makeProgress(enabled: boolean, name: string, total: number): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${name} [{bar}] {percentage}% {value}/{total} bytes`, stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (n) => bar.update(Math.min(n, total)), stop: () => bar.stop() };
}

interface Fetched {
  body: Buffer;
  url: string;
}

/** GET `url` into memory (bounded by `cap`), following redirects; rejects on anything but a complete 200. */
function fetchBody(
  url: string,
  opts: Required<Omit<DownloadOptions, 'mirrors'>>,
  cap: number,
  progress: Progress,
  redirects = 0,
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!lib) return reject(new Error(`unsupported protocol ${u.protocol}`));
    let timedOut = false;
    // agent: false: one connection per file, nothing pooled that could keep the process alive.
    const req = lib.get(
      u,
      { agent: false, headers: { 'user-agent': 'nrelu-bench', 'accept-encoding': 'identity' } },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirects >= opts.maxRedirects) return reject(new Error(`more than ${opts.maxRedirects} redirects`));
          const next = new URL(res.headers.location, u).href;
          fetchBody(next, opts, cap, progress, redirects + 1).then(resolve, reject);
          return;
        }
        if (status !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`));
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > cap) {
          res.destroy();
          return reject(new Error(`server announces ${declared} bytes, more than the ${cap} expected`));
        }
        const chunks: Buffer[] = [];
        let received = 0;
        let tooBig: Error | undefined;
        const cut = (): Error =>
          new Error(
            timedOut
              ? `no data for ${opts.timeoutMs} ms`
              : `connection closed after ${received}${Number.isFinite(declared) ? ` of ${declared}` : ''} bytes`,
          );
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > cap) {
            tooBig = new Error(`body exceeds ${cap} bytes`);
            res.destroy(tooBig);
            return;
          }
          chunks.push(chunk);
          progress.update(received);
        });
        res.on('error', () => reject(tooBig ?? cut()));
        res.on('close', () => {
          // 'close' without a complete message means the connection was cut.
          if (!res.complete || (Number.isFinite(declared) && received !== declared)) return reject(tooBig ?? cut());
          resolve({ body: Buffer.concat(chunks, received), url });
        });
      },
    );
    req.setTimeout(opts.timeoutMs, () => {
      timedOut = true;
      req.destroy(new Error(`no data for ${opts.timeoutMs} ms`));
    });
    req.on('error', (err) => reject(timedOut ? new Error(`no data for ${opts.timeoutMs} ms`) : err));
  });
}

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describe).join(', ');
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : String(e.message ?? err);
}

/**
 * Downloads `spec` into `dir` from the first mirror that serves it with the right SHA-256.
 * Throws DownloadError listing each mirror's failure when none does.
 */
export async function downloadFile(spec: RemoteFile, dir: string, options: DownloadOptions): Promise<Downloaded> {
  const opts = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    progress: options.progress ?? process.stderr.isTTY === true,
    maxRedirects: options.maxRedirects ?? 5,
  };
  // Room for a recompressed copy, never an endless body.
  const cap = spec.size * 2 + (1 << 20);
  const dest = path.join(dir, spec.name);
  await fs.mkdir(dir, { recursive: true });
  const failures: string[] = [];
  for (const base of options.mirrors) {
    const url = mirrorUrl(base, spec.name);
    const progress = makeProgress(opts.progress, spec.name, spec.size);
    let fetched: Fetched;
    try {
      fetched = await fetchBody(url, opts, cap, progress);
    } catch (err) {
      failures.push(`${url}: ${describe(err)}`);
      continue;
    } finally {
      progress.stop();
    }
    const v = verifyBytes(fetched.body, spec);
    if (!v.ok || !v.idx) {
      failures.push(`${url}: SHA-256 mismatch (got ${v.sha256}, expected ${spec.sha256})`);
      continue;
    }
    await writeFileAtomic(dest, fetched.body);
    return { path: dest, url: fetched.url, sha256: v.sha256, idx: v.idx };
  }
  throw new DownloadError(spec.name, failures);
}
