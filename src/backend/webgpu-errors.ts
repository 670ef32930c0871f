/**
 * WebGPU errors as run failures. Dawn reports a failed validation (a buffer over the adapter's
 * limits, a bad bind group) or an out-of-memory only as an `uncapturederror` event and a printed
 * message, and the operation then silently yields zeros or garbage; a lost device resolves
 * `device.lost`. Both are recorded here, and `assertWebGpuHealthy` throws the first as a
 * `WebGpuError`, which the trainer lets through so the run ends `failed` naming it (instead of a
 * NaN loss read as `diverged`).
 */
import { tf } from '../tf.js';

export class WebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuError';
  }
}

interface GpuErrorEvent {
  error?: { message?: string; constructor?: { name?: string } };
}
interface GpuDevice {
  addEventListener(type: 'uncapturederror', listener: (event: GpuErrorEvent) => void): void;
  lost: Promise<{ reason?: string; message?: string }>;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  queue: { onSubmittedWorkDone(): Promise<void> };
  createBuffer(descriptor: { size: number; usage: number }): unknown;
}

const watched = new WeakSet<object>();
let first: string | null = null;
let later = 0;
/** Kept across runs: a lost device stays lost. */
let lost: string | null = null;

const KIND: Record<string, string> = {
  GPUValidationError: 'validation error',
  GPUOutOfMemoryError: 'out-of-memory error',
  GPUInternalError: 'internal error',
};

function record(message: string): void {
  if (first === null) first = message;
  else later += 1;
}

function activeDevice(): GpuDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GpuDevice }).device ?? null;
}

/** Starts recording the active webgpu device's uncaptured errors and its loss (once per device). */
export function watchWebGpuDevice(device: GpuDevice | null = activeDevice()): void {
  if (device === null || watched.has(device)) return;
  watched.add(device);
  device.addEventListener('uncapturederror', (event) => {
    const kind = KIND[event.error?.constructor?.name ?? ''] ?? 'error';
    record(`WebGPU ${kind}: ${oneLine(event.error?.message ?? 'no message')}`);
  });
  void device.lost.then((info) => {
    lost = `WebGPU device lost (${info.reason ?? 'unknown'}): ${oneLine(info.message ?? '')}`;
  });
}

function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** The device's loss, else the first WebGPU error recorded since the last clear (with how many followed), or null. */
export function webGpuFault(): string | null {
  if (lost !== null) return lost;
  if (first === null) return null;
  return later > 0 ? `${first} (and ${later} more WebGPU error${later === 1 ? '' : 's'})` : first;
}

/** Forgets the errors recorded so far (a new run starts clean), not a device loss. */
export function clearWebGpuFaults(): void {
  first = null;
  later = 0;
}

/**
 * Throws a WebGpuError when the active webgpu device reported an error. With `flush`, first waits
 * until the work submitted so far has run, so its errors have arrived. A no-op on other backends.
 */
export async function assertWebGpuHealthy(flush = false): Promise<void> {
  const device = activeDevice();
  if (device === null) return;
  if (flush) {
    await device.queue.onSubmittedWorkDone();
    await new Promise<void>((resolve) => setImmediate(resolve)); // let queued error events run
  }
  const fault = webGpuFault();
  if (fault !== null) throw new WebGpuError(fault);
}

/**
 * Throws a WebGpuError, before anything is uploaded, when `bytes` in one buffer exceed the active
 * webgpu device's `maxStorageBufferBindingSize` or `maxBufferSize`. A no-op on other backends.
 */
export function assertWebGpuBufferFits(bytes: number, what: string): void {
  const device = activeDevice();
  if (device === null) return;
  const { maxStorageBufferBindingSize, maxBufferSize } = device.limits;
  const limit = Math.min(maxStorageBufferBindingSize, maxBufferSize);
  if (bytes > limit) {
    throw new WebGpuError(
      `${what} needs one WebGPU buffer of ${bytes} bytes, over this adapter's limit of ${limit} ` +
        `(maxStorageBufferBindingSize ${maxStorageBufferBindingSize}, maxBufferSize ${maxBufferSize})`,
    );
  }
}

/** Test hook: a buffer with no usage, which Dawn rejects with a validation error (reported asynchronously). */
export function provokeWebGpuValidationError(): void {
  activeDevice()?.createBuffer({ size: 16, usage: 0 });
}
