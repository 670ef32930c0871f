/** Counting the WebGPU programs a piece of code dispatches, and the host values it hands the backend to upload. */
import { tf } from '../../src/tf.js';

interface CountedBackend {
  runWebGPUProgram?: (...args: unknown[]) => unknown;
  write?: (values: ArrayLike<unknown> | null, ...rest: unknown[]) => unknown;
}

/**
 * Runs `fn` synchronously, counting the WebGPU programs it dispatches and the values written from the host (new
 * tensors with host data, which the backend uploads when a program reads them); both 0 on a backend without WebGPU
 * programs.
 */
export function counted<T>(fn: () => T): { value: T; dispatches: number; uploaded: number } {
  const backend = tf.backend() as unknown as CountedBackend;
  const [run, write] = [backend.runWebGPUProgram, backend.write];
  if (run === undefined || write === undefined) return { value: fn(), dispatches: 0, uploaded: 0 };
  let dispatches = 0,
    uploaded = 0;
  backend.runWebGPUProgram = (...args: unknown[]) => {
    dispatches += 1;
    return run.apply(backend, args);
  };
  backend.write = (values, ...rest) => {
    uploaded += values?.length ?? 0;
    return write.apply(backend, [values, ...rest]);
  };
  try {
    return { value: fn(), dispatches, uploaded };
  } finally {
    backend.runWebGPUProgram = run;
    backend.write = write;
  }
}
