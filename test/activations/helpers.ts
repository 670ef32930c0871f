/** Small tensor helpers shared by the activation tests. */
import { tf } from '../../src/tf.js';

/** Applies `layer` to `x` and returns the output values (the output tensor is disposed). */
export function run(layer: tf.layers.Layer, x: tf.Tensor, training = false): Float32Array {
  const y = layer.apply(x, training ? { training: true } : {}) as tf.Tensor;
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

/** d/dx sum(layer(x) * w) for `w` ones unless given; returns the values. */
export function gradOf(layer: tf.layers.Layer, x: tf.Tensor, training: boolean): Float32Array {
  const g = tf.grad((z: tf.Tensor) => tf.sum(layer.apply(z, training ? { training: true } : {}) as tf.Tensor))(x);
  const values = g.dataSync() as Float32Array;
  g.dispose();
  return values;
}

export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Population standard deviation. */
export function std(v: ArrayLike<number>): number {
  const m = mean(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / v.length);
}

export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a),
    mb = mean(b);
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** True when both arrays hold the same float32 bit patterns. */
export function bitIdentical(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.every((v, i) => v === ub[i]);
}
