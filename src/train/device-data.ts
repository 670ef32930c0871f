/**
 * A dataset's splits as the training loop reads them: batches by index (`gather`) and ranges
 * (`slice`), each a new tensor pair.
 *
 * Two placements:
 * - 'device': the split is uploaded once and batches are sliced there (tf.gather by index), so no
 *   image is copied from JS per step (cpu, wasm, tensorflow);
 * - 'host': the split stays in JS and each batch is copied out and uploaded on its own, so only
 *   batch-sized buffers reach the device (webgpu: one buffer of a whole split can exceed the
 *   adapter's storage-buffer limit, 128 MiB on Mesa's llvmpipe against full MNIST's 188 MB).
 * Both give the same values: a gather or slice copies floats exactly.
 */
import { tf } from '../tf.js';
import type { Dataset } from '../data/datasets.js';
import { assertWebGpuBufferFits } from '../backend/webgpu-errors.js';

/** For the benches (bench/ reaches the backend only through train/): throws a WebGPU error the device reported. */
export { assertWebGpuHealthy as assertDeviceHealthy } from '../backend/webgpu-errors.js';

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
}

export interface DeviceSplit {
  count: number;
  /** One sample's shape, [height, width, channels]. */
  shape: [number, number, number];
  /** The samples at `indices`, in that order. */
  gather(indices: Int32Array): Batch;
  /** Samples start .. start + size - 1. */
  slice(start: number, size: number): Batch;
  /** The smallest and largest pixel value of the split. */
  range(): Promise<[number, number]>;
}

export type Placement = 'device' | 'host';

export interface DeviceData {
  train: DeviceSplit;
  test: DeviceSplit;
  classes: number;
  placement: Placement;
  dispose(): void;
}

interface HostSplit {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  shape: [number, number, number];
}

function residentSplit(host: HostSplit): DeviceSplit & { dispose(): void } {
  const [h, w, c] = host.shape;
  assertWebGpuBufferFits(host.images.length * 4, `a split of ${host.count} images kept on the device`);
  const x = tf.tensor4d(host.images, [host.count, h, w, c]);
  const y = tf.tensor1d(host.labels, 'int32');
  return {
    count: host.count,
    shape: host.shape,
    gather: (indices) =>
      tf.tidy(() => {
        const index = tf.tensor1d(indices, 'int32');
        return { x: tf.gather(x, index), y: tf.gather(y, index) };
      }),
    slice: (start, size) => ({ x: tf.slice(x, start, size), y: tf.slice(y, start, size) }),
    range: async () => {
      const ends = [tf.min(x), tf.max(x)];
      const [lo, hi] = (await Promise.all(ends.map((t) => t.data()))).map((v) => v[0]);
      tf.dispose(ends);
      return [lo, hi];
    },
    dispose: () => tf.dispose([x, y]),
  };
}

function hostSplit(host: HostSplit): DeviceSplit & { dispose(): void } {
  const [h, w, c] = host.shape;
  const size = h * w * c;
  const upload = (images: Float32Array, labels: Int32Array): Batch => {
    assertWebGpuBufferFits(images.length * 4, `a batch of ${labels.length} images`);
    return { x: tf.tensor4d(images, [labels.length, h, w, c]), y: tf.tensor1d(labels, 'int32') };
  };
  let range: [number, number] | undefined;
  return {
    count: host.count,
    shape: host.shape,
    gather: (indices) => {
      const images = new Float32Array(indices.length * size);
      indices.forEach((sample, i) => images.set(host.images.subarray(sample * size, (sample + 1) * size), i * size));
      return upload(
        images,
        Int32Array.from(indices, (sample) => host.labels[sample]),
      );
    },
    slice: (start, n) =>
      upload(host.images.slice(start * size, (start + n) * size), host.labels.slice(start, start + n)),
    range: () => {
      range ??= extremes(host.images);
      return Promise.resolve(range);
    },
    dispose: () => undefined,
  };
}

function extremes(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function firstSamples(split: Dataset['train'], shape: [number, number, number], limit?: number): HostSplit {
  const count = limit === undefined ? split.count : Math.min(limit, split.count);
  const size = shape[0] * shape[1] * shape[2];
  const labels = Int32Array.from({ length: count }, (_, i) => split.labels[i]);
  return { images: split.images.subarray(0, count * size), labels, count, shape };
}

/** One split from arrays (`labels.length` samples of `shape`), placed as asked. */
export function makeSplit(
  images: Float32Array,
  labels: Int32Array,
  shape: [number, number, number],
  placement: Placement,
): DeviceSplit & { dispose(): void } {
  const host = { images, labels, count: labels.length, shape };
  return placement === 'host' ? hostSplit(host) : residentSplit(host);
}

/** The placement a backend gets: 'host' on webgpu (buffer limits), else 'device'. */
export function defaultPlacement(): Placement {
  return tf.getBackend() === 'webgpu' ? 'host' : 'device';
}

/** The (optionally capped) train and test splits. Caps take the first N samples. */
export function toDeviceData(
  dataset: Dataset,
  caps: { train?: number; test?: number } = {},
  placement: Placement = defaultPlacement(),
): DeviceData {
  const make = placement === 'host' ? hostSplit : residentSplit;
  const train = make(firstSamples(dataset.train, dataset.shape, caps.train));
  const test = make(firstSamples(dataset.test, dataset.shape, caps.test));
  return {
    train,
    test,
    classes: dataset.classes,
    placement,
    dispose: () => {
      train.dispose();
      test.dispose();
    },
  };
}
