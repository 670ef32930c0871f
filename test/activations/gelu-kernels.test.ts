/**
 * The fused GELU kernels (src/activations/gelu-kernels.ts) on cpu and wasm: GELU(x) and its
 * gradient against float64 values within the A&S 7.1.26 error bound plus float32 rounding; the
 * SIMD loop, the JavaScript loop and the cpu backend bit for bit; training and inference give the
 * same gradient; NaN and far tails; the switch back to TF.js's composition; no leaked tensors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { useFusedActivationGradients } from '../../src/activations/fused-gradients.js';
import { GELU_KERNEL, GELU_TRAINING_KERNEL } from '../../src/activations/gelu-kernels.js';
import { geluExact } from '../../src/activations/gelu.js';
import { useSimdKernels } from '../../src/backend/wasm-kernels/simd.js';
import { assertNoLeaks } from '../backend/kernel-compare.js';

/** erf(z) in float64 by its Maclaurin series; |z| <= 4 keeps the cancellation error below 1e-9. */
function erf64(z: number): number {
  let sum = 0;
  let term = z; // (-1)^k z^(2k+1) / k!
  for (let k = 0; k < 200 && Math.abs(term) > 1e-17; k++) {
    sum += term / (2 * k + 1);
    term *= (-z * z) / (k + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const phi64 = (x: number) => 0.5 * (1 + erf64(x / Math.SQRT2));
const gelu64 = (x: number) => x * phi64(x);
const geluGrad64 = (x: number) => phi64(x) + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI);

/** x from -5.5 to 5.5 (erf64's range), 4,001 points plus zeros; an odd count leaves a SIMD tail. */
const GRID = Float32Array.from({ length: 4003 }, (_, i) => (i < 4001 ? -5.5 + (11 * i) / 4000 : i === 4001 ? 0 : -0));

/** GELU(x) and d sum(GELU(x) * w)/dx through geluExact, fused or TF.js's. */
function forwardAndGrad(
  x: Float32Array,
  fused: boolean,
  training: boolean,
  w?: Float32Array,
): [Float32Array, Float32Array] {
  const previous = useFusedActivationGradients(fused);
  try {
    return tf.tidy(() => {
      const xt = tf.tensor1d(x);
      const wt = w ? tf.tensor1d(w) : tf.onesLike(xt);
      const y = geluExact(xt, training);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(geluExact(v, training), wt)))(xt);
      return [y.dataSync() as Float32Array, g.dataSync() as Float32Array];
    });
  } finally {
    useFusedActivationGradients(previous);
  }
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i])));

const results: Record<string, [Float32Array, Float32Array]> = {};

for (const backend of TEST_BACKENDS) {
  describe(`fused GELU on ${backend}`, () => {
    before(() => useBackend(backend));

    it('the kernels are registered and used: the layer runs NreluBenchGelu, or Erf when switched off', async () => {
      assert.ok(tf.getKernel(GELU_KERNEL, backend) && tf.getKernel(GELU_TRAINING_KERNEL, backend));
      const x = tf.tensor1d([-1, 0.5, 2]);
      for (const [fused, training, expected, absent] of [
        [true, false, GELU_KERNEL, 'Erf'],
        [true, true, GELU_TRAINING_KERNEL, 'Erf'],
        [false, true, 'Erf', GELU_TRAINING_KERNEL],
      ] as const) {
        const previous = useFusedActivationGradients(fused);
        try {
          const info = await tf.profile(() => geluExact(x, training));
          const names = info.kernels.map((k) => k.name);
          assert.ok(names.includes(expected), `fused=${fused} training=${training}: ${names}`);
          assert.ok(!names.includes(absent), `fused=${fused} training=${training}: ${names}`);
          tf.dispose(info.result as tf.Tensor);
        } finally {
          useFusedActivationGradients(previous);
        }
      }
      x.dispose();
    });

    it('GELU(x) and its gradient are within 3e-7 (x 1 + |x| for GELU) of float64, for |x| <= 5.5', () => {
      const [y, g] = forwardAndGrad(GRID, true, true);
      results[backend] = [y, g];
      for (let i = 0; i < GRID.length; i++) {
        const x = GRID[i];
        const ey = Math.abs(y[i] - gelu64(x)),
          eg = Math.abs(g[i] - geluGrad64(x));
        assert.ok(ey <= 3e-7 * (1 + Math.abs(x)), `GELU(${x}) = ${y[i]}, float64 ${gelu64(x)}`);
        assert.ok(eg <= 3e-7, `GELU'(${x}) = ${g[i]}, float64 ${geluGrad64(x)}`);
      }
    });

    it("agrees with TF.js's composed GELU within 3e-7, forward and backward", () => {
      const w = Float32Array.from(GRID, (_, i) => Math.sin(i));
      const [fy, fg] = forwardAndGrad(GRID, true, true, w);
      const [cy, cg] = forwardAndGrad(GRID, false, true, w);
      for (let i = 0; i < GRID.length; i++) {
        assert.ok(Math.abs(fy[i] - cy[i]) <= 3e-7 * (1 + Math.abs(GRID[i])), `y at ${GRID[i]}: ${fy[i]} vs ${cy[i]}`);
        assert.ok(Math.abs(fg[i] - cg[i]) <= 3e-7, `dx at ${GRID[i]}: ${fg[i]} vs ${cg[i]}`);
      }
    });

    it("the gradient of an inference pass equals the training pass's, bit for bit", () => {
      const [ty, tg] = forwardAndGrad(GRID, true, true);
      const [iy, ig] = forwardAndGrad(GRID, true, false);
      assert.ok(sameBits(ty, iy), 'values');
      assert.ok(sameBits(tg, ig), 'gradients');
    });

    it('NaN stays NaN; far tails are x and 0, with gradients 1 and 0', () => {
      const x = Float32Array.from([Number.NaN, 9, 30, 1e6, -9, -30, -1e6]);
      const [y, g] = forwardAndGrad(x, true, true);
      assert.ok(Number.isNaN(y[0]) && Number.isNaN(g[0]), `NaN: ${y[0]}, ${g[0]}`);
      for (let i = 1; i <= 3; i++) assert.ok(y[i] === x[i] && g[i] === 1, `x = ${x[i]}: ${y[i]}, ${g[i]}`);
      for (let i = 4; i <= 6; i++)
        assert.ok(Math.abs(y[i]) < 1e-17 && Math.abs(g[i]) < 1e-16, `x = ${x[i]}: ${y[i]}, ${g[i]}`);
    });

    it('leaves no tensors behind, forward or backward, training or inference', () => {
      const x = tf.tensor4d(GRID.slice(0, 4000), [2, 10, 10, 20]);
      for (const training of [true, false]) {
        assertNoLeaks(
          () =>
            tf.tidy(() => {
              tf.grad((v: tf.Tensor) => tf.sum(geluExact(v, training)))(x);
            }),
          `training=${training}`,
        );
      }
      x.dispose();
    });

    if (backend === 'wasm') {
      it("the SIMD loop gives the JavaScript loop's bits (which the cpu backend runs)", () => {
        const previous = useSimdKernels(false);
        let js: [Float32Array, Float32Array];
        try {
          js = forwardAndGrad(GRID, true, true);
        } finally {
          useSimdKernels(previous);
        }
        const simd = forwardAndGrad(GRID, true, true);
        assert.ok(sameBits(simd[0], js[0]), 'values');
        assert.ok(sameBits(simd[1], js[1]), 'gradients');
        assert.ok(results.cpu, 'the cpu run came first');
        assert.ok(sameBits(simd[0], results.cpu[0]) && sameBits(simd[1], results.cpu[1]), 'wasm and cpu differ');
      });
    }
  });
}
