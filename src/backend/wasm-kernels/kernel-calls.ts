/**
 * Lets one kernel run other kernels of the same backend, the way TF.js's own kernels do
 * (tfjs-backend-wasm's kernels import each other's kernelFuncs, which the package does not
 * export). We look the kernelFuncs up in the public kernel registry (`tf.getKernel`) and call
 * them directly with the backend. That bypasses the engine on purpose: no gradient tape, no
 * engine-tracked tensors, no nested `runKernel` scopes inside a running kernel. The price is
 * that the intermediate TensorInfos are ours to free, so every call goes through a scope that
 * releases all of them (also on error) except the one the kernel returns.
 */
import { tf } from '../../tf.js';

/** What a kernel needs from its backend to free intermediates. */
type DisposingBackend = { disposeData(dataId: tf.DataId, force?: boolean): boolean };

function asDisposingBackend(backend: unknown): DisposingBackend {
  const candidate = backend as Partial<DisposingBackend> | null;
  if (candidate == null || typeof candidate.disposeData !== 'function') {
    throw new Error('kernel called without a backend that can dispose data');
  }
  return candidate as DisposingBackend;
}

export class KernelCalls {
  private readonly made: tf.TensorInfo[] = [];
  private readonly disposer: DisposingBackend;

  constructor(
    private readonly backend: object,
    private readonly backendName: string,
  ) {
    this.disposer = asDisposingBackend(backend);
  }

  /** Runs a kernel that has exactly one output; the output is freed when the scope ends. */
  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const outputs = this.runAll(kernelName, inputs, attrs);
    if (outputs.length !== 1) {
      throw new Error(`${kernelName} on ${this.backendName} returned ${outputs.length} outputs, expected 1`);
    }
    return outputs[0];
  }

  /** Runs a kernel with any number of outputs; all are freed when the scope ends. */
  runAll(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo[] {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config == null) {
      throw new Error(`kernel ${kernelName} is not registered for backend ${this.backendName}`);
    }
    const result = config.kernelFunc({ inputs, backend: this.backend, attrs });
    const outputs = Array.isArray(result) ? result : [result];
    this.made.push(...outputs);
    return outputs;
  }

  /**
   * Frees every intermediate except `keep`. Kernels such as Reshape return an alias of their
   * input after `incRef`, so `disposeData` (which decrements the count) is right for those too.
   */
  release(keep?: tf.TensorInfo): void {
    for (const info of this.made) {
      if (info !== keep) this.disposer.disposeData(info.dataId);
    }
    this.made.length = 0;
  }
}

/**
 * Runs `body` with a fresh KernelCalls scope and returns its result; every other tensor made
 * through the scope is freed, whether `body` returns or throws.
 */
export function withKernelCalls(
  backend: object,
  backendName: string,
  body: (calls: KernelCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const calls = new KernelCalls(backend, backendName);
  let result: tf.TensorInfo | undefined;
  try {
    result = body(calls);
    return result;
  } finally {
    calls.release(result);
  }
}
