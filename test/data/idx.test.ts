import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { IdxFormatError, checkImageLabelPair, imageShapeOf, readIdx, type IdxArray } from '../../src/data/idx.js';
import { Rng } from '../../src/rng/index.js';
import { gzip, makeIdx } from './fixtures.js';

const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
  assert.throws(
    () => readIdx(bytes),
    (err: unknown) => err instanceof IdxFormatError && pattern.test(err.message),
  );
};

test('parses raw and gzipped IDX files to the same dims and bytes', () => {
  const data = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i);
  const raw = makeIdx([3, 4, 5], data);
  for (const bytes of [raw, gzip(raw), gzip(raw, 1), gzip(raw, 9)]) {
    const idx = readIdx(bytes);
    assert.deepEqual(idx.dims, [3, 4, 5]);
    assert.deepEqual(Array.from(idx.data), Array.from(data));
  }
  // Raw input is parsed without copying.
  assert.equal(readIdx(raw).data.buffer, raw.buffer);
  assert.deepEqual(readIdx(makeIdx([2], Uint8Array.of(7, 9))).dims, [2]);
});

test('rejects a wrong magic number', () => {
  rejects(Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 1, 5), /wrong magic number 01 00 08 01/);
  rejects(Buffer.from('PK\x03\x04 not an idx file'), /wrong magic/);
  rejects(Uint8Array.of(0, 0, 8), /shorter than the 4-byte magic/);
  rejects(new Uint8Array(0), /shorter than the 4-byte magic/);
});

test('rejects element types other than unsigned byte', () => {
  rejects(makeIdx([2], new Uint8Array(8), 0x0d), /element type 0x0d \(float32\).*only unsigned byte/);
  rejects(makeIdx([2], new Uint8Array(2), 0x09), /element type 0x09 \(signed byte\)/);
  rejects(makeIdx([2], new Uint8Array(2), 0x42), /element type 0x42 \(unknown\)/);
});

test('rejects zero, absurd and missing dimensions', () => {
  rejects(makeIdx([3, 0, 5], new Uint8Array(0)), /dimension 1 is zero/);
  rejects(makeIdx([], new Uint8Array(0)), /declares 0 dimensions/);
  rejects(Uint8Array.of(0, 0, 8, 200, 0, 0, 0, 1), /declares 200 dimensions/);
  rejects(makeIdx([0xffffffff, 0xffffffff, 28], new Uint8Array(0)), /declare more than \d+ bytes/);
  rejects(makeIdx([60000, 28, 28], new Uint8Array(10)), /truncated IDX data/);
  assert.throws(() => readIdx(makeIdx([100, 100], new Uint8Array(10000)), 5000), /declare more than 5000 bytes/);
  rejects(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /truncated IDX header: 8 bytes, need 16/);
});

test('rejects truncated data, raw and gzipped', () => {
  const raw = makeIdx([10, 28, 28], new Uint8Array(7840).fill(3));
  rejects(
    raw.subarray(0, raw.length - 1),
    /truncated IDX data: dimensions \[10, 28, 28\] need 7840 bytes after the header, found 7839/,
  );
  const gz = gzip(raw);
  rejects(gz.subarray(0, gz.length - 10), /truncated gzip data/);
  rejects(gz.subarray(0, 12), /truncated gzip data/);
  // A complete gzip stream holding too few bytes.
  rejects(gzip(raw.subarray(0, 5000)), /truncated IDX data/);
});

test('rejects trailing garbage, raw and gzipped', () => {
  const raw = makeIdx([2, 2], Uint8Array.of(1, 2, 3, 4));
  rejects(Buffer.concat([raw, Buffer.from([0])]), /trailing garbage: 1 bytes after the 4 bytes of data/);
  rejects(
    gzip(Buffer.concat([raw, Buffer.alloc(100)])),
    /trailing garbage: gzip data decompresses to more than the 16 bytes/,
  );
  rejects(Buffer.concat([gzip(raw), Buffer.from('junk after the stream')]), /corrupt gzip data|trailing garbage/);
});

test('a gzip bomb is refused at the size its header declares', () => {
  // Header says 7,840 bytes; the stream inflates to 64 MB of zeros. maxOutputLength stops it early.
  const bomb = zlib.gzipSync(Buffer.concat([makeIdx([10, 28, 28], new Uint8Array(0)), Buffer.alloc(64 << 20)]), {
    level: 9,
  });
  const before = process.memoryUsage().arrayBuffers;
  rejects(bomb, /trailing garbage: gzip data decompresses to more than the 7856 bytes/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 32 << 20, 'no 64 MB allocation');
});

test('checkImageLabelPair: count mismatch, labels outside the classes, wrong shapes', () => {
  const img = (n: number, r = 28, c = 28): IdxArray => ({ dims: [n, r, c], data: new Uint8Array(n * r * c) });
  const lab = (...ys: number[]): IdxArray => ({ dims: [ys.length], data: Uint8Array.from(ys) });
  const mnist = { shape: [28, 28, 1], classes: 10 } as const;
  assert.equal(checkImageLabelPair(img(3), lab(0, 9, 5), 'data', mnist), 3);
  assert.throws(
    () => checkImageLabelPair(img(3), lab(0, 1), 'train', mnist),
    /train: label count 2 does not match image count 3/,
  );
  assert.throws(() => checkImageLabelPair(img(2), lab(0, 10), 'data', mnist), /label 10 at index 1 is outside 0-9/);
  assert.throws(() => checkImageLabelPair(img(2), lab(255, 1), 'data', mnist), /label 255 at index 0 is outside 0-9/);
  assert.throws(
    () => checkImageLabelPair(img(2, 32, 32), lab(0, 1), 'data', mnist),
    /dimensions \[2, 32, 32\], expected \[n, 28, 28\]/,
  );
  assert.throws(
    () => checkImageLabelPair(img(2), { dims: [2, 1], data: new Uint8Array(2) }, 'data', mnist),
    /label file has dimensions \[2, 1\]/,
  );
  // Without a shape, any [n, h, w] or [n, h, w, c] image file; a 4-d one has its channels.
  const rgb: IdxArray = { dims: [2, 32, 32, 3], data: new Uint8Array(2 * 32 * 32 * 3) };
  assert.equal(checkImageLabelPair(rgb, lab(99, 0), 'data', { classes: 100 }), 2);
  assert.deepEqual(imageShapeOf(rgb), [32, 32, 3]);
  assert.deepEqual(imageShapeOf(img(1, 5, 7)), [5, 7, 1]);
  assert.throws(
    () => checkImageLabelPair(rgb, lab(0, 1), 'data', { shape: [32, 32, 1], classes: 10 }),
    /dimensions \[2, 32, 32, 3\], expected \[n, 32, 32\]/,
  );
  assert.throws(
    () => imageShapeOf({ dims: [2, 4], data: new Uint8Array(8) }, 'train'),
    /train: image file has dimensions \[2, 4\], expected \[n, height, width\] or \[n, height, width, channels\]/,
  );
});

test('fuzz: random, truncated and corrupted buffers throw IdxFormatError or parse consistently', () => {
  const rng = new Rng(20251111);
  const valid = [
    makeIdx(
      [5, 28, 28],
      new Uint8Array(5 * 784).map(() => rng.int(256)),
    ),
    makeIdx(
      [17],
      new Uint8Array(17).map(() => rng.int(10)),
    ),
    makeIdx([3, 2, 2, 2], new Uint8Array(24)),
  ];
  const seeds = [...valid, ...valid.map((v) => gzip(v))];
  let parsed = 0;
  let rejected = 0;
  const check = (bytes: Uint8Array): void => {
    try {
      const idx = readIdx(bytes);
      assert.equal(
        idx.data.length,
        idx.dims.reduce((a, b) => a * b, 1),
      );
      parsed++;
    } catch (err) {
      assert.ok(err instanceof IdxFormatError, `unexpected ${String(err)}`);
      assert.ok(err.message.length > 10 && !err.message.includes('\n'));
      rejected++;
    }
  };
  for (let i = 0; i < 4000; i++) {
    const kind = i % 4;
    const base = seeds[rng.int(seeds.length)];
    if (kind === 0) {
      // Pure noise, sometimes with a plausible IDX or gzip prefix.
      const noise = new Uint8Array(rng.int(200)).map(() => rng.int(256));
      const prefix = [[], [0, 0, 8, 1 + rng.int(4)], [0x1f, 0x8b, 8, 0]][rng.int(3)];
      check(Uint8Array.from([...prefix, ...noise]));
    } else if (kind === 1) {
      check(base.subarray(0, rng.int(base.length + 1))); // truncation
    } else if (kind === 2) {
      const copy = Uint8Array.from(base); // a few flipped bytes
      for (let k = 0, n = 1 + rng.int(4); k < n; k++) copy[rng.int(copy.length)] ^= 1 + rng.int(255);
      check(copy);
    } else {
      const extra = new Uint8Array(1 + rng.int(20)).map(() => rng.int(256)); // appended bytes
      check(Uint8Array.from([...base, ...extra]));
    }
  }
  assert.equal(parsed + rejected, 4000);
  assert.ok(rejected > 3000, `most cases are rejected (${rejected})`);
});
