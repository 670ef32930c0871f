/**
 * The one-pass ReLU / LeakyReLU / PReLU gradients against TF.js's composed ones (the fused
 * kernels switched off), on cpu and wasm: dx bit for bit (NaN, zeros, odd sizes that leave a tail
 * after the SIMD loop), PReLU's shared-alpha gradient within float32 summation error, per-channel
 * PReLU through TF.js's path, and no leaked tensors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { useFusedActivationGradients, RELU_GRAD_KERNEL } from '../../src/activations/fused-gradients.js';
import '../../src/activations/registry.js';
import { Rng } from '../../src/rng/index.js';

function data(rng: Rng, n: number): Float32Array {
  const v = rng.fillNormal(new Float32Array(n));
  for (let i = 0; i < n; i += 7) v[i] = 0;
  for (let i = 3; i < n; i += 29) v[i] = Number.NaN;
  for (let i = 5; i < n; i += 31) v[i] = -0;
  return v;
}

/** Gradients of sum(f(x) * w) with respect to x (and alpha), fused or TF.js's. */
function grads(
  fused: boolean,
  f: (x: tf.Tensor, a: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  a: tf.Tensor,
  w: tf.Tensor,
): [Float32Array, Float32Array] {
  const previous = useFusedActivationGradients(fused);
  try {
    return tf.tidy(() => {
      const [gx, ga] = tf.grads((xx: tf.Tensor, aa: tf.Tensor) => tf.sum(tf.mul(f(xx, aa), w)))([x, a]);
      return [gx.dataSync() as Float32Array, ga.dataSync() as Float32Array];
    });
  } finally {
    useFusedActivationGradients(previous);
  }
}

const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));

for (const backend of TEST_BACKENDS) {
  describe(`fused activation gradients on ${backend}`, () => {
    before(() => useBackend(backend));

    it('the ReLU gradient kernel is registered', () => {
      assert.ok(tf.getKernel(RELU_GRAD_KERNEL, backend));
    });

    for (const shape of [[3, 26, 26, 8], [5, 7], [3]]) {
      it(`dx of ReLU, LeakyReLU and PReLU equals TF.js's bit for bit, shape [${shape}]`, () => {
        const rng = new Rng(shape.length);
        const n = shape.reduce((p, q) => p * q, 1);
        const x = tf.tensor(data(rng, n), shape),
          w = tf.tensor(rng.fillNormal(new Float32Array(n)), shape);
        const alpha = tf.tensor([0.25], [1]);
        const cases: [string, (x: tf.Tensor, a: tf.Tensor) => tf.Tensor][] = [
          ['relu', (xx, aa) => tf.add(tf.relu(xx), tf.mul(aa, 0))],
          ['leaky', (xx, aa) => tf.add(tf.leakyRelu(xx, 0.01), tf.mul(aa, 0))],
          ['prelu', (xx, aa) => tf.prelu(xx, aa)],
        ];
        for (const [name, f] of cases) {
          const [fx, fa] = grads(true, f, x, alpha, w);
          const [tx, ta] = grads(false, f, x, alpha, w);
          assert.ok(same(fx, tx), `${name}: dx differs`);
          if (name === 'prelu') {
            // NaN inputs make both NaN; compare on finite data too.
            assert.equal(Number.isNaN(fa[0]), Number.isNaN(ta[0]), 'prelu alpha NaN-ness');
          }
        }
        tf.dispose([x, w, alpha]);
      });
    }

    it("PReLU's shared-alpha gradient matches TF.js within float32 summation error; per-channel alpha takes TF.js's path", () => {
      const rng = new Rng(9);
      const x = tf.tensor(rng.fillNormal(new Float32Array(4 * 13 * 13 * 8)), [4, 13, 13, 8]);
      const w = tf.tensor(rng.fillNormal(new Float32Array(4 * 13 * 13 * 8)), [4, 13, 13, 8]);
      for (const alpha of [
        tf.tensor([0.25], [1]),
        tf.tensor(
          Array.from({ length: 8 }, (_, i) => 0.1 * i),
          [8],
        ),
      ]) {
        const f = (xx: tf.Tensor, aa: tf.Tensor) => tf.prelu(xx, aa);
        const [fx, fa] = grads(true, f, x, alpha, w);
        const [tx, ta] = grads(false, f, x, alpha, w);
        assert.ok(same(fx, tx), 'dx differs');
        for (let k = 0; k < ta.length; k++) {
          assert.ok(Math.abs(fa[k] - ta[k]) <= 1e-4 * (1 + Math.abs(ta[k])), `alpha[${k}]: ${fa[k]} vs ${ta[k]}`);
        }
        if (alpha.size > 1) assert.ok(same(fa, ta), "per-channel alpha gradient should be TF.js's own");
        alpha.dispose();
      }
      tf.dispose([x, w]);
    });

    it('leaks no tensors', () => {
      const x = tf.randomNormal([2, 5, 5, 4]),
        w = tf.randomNormal([2, 5, 5, 4]),
        alpha = tf.tensor([0.25], [1]);
      grads(true, (xx, aa) => tf.prelu(xx, aa), x, alpha, w); // warm up
      const before = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) {
        grads(true, (xx, aa) => tf.prelu(xx, aa), x, alpha, w);
        grads(true, (xx, aa) => tf.add(tf.leakyRelu(xx, 0.1), tf.relu(tf.mul(aa, xx))), x, alpha, w);
      }
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([x, w, alpha]);
    });
  });
}
