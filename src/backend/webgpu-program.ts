/**
 * The few parts of @tensorflow/tfjs-backend-webgpu that our WGSL kernels use, typed here so the
 * project builds without that optional package. A program follows TF.js's conventions: inputs
 * are `var<storage, read>` arrays named after `variableNames`, the output is `result`, uniforms
 * (TF.js's own, then the program's) are `uniforms.*`, and `fn main(index : i32)` runs once per
 * output element of a flat dispatch.
 */
import type { tf } from '../tf.js';

export interface WebGpuProgramLike {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size?: boolean;
  uniforms?: string;
  getUserCode: () => string;
}

export interface ProgramUniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

/** The WebGPUBackend methods our kernels call. */
export interface WebGpuBackendLike {
  runWebGPUProgram(
    program: WebGpuProgramLike,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: ProgramUniform[],
  ): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array | Int32Array): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** The package's webgpu_util functions we use. */
export interface WebGpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(
    layout: { x: number[] },
    shape: number[],
    workgroupSize: [number, number, number],
  ): [number, number, number];
}

/** Shape, dispatch and uniforms of a program with one thread per output element. */
export function flatProgram(
  util: WebGpuUtil,
  outputShape: number[],
  variableNames: string[],
  uniforms: string,
  shaderKey: string,
): Omit<WebGpuProgramLike, 'getUserCode'> {
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const dispatchLayout = util.flatDispatchLayout(outputShape);
  return {
    outputShape,
    shaderKey,
    dispatchLayout,
    dispatch: util.computeDispatch(dispatchLayout, outputShape, workgroupSize),
    variableNames,
    workgroupSize,
    size: true,
    uniforms,
  };
}
