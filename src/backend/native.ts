/**
 * The native TensorFlow binding ('tensorflow' backend). Neither package is a hard dependency:
 * @tensorflow/tfjs-node-gpu is optional (its install step downloads libtensorflow, so it is
 * often skipped) and @tensorflow/tfjs-node is honoured if a user installed it instead.
 *
 * Importing either package registers the 'tensorflow' backend on the @tensorflow/tfjs it
 * requires and makes it the active backend (a side effect of its index module).
 */
import { tf } from '../tf.js';
import { errorMessage } from '../errors.js';

export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
export type NativePackage = (typeof NATIVE_PACKAGES)[number];

export type NativeLoad = { ok: true; packageName: NativePackage; skipped: string[] } | { ok: false; skipped: string[] };

/** The fields of tfjs-node's NodeJSKernelBackend we read (set in its constructor). */
interface NodeBackendFlags {
  isGPUPackage?: unknown;
  isUsingGpuDevice?: unknown;
}

export const NATIVE_INSTALL_HINT =
  'npm install @tensorflow/tfjs-node-gpu (needs network access to download libtensorflow, and CUDA/cuDNN ' +
  'for the GPU; or @tensorflow/tfjs-node for the CPU-only build)';

let cached: Promise<NativeLoad> | undefined;

/** Imports the first native package that loads; the outcome is cached for the process. */
export function loadNative(): Promise<NativeLoad> {
  cached ??= tryPackages();
  return cached;
}

async function tryPackages(): Promise<NativeLoad> {
  const skipped: string[] = [];
  for (const packageName of NATIVE_PACKAGES) {
    const failure = await tryImport(packageName);
    if (failure == null) return { ok: true, packageName, skipped };
    skipped.push(failure);
  }
  const missing = NATIVE_PACKAGES.map((name) => notInstalled(name));
  if (skipped.every((line, i) => line === missing[i])) {
    return {
      ok: false,
      skipped: [`neither ${NATIVE_PACKAGES.join(' nor ')} is installed (their install step downloads libtensorflow)`],
    };
  }
  return { ok: false, skipped };
}

function notInstalled(packageName: string): string {
  return `${packageName} is not installed (its install step downloads libtensorflow)`;
}

/** Returns null when `packageName` loaded and registered 'tensorflow' on our TF.js, else why not. */
async function tryImport(packageName: NativePackage): Promise<string | null> {
  try {
    // A variable specifier keeps TypeScript from resolving a package that is usually absent.
    const specifier: string = packageName;
    await import(specifier);
  } catch (err) {
    return describeImportError(packageName, err);
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    // It registered on another copy of @tensorflow/tfjs-core (nested node_modules).
    return (
      `${packageName} loaded but uses a different copy of @tensorflow/tfjs-core than nrelu-bench ` +
      `(TF.js ${tf.version.tfjs}); install the same 4.x version of both`
    );
  }
  return null;
}

/** One line, no stack: not installed vs. installed but its native addon failed. */
export function describeImportError(packageName: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = errorMessage(err);
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${packageName}'`)) {
    return notInstalled(packageName);
  }
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
  return `${packageName} is installed but failed to load: ${firstLine.trim()}`;
}

/**
 * Whether the native backend really computes on a GPU. tfjs-node's backend constructor asks the
 * binding, which lists the devices of its TFE context and reports a GPU only if one registered.
 * The GPU build silently falls back to the CPU when the CUDA/cuDNN libraries cannot be loaded,
 * so `isGPUPackage && !isUsingGpuDevice` is exactly the case to warn about.
 */
export function describeNativeDevice(backend: unknown, packageName: string): { gpu: boolean; notes: string[] } {
  const flags = (backend ?? {}) as NodeBackendFlags;
  const gpuPackage = flags.isGPUPackage === true || packageName === '@tensorflow/tfjs-node-gpu';
  if (typeof flags.isUsingGpuDevice !== 'boolean') {
    return {
      gpu: false,
      notes: gpuPackage
        ? [`tensorflow: cannot tell whether ${packageName} uses a GPU (backend reports no device flag); assuming CPU`]
        : [],
    };
  }
  if (flags.isUsingGpuDevice) return { gpu: true, notes: [] };
  return {
    gpu: false,
    notes: gpuPackage
      ? [
          `tensorflow: warning: ${packageName} found no GPU device and runs on the CPU ` +
            '(CUDA/cuDNN libraries missing or not matching ' +
            "libtensorflow, or no visible GPU; see TensorFlow's log above)",
        ]
      : [],
  };
}
