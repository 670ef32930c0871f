/** Synthetic IDX files for the data tests: generated here, never committed. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Rng } from '../../src/rng/index.js';

/** An IDX file: magic 00 00 <type> <ndims>, big-endian dims, then `data`. */
export function makeIdx(dims: number[], data: Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d >>> 0, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

export interface SyntheticSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export function syntheticSplit(count: number, seed: number): SyntheticSplit {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * 784);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i % 10;
  return { pixels, labels, count };
}

/** The four files' raw IDX bytes, keyed by their standard (unpacked) names. */
export function syntheticFiles(train: SyntheticSplit, test: SyntheticSplit): Record<string, Buffer> {
  return {
    'train-images-idx3-ubyte': makeIdx([train.count, 28, 28], train.pixels),
    'train-labels-idx1-ubyte': makeIdx([train.count], train.labels),
    't10k-images-idx3-ubyte': makeIdx([test.count, 28, 28], test.pixels),
    't10k-labels-idx1-ubyte': makeIdx([test.count], test.labels),
  };
}

export function gzip(bytes: Uint8Array, level = 6): Buffer {
  return zlib.gzipSync(bytes, { level });
}

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

const made: string[] = [];

/** A fresh temporary folder, removed by removeTempDirs(). */
export function tempDir(prefix = 'nrelu-data-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` into `dir`, gzipped (with a .gz suffix) or raw. */
export function writeFiles(dir: string, files: Record<string, Buffer>, gzipped: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, gzipped ? `${name}.gz` : name), gzipped ? gzip(bytes) : bytes);
  }
}
