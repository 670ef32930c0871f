/**
 * Direct access to tensors in the wasm backend's heap, for kernels written as tight JavaScript
 * loops (MaxPoolGrad, Sum/Max, Gather, Slice, the one-channel convolution). The wasm backend keeps every tensor in one
 * WebAssembly memory; `typedArrayFromHeap` returns a view of it. Allocating can grow that
 * memory, which detaches earlier views, so a kernel makes all its outputs first and only then
 * takes the views it reads and writes.
 */
import { tf } from '../../tf.js';

export interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** Frees a kernel's scratch allocation (decrements its reference count). */
  disposeData(dataId: tf.DataId): boolean;
}

export function asHeapBackend(backend: unknown): HeapBackend {
  const candidate = backend as Partial<HeapBackend> | null;
  if (
    candidate == null ||
    typeof candidate.makeOutput !== 'function' ||
    typeof candidate.typedArrayFromHeap !== 'function' ||
    typeof candidate.disposeData !== 'function'
  ) {
    throw new Error('kernel needs the wasm backend (makeOutput, typedArrayFromHeap and disposeData)');
  }
  return candidate as HeapBackend;
}

/** A float32 view of `info`'s data in the heap (take it after the kernel's last allocation). */
export function heapF32(backend: HeapBackend, info: tf.TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return view;
}
