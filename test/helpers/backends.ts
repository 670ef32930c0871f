/**
 * Runs tests on each in-process backend the CI machines have (cpu and wasm). The native
 * 'tensorflow' backend is never a test dependency.
 */
import '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src/tf.js';

export const TEST_BACKENDS = ['cpu', 'wasm'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

/** Switches the global TF.js instance to `name` and waits until it is ready. */
export async function useBackend(name: TestBackend): Promise<void> {
  tf.env().set('PROD', true); // silences the cpu backend's "install tfjs-node" banner
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
