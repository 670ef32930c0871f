/** Counting the WebGPU programs a piece of code dispatches, at the active backend's runWebGPUProgram. */
import { tf } from '../../src/tf.js';

/** Runs `fn` synchronously, counting the WebGPU programs it dispatches (0 on a backend without WebGPU programs). */
export function counted<T>(fn: () => T): { value: T; dispatches: number } {
  const backend = tf.backend() as unknown as { runWebGPUProgram?: (...args: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  if (original === undefined) return { value: fn(), dispatches: 0 };
  let dispatches = 0;
  backend.runWebGPUProgram = (...args: unknown[]) => {
    dispatches += 1;
    return original.apply(backend, args);
  };
  try {
    return { value: fn(), dispatches };
  } finally {
    backend.runWebGPUProgram = original;
  }
}
