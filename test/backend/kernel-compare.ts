/**
 * Shared by the wasm kernel tests: run one kernel on the cpu backend (the reference) and on
 * wasm with the same inputs, and compare element by element.
 */
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { Rng } from '../../src/rng/index.js';
import { useBackend, type TestBackend } from '../helpers/backends.js';

export function uniformValues(rng: Rng, shape: number[], low = -1, high = 1): Float32Array {
  return rng.fillUniform(new Float32Array(shape.reduce((a, v) => a * v, 1)), low, high);
}

/** Runs `kernel` on `backend` with float32 inputs made from `values`; returns shape and data. */
export async function runKernelOn(
  backend: TestBackend,
  kernel: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: tf.NamedAttrMap,
): Promise<{ shape: number[]; data: Float32Array }> {
  await useBackend(backend);
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, { values, shape }] of Object.entries(inputs)) tensors[name] = tf.tensor(values, shape, 'float32');
  const out = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
  const result = { shape: out.shape, data: out.dataSync() as Float32Array };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** |actual - expected| <= tolerance * (1 + |expected|) for every element. */
export function assertClose(actual: Float32Array, expected: Float32Array, tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(
      diff <= tolerance * (1 + Math.abs(expected[i])),
      `${label}: element ${i}: wasm ${actual[i]} vs cpu ${expected[i]}`,
    );
  }
}

/** Runs `fn` and asserts it leaves no engine tensors and no wasm data ids behind. */
export function assertNoLeaks(fn: () => void, label: string): void {
  const tensors = tf.memory().numTensors;
  const ids = tf.backend().numDataIds();
  fn();
  assert.equal(tf.memory().numTensors, tensors, `${label}: engine tensors grew`);
  assert.equal(tf.backend().numDataIds(), ids, `${label}: backend data ids grew`);
}
