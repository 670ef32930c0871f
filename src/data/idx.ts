/**
 * IDX file parsing (the format of the MNIST family): a 4-byte magic `00 00 <type> <ndims>`,
 * `ndims` big-endian uint32 dimensions, then the elements. Only unsigned bytes (type 0x08) are
 * accepted, which is what every MNIST-style image and label file uses.
 *
 * Input may be gzipped. Decompression is bounded by the size the IDX header declares, so a gzip
 * bomb or a lying header can never make us allocate more than the file says it holds.
 */
import zlib from 'node:zlib';

/** A parsed IDX file. `data` is a view of `prod(dims)` bytes (no copy for raw input). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** A malformed IDX file; the message names the problem. */
export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxFormatError';
  }
}

/** Largest IDX payload accepted (1 GiB): far above MNIST (47 MB) and EMNIST (~550 MB). */
export const MAX_IDX_BYTES = 2 ** 30;
const MAX_DIMS = 8;
const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

interface Header {
  dims: number[];
  headerBytes: number;
  dataBytes: number;
}

/** Parses and checks the header; needs only its first 4 + 4*ndims bytes. */
function parseHeader(bytes: Uint8Array, maxBytes: number): Header {
  if (bytes.length < 4)
    throw new IdxFormatError(`not an IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new IdxFormatError(`not an IDX file: wrong magic number ${hex} (expected 00 00 08 <ndims>)`);
  }
  const type = bytes[2];
  if (type !== 0x08) {
    const name = TYPE_NAMES[type] ?? 'unknown';
    throw new IdxFormatError(
      `unsupported IDX element type 0x${type.toString(16).padStart(2, '0')} ` +
        `(${name}); only unsigned byte (0x08) is supported`,
    );
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > MAX_DIMS)
    throw new IdxFormatError(`IDX file declares ${ndims} dimensions; expected 1 to ${MAX_DIMS}`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(
      `truncated IDX header: ${bytes.length} bytes, need ${headerBytes} for ${ndims} dimensions`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  let dataBytes = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) throw new IdxFormatError(`IDX dimension ${i} is zero`);
    dims.push(d);
    dataBytes *= d;
    // Checked on the running product so the number stays exact.
    if (dataBytes > maxBytes) {
      throw new IdxFormatError(
        `IDX dimensions [${dims.join(', ')}${i < ndims - 1 ? ', ...' : ''}] ` +
          `declare more than ${maxBytes} bytes; refusing`,
      );
    }
  }
  return { dims, headerBytes, dataBytes };
}

/** Decompresses just enough of a gzip stream to read the IDX header (bounded output). */
function gzipHead(bytes: Uint8Array): Uint8Array {
  // Grow the compressed prefix until the header is out. Deflate expands at most ~1032x, so a
  // prefix of n bytes yields at most ~1032n; real files give the header within a few hundred.
  for (let n = 64; ; n *= 2) {
    const slice = bytes.subarray(0, Math.min(n, bytes.length));
    let out: Uint8Array;
    try {
      out = zlib.gunzipSync(slice, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 4 << 20 });
    } catch (err) {
      if (err instanceof RangeError)
        throw new IdxFormatError('corrupt gzip data: the stream does not begin with an IDX header');
      throw new IdxFormatError(`corrupt gzip data: ${(err as Error).message}`);
    }
    if (slice.length === bytes.length || out.length >= 4 + 4 * MAX_DIMS) return out;
    if (out.length >= 4 && out.length >= 4 + 4 * out[3]) return out;
  }
}

/**
 * Decompresses a gzipped IDX file, allocating at most the size its header declares
 * (plus one byte, to detect trailing data).
 */
export function gunzipIdx(bytes: Uint8Array, maxBytes = MAX_IDX_BYTES): Uint8Array {
  const head = gzipHead(bytes);
  if (head.length < 4 || (head[3] <= MAX_DIMS && head.length < 4 + 4 * head[3])) {
    throw new IdxFormatError(`truncated gzip data: only ${head.length} bytes decompress, too few for an IDX header`);
  }
  const header = parseHeader(head, maxBytes);
  const declared = header.headerBytes + header.dataBytes;
  let out: Buffer;
  try {
    out = zlib.gunzipSync(bytes, { maxOutputLength: declared + 1 });
  } catch (err) {
    if (err instanceof RangeError) {
      throw new IdxFormatError(
        `trailing garbage: gzip data decompresses to more than the ${declared} bytes the IDX header declares`,
      );
    }
    const msg = (err as Error).message;
    if (/unexpected end/i.test(msg)) throw new IdxFormatError(`truncated gzip data (${msg})`);
    throw new IdxFormatError(`corrupt gzip data: ${msg}`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * Parses an IDX file, gzipped or raw. Throws IdxFormatError for a wrong magic number, an element
 * type other than unsigned byte, zero or absurd dimensions, truncated data or trailing bytes.
 */
export function readIdx(bytes: Uint8Array, maxBytes = MAX_IDX_BYTES): IdxArray {
  const raw = isGzip(bytes) ? gunzipIdx(bytes, maxBytes) : bytes;
  const { dims, headerBytes, dataBytes } = parseHeader(raw, maxBytes);
  const expected = headerBytes + dataBytes;
  if (raw.length < expected) {
    throw new IdxFormatError(
      `truncated IDX data: dimensions [${dims.join(', ')}] need ${dataBytes} ` +
        `bytes after the header, found ${raw.length - headerBytes}`,
    );
  }
  if (raw.length > expected) {
    throw new IdxFormatError(
      `trailing garbage: ${raw.length - expected} bytes after the ${dataBytes} ` +
        `bytes of data that dimensions [${dims.join(', ')}] declare`,
    );
  }
  // A plain Uint8Array view, even when the input is a Node Buffer.
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + headerBytes, dataBytes) };
}

export interface PairCheck {
  /** One image's [height, width, channels] the image file must hold; any, when absent. */
  shape?: readonly [number, number, number];
  /** Every label must be below this. */
  classes: number;
}

/** One image's [height, width, channels]: image files are [n, height, width] (one channel) or [n, height, width, channels]. */
export function imageShapeOf(images: IdxArray, what = 'data'): [number, number, number] {
  const d = images.dims;
  if (d.length === 3) return [d[1], d[2], 1];
  if (d.length === 4) return [d[1], d[2], d[3]];
  throw new IdxFormatError(
    `${what}: image file has dimensions [${d.join(', ')}], expected [n, height, width] or [n, height, width, channels]`,
  );
}

/**
 * Checks that an image file and a label file belong together: images are [n, height, width] or
 * [n, height, width, channels] (of `check.shape` when given), labels are [n], and every label is below
 * `check.classes`. Returns n.
 */
export function checkImageLabelPair(images: IdxArray, labels: IdxArray, what: string, check: PairCheck): number {
  const shape = imageShapeOf(images, what);
  const want = check.shape;
  if (want && shape.some((v, i) => v !== want[i])) {
    const dims = want[2] === 1 ? want.slice(0, 2) : want;
    throw new IdxFormatError(
      `${what}: image file has dimensions [${images.dims.join(', ')}], expected [n, ${dims.join(', ')}]`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new IdxFormatError(`${what}: label file has dimensions [${labels.dims.join(', ')}], expected [n]`);
  }
  const n = images.dims[0];
  if (labels.dims[0] !== n) {
    throw new IdxFormatError(`${what}: label count ${labels.dims[0]} does not match image count ${n}`);
  }
  const { classes } = check;
  const data = labels.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= classes)
      throw new IdxFormatError(`${what}: label ${data[i]} at index ${i} is outside 0-${classes - 1}`);
  }
  return n;
}
