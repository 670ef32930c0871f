/**
 * The lazy-gradient Dense must train bit for bit like tfjs-layers' Dense (it is there for speed
 * only), skip the first layer's input gradient, still give input gradients when asked, and look
 * like a Dense to everything that inspects layers.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { buildModel } from '../../src/models/build.js';
import { useLazyDense, DENSE_KERNEL } from '../../src/models/lazy-dense.js';
import { adam } from '../../src/train/fused-adam.js';
import { Rng } from '../../src/rng/index.js';

function train(lazy: boolean, model: 'mlp' | 'cnn', steps: number): Float32Array[] {
  const previous = useLazyDense(lazy);
  try {
    const m = buildModel({ model, activation: 'relu', seed: 3, hidden: [16, 8], filters: [4], dense: [8] });
    const opt = adam(1e-2, 0.9, 0.999, 1e-8);
    const rng = new Rng(11);
    for (let t = 0; t < steps; t++) {
      const x = tf.tensor(rng.fillUniform(new Float32Array(8 * 784)), [8, 28, 28, 1]);
      const y = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 8 }, () => rng.int(10)),
          'int32',
        ),
        10,
      );
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        );
        opt.applyGradients(grads);
      });
      tf.dispose([x, y]);
    }
    const weights = m.getWeights().map((w) => w.dataSync() as Float32Array);
    opt.dispose();
    m.dispose();
    return weights;
  } finally {
    useLazyDense(previous);
  }
}

for (const backend of TEST_BACKENDS) {
  describe(`lazy-gradient Dense on ${backend}`, () => {
    before(() => useBackend(backend));

    for (const model of ['mlp', 'cnn'] as const) {
      it(`trains the ${model.toUpperCase()} bit for bit like tfjs-layers' Dense (5 Adam steps)`, () => {
        const a = train(true, model, 5),
          b = train(false, model, 5);
        assert.equal(a.length, b.length);
        for (let k = 0; k < a.length; k++) {
          assert.ok(
            a[k].every((v, i) => Object.is(v, b[k][i])),
            `weight ${k} differs`,
          );
        }
      });
    }

    it('runs our kernel, skips the input gradient of the first layer, and still gives it when asked', () => {
      const m = buildModel({ model: 'mlp', activation: 'relu', seed: 1, hidden: [6] });
      assert.equal(m.getLayer('dense_1').getClassName(), 'Dense');
      const x = tf.randomUniform([4, 28, 28, 1]);
      const matMuls = (f: () => void) => {
        let n = 0;
        const kernels: string[] = [];
        return tf.profile(f).then((p) => {
          for (const k of p.kernels) {
            kernels.push(k.name);
            if (k.name === 'BatchMatMul') n++;
          }
          return { n, kernels };
        });
      };
      return (async () => {
        // Weight gradients only: two layers, dW each, plus dX of the second layer only.
        const weights = await matMuls(() => {
          tf.tidy(() => {
            tf.variableGrads(() => tf.sum(m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
          });
        });
        assert.ok(weights.kernels.includes(DENSE_KERNEL), 'our Dense kernel did not run');
        assert.equal(weights.n, 3);
        // The input gradient, when asked for, equals the plain Dense's.
        const inputGrad = (lazy: boolean) => {
          const previous = useLazyDense(lazy);
          try {
            return tf.tidy(() =>
              tf
                .grad((xx: tf.Tensor) => tf.sum(m.apply(xx) as tf.Tensor))(x)
                .dataSync(),
            );
          } finally {
            useLazyDense(previous);
          }
        };
        const lazyGrad = inputGrad(true),
          plainGrad = inputGrad(false);
        assert.ok(lazyGrad.some((v) => v !== 0));
        assert.deepEqual(Array.from(lazyGrad), Array.from(plainGrad));
        x.dispose();
        m.dispose();
      })();
    });
  });
}
