/**
 * A dataset moved to the device once: every run on it slices its batches there (tf.gather by
 * index), so no image is copied from JS per step.
 */
import { tf } from '../tf.js';
import type { Dataset } from '../data/datasets.js';

export interface DeviceSplit {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  count: number;
}

export interface DeviceData {
  train: DeviceSplit;
  test: DeviceSplit;
  classes: number;
  dispose(): void;
}

function toDevice(images: Float32Array, labels: ArrayLike<number>, count: number, shape: number[], limit?: number): DeviceSplit {
  const n = limit === undefined ? count : Math.min(limit, count);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(images.subarray(0, n * size), [n, shape[0], shape[1], shape[2]]);
  const y = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => labels[i]), 'int32');
  return { x, y, count: n };
}

/** Uploads the (optionally capped) train and test splits. Caps take the first N samples. */
export function toDeviceData(dataset: Dataset, caps: { train?: number; test?: number } = {}): DeviceData {
  const train = toDevice(dataset.train.images, dataset.train.labels, dataset.train.count, dataset.shape, caps.train);
  const test = toDevice(dataset.test.images, dataset.test.labels, dataset.test.count, dataset.shape, caps.test);
  return {
    train,
    test,
    classes: dataset.classes,
    dispose: () => tf.dispose([train.x, train.y, test.x, test.y]),
  };
}
