/** The committed SIMD module is simd.wat compiled, and it runs on the wasm backend's memory. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSimdWat } from '../../scripts/simd-wat.js';
import { SIMD_MODULE_BASE64 } from '../../src/backend/wasm-kernels/simd-module.js';
import { simdKernels } from '../../src/backend/wasm-kernels/simd.js';
import { tf } from '../../src/tf.js';
import { useBackend } from '../helpers/backends.js';

describe('SIMD kernels module', () => {
  it('simd-module.ts holds the bytes of simd.wat (run npm run build:simd after editing it)', async () => {
    const wat = readFileSync(
      fileURLToPath(new URL('../../src/backend/wasm-kernels/simd.wat', import.meta.url)),
      'utf8',
    );
    const bytes = await compileSimdWat(wat);
    assert.equal(Buffer.from(bytes).toString('base64'), SIMD_MODULE_BASE64);
  });

  it('binds to the wasm backend (Node.js has wasm SIMD) and not to cpu', async () => {
    await useBackend('wasm');
    assert.ok(simdKernels(tf.backend()), 'no SIMD kernels on wasm');
    await useBackend('cpu');
    assert.equal(simdKernels(tf.backend()), null);
  });
});
