/**
 * The fused Adam update must give TF.js's Adam numbers bit for bit on cpu and wasm (it is there
 * for speed only), keep the optimizer's state in TF.js's fields, and leak no tensors.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { adam, useFusedAdam, FUSED_ADAM_KERNEL } from '../../src/train/fused-adam.js';
import { Rng } from '../../src/rng/index.js';
import { useSimdKernels } from '../../src/backend/wasm-kernels/simd.js';

/** Trains two copies of the same variables on the same gradients with `a` and `b`; returns both final values. */
function trainPair(a: tf.Optimizer, b: tf.Optimizer, fusedA: boolean, steps: number): [Float32Array[], Float32Array[]] {
  const rng = new Rng(7);
  const shapes = [[33, 17], [17], [5, 3, 2]];
  const init = shapes.map((s) => rng.fillNormal(new Float32Array(tf.util.sizeFromShape(s))));
  const make = (tag: string) =>
    shapes.map((s, k) => tf.variable(tf.tensor(init[k], s), true, `fa_${tag}_${k}_${rng.int(1e9)}`));
  const va = make('a'),
    vb = make('b');
  for (let t = 0; t < steps; t++) {
    // Gradients of widely varying scale, with zeros, as a network's are.
    const grads = shapes.map((s) => {
      const g = rng.fillNormal(new Float32Array(tf.util.sizeFromShape(s)));
      const scale = 10 ** (rng.int(9) - 6);
      return g.map((x, i) => (i % 11 === 0 ? 0 : x * scale));
    });
    const apply = (opt: tf.Optimizer, vars: tf.Variable[], fused: boolean) => {
      const previous = useFusedAdam(fused);
      try {
        tf.tidy(() =>
          opt.applyGradients(Object.fromEntries(vars.map((v, k) => [v.name, tf.tensor(grads[k], shapes[k])]))),
        );
      } finally {
        useFusedAdam(previous);
      }
    };
    apply(a, va, fusedA);
    apply(b, vb, false);
  }
  const out: [Float32Array[], Float32Array[]] = [
    va.map((v) => v.dataSync() as Float32Array),
    vb.map((v) => v.dataSync() as Float32Array),
  ];
  tf.dispose([...va, ...vb]);
  return out;
}

for (const backend of TEST_BACKENDS) {
  describe(`fused Adam on ${backend}`, () => {
    before(() => useBackend(backend));

    it('has its kernel registered', () => {
      assert.ok(tf.getKernel(FUSED_ADAM_KERNEL, backend));
    });

    for (const simd of backend === 'wasm' ? [true, false] : [false]) {
      it(`gives TF.js Adam values bit for bit over 25 steps (PyTorch betas and eps, and TF.js defaults)${backend === 'wasm' ? (simd ? ', SIMD' : ', JavaScript loop') : ''}`, () => {
        const previousSimd = useSimdKernels(simd);
        try {
          for (const [lr, b1, b2, eps] of [
            [1e-3, 0.9, 0.999, 1e-8],
            [0.01, 0.8, 0.95, undefined],
          ] as const) {
            const fused = adam(lr, b1, b2, eps);
            const plain = tf.train.adam(lr, b1, b2, eps);
            const [a, b] = trainPair(fused, plain, true, 25);
            for (let k = 0; k < a.length; k++) {
              const same = a[k].every((x, i) => Object.is(x, b[k][i]));
              assert.ok(same, `variable ${k} differs (lr ${lr}): first ${a[k][0]} vs ${b[k][0]}`);
            }
            fused.dispose();
            plain.dispose();
          }
        } finally {
          useSimdKernels(previousSimd);
        }
      });
    }

    it('shares the state with the unfused path (switching mid-run changes nothing)', () => {
      const fused = adam(1e-3, 0.9, 0.999, 1e-8);
      const plain: tf.Optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
      // Alternate fused and TF.js steps on one optimizer; compare with TF.js throughout.
      const rng = new Rng(3);
      const data = rng.fillNormal(new Float32Array(40));
      const va = tf.variable(tf.tensor(data, [8, 5]), true, 'fa_switch_a');
      const vb = tf.variable(tf.tensor(data, [8, 5]), true, 'fa_switch_b');
      for (let t = 0; t < 6; t++) {
        const g = rng.fillNormal(new Float32Array(40));
        const previous = useFusedAdam(t % 2 === 0);
        tf.tidy(() => fused.applyGradients({ fa_switch_a: tf.tensor(g, [8, 5]) }));
        useFusedAdam(previous);
        tf.tidy(() => plain.applyGradients({ fa_switch_b: tf.tensor(g, [8, 5]) }));
      }
      assert.deepEqual(Array.from(va.dataSync()), Array.from(vb.dataSync()));
      assert.equal(fused.iterations, 6);
      tf.dispose([va, vb]);
      fused.dispose();
      plain.dispose();
    });

    it('leaks no tensors per step', () => {
      const opt = adam(1e-3, 0.9, 0.999, 1e-8);
      const v = tf.variable(tf.ones([4, 4]), true, 'fa_leak');
      tf.tidy(() => opt.applyGradients({ fa_leak: tf.onesLike(v) })); // creates the moments
      const before = tf.memory().numTensors;
      for (let t = 0; t < 3; t++) tf.tidy(() => opt.applyGradients({ fa_leak: tf.onesLike(v) }));
      assert.equal(tf.memory().numTensors, before);
      v.dispose();
      opt.dispose();
    });
  });
}
