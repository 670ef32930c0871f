/**
 * SeededDropout's mask drawn on WebGPU (src/backend/webgpu-dropout.ts) against the host's (wasm):
 * the same masks, bit for bit, step after step, in one extra dispatch and no host draw. Skips
 * without an adapter; the missing adapter itself fails in CI (webgpu.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/tf.js';
import { selectBackend } from '../../src/backend/select.js';
import { probeWebGpu } from '../../src/backend/webgpu.js';
import { SeededDropout } from '../../src/models/dropout.js';
import { requires } from '../helpers/requires.js';
import { counted } from '../helpers/dispatches.js';

const probe = await probeWebGpu();
const gpu = requires('a WebGPU adapter', probe.ok ? null : probe.reason);

/** Shapes: one below a thread's 64 draws, and one of many threads with a short last one (70,007 = 1,093 x 64 + 55). */
const SHAPES = [[5, 7], [7, 10001]];

/** The masks of `steps` training passes (dropout of ones), and the dispatches of the last pass. */
async function masks(
  backend: 'wasm' | 'webgpu',
  rate: number,
  shape: number[],
  steps: number,
): Promise<{ masks: Float32Array[]; dispatches: number }> {
  await selectBackend(backend);
  const layer = new SeededDropout({ rate, seed: 11 });
  const ones = tf.ones(shape);
  const out: Float32Array[] = [];
  let dispatches = 0;
  for (let s = 0; s < steps; s++) {
    const pass = counted(() => layer.apply(ones, { training: true }) as tf.Tensor);
    out.push((await pass.value.data()) as Float32Array);
    pass.value.dispose();
    dispatches = pass.dispatches;
  }
  ones.dispose();
  layer.dispose();
  return { masks: out, dispatches };
}

test('SeededDropout on webgpu: the host masks bit for bit, drawn on the device', gpu, async () => {
  for (const rate of [0.3, 0.5]) {
    for (const shape of SHAPES) {
      const host = await masks('wasm', rate, shape, 3);
      const device = await masks('webgpu', rate, shape, 3);
      for (let s = 0; s < 3; s++) {
        assert.deepEqual(device.masks[s], host.masks[s], `rate ${rate}, [${shape}], step ${s}`);
      }
      assert.notDeepEqual(host.masks[0], host.masks[1], 'a new mask each step');
      // The mask and the multiply; the host mask would be uploaded, then multiplied (1, or 0 where TF.js
      // multiplies small host-resident tensors on the CPU).
      assert.equal(device.dispatches, 2, 'the mask and the multiply');
      const kept = host.masks[2].filter((v) => v !== 0).length / host.masks[2].length;
      console.log(`dropout ${rate} [${shape}]: 3 masks equal on webgpu and wasm, ${(100 * kept).toFixed(1)}% kept`);
    }
  }
});
