/**
 * ReLU's and LeakyReLU's gradients on WebGPU as one WGSL pass each, instead of TF.js's step + cast
 * + mul (ReLU, N-ReLU) and greater + mul + select (LeakyReLU): one dispatch per activation layer
 * and step instead of two or three, and no intermediate tensors. Each output is the same single
 * float32 multiply as TF.js's composition, so the values are equal bit for bit (tested).
 */
import type { tf } from '../tf.js';
import { LEAKY_RELU_GRAD_KERNEL, RELU_GRAD_KERNEL } from './fused-kernel-contract.js';
import { registerOnce } from './register.js';
import { type WebGpuBackendLike, type WebGpuProgramLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';

/** NaN test on the bits: a shader compiler may fold `v != v` away. */
const IS_NAN = 'fn nbIsNan(v : f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }';

function reluGradProgram(util: WebGpuUtil, shape: number[]): WebGpuProgramLike {
  return {
    ...flatProgram(util, shape, ['x', 'dy'], '', 'nreluBenchReluGrad'),
    getUserCode: () => `
  ${IS_NAN}
  fn main(index : i32) {
    if (index < uniforms.size) {
      let v = x[index];
      var s = select(0.0, 1.0, v > 0.0);
      if (nbIsNan(v)) { s = v; }
      result[index] = dy[index] * s;
    }
  }
`,
  };
}

function leakyGradProgram(util: WebGpuUtil, shape: number[]): WebGpuProgramLike {
  return {
    ...flatProgram(util, shape, ['x', 'dy'], 'alpha : f32,', 'nreluBenchLeakyReluGrad'),
    getUserCode: () => `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let g = dy[index];
      result[index] = select(g * uniforms.alpha, g, x[index] > 0.0);
    }
  }
`,
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Registers both gradient kernels for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
export function registerWebGpuActivationGradKernels(util: WebGpuUtil): void {
  registerOnce(RELU_GRAD_KERNEL, 'webgpu', ({ inputs, backend }: KernelArgs) => {
    const [x, dy] = [inputs.x as tf.TensorInfo, inputs.dy as tf.TensorInfo];
    return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(
      reluGradProgram(util, x.shape),
      [x, dy],
      'float32',
    );
  });
  registerOnce(LEAKY_RELU_GRAD_KERNEL, 'webgpu', ({ inputs, backend, attrs }: KernelArgs) => {
    const [x, dy] = [inputs.x as tf.TensorInfo, inputs.dy as tf.TensorInfo];
    return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(
      leakyGradProgram(util, x.shape),
      [x, dy],
      'float32',
      [{ type: 'float32', data: [attrs?.alpha as number] }],
    );
  });
}
