/**
 * Float32 views of tensors on the two backends whose data lives in this process's memory: the
 * cpu backend (a Float32Array per tensor) and the wasm backend (one WebAssembly heap). Fused
 * kernels written as JavaScript loops (Adam, the activation kernels) get the same code on both.
 * On wasm an allocation can grow the heap and detach earlier views, so a kernel allocates all its
 * outputs first and takes views only afterwards.
 */
import { tf } from '../../tf.js';
import { registerOnce } from '../register.js';

export interface HostMemory {
  alloc(shape: number[]): tf.TensorInfo;
  view(info: tf.TensorInfo): Float32Array;
}

type CpuBackend = {
  data: { get(id: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};
type WasmBackend = {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): unknown;
};

function asFloat32(values: unknown, what: string): Float32Array {
  if (!(values instanceof Float32Array)) throw new Error(`${what}: expected float32 data`);
  return values;
}

export function cpuMemory(backend: unknown): HostMemory {
  const cpu = backend as CpuBackend;
  return {
    alloc: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
    view: (info) => asFloat32(cpu.data.get(info.dataId).values, 'cpu kernel'),
  };
}

export function wasmMemory(backend: unknown): HostMemory {
  const wasm = backend as WasmBackend;
  return {
    alloc: (shape) => wasm.makeOutput(shape, 'float32'),
    view: (info) => asFloat32(wasm.typedArrayFromHeap(info), 'wasm kernel'),
  };
}

/** The backends with host memory, and how to reach it. */
export const HOST_MEMORIES: readonly [string, (backend: unknown) => HostMemory][] = [
  ['cpu', cpuMemory],
  ['wasm', wasmMemory],
];

/** Registers `make(memory)` as `kernelName` on cpu and wasm, unless one is registered already. */
export function registerHostKernel(
  kernelName: string,
  make: (memory: (backend: unknown) => HostMemory) => tf.KernelFunc,
): void {
  for (const [backendName, memory] of HOST_MEMORIES) {
    // make() only when missing
    if (tf.getKernel(kernelName, backendName) == null) registerOnce(kernelName, backendName, make(memory));
  }
}
