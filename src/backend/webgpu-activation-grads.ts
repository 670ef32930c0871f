/**
 * ReLU's and LeakyReLU's gradients on WebGPU as one WGSL pass each, instead of TF.js's step + cast
 * + mul (ReLU, N-ReLU) and greater + mul + select (LeakyReLU): one dispatch per activation layer
 * and step instead of two or three, and no intermediate tensors. Each output is the same single
 * float32 multiply as TF.js's composition, so the values are equal bit for bit (tested).
 *
 * PReLU's (one shared alpha) in three dispatches instead of TF.js's greater, mul, where, zeros,
 * mul, where, sum: dx in one pass (bit for bit, as LeakyReLU's, with alpha read from its buffer:
 * it lives on the GPU), and the alpha gradient as partial sums of PRELU_CHUNK consecutive terms,
 * one thread each, then TF.js's Sum over the partials. That order of summation is neither TF.js's
 * nor the wasm kernel's, so the alpha gradient differs from theirs in the last bits (tested).
 */
import { tf } from '../tf.js';
import { LEAKY_RELU_GRAD_KERNEL, PRELU_GRAD_KERNEL, RELU_GRAD_KERNEL } from './fused-kernel-contract.js';
import { registerOnce } from './register.js';
import { runBackendKernel } from './webgpu-tfjs-kernel.js';
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

function preluGradProgram(util: WebGpuUtil, shape: number[]): WebGpuProgramLike {
  return {
    ...flatProgram(util, shape, ['x', 'dy', 'alpha'], '', 'nreluBenchPreluGrad'),
    getUserCode: () => `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let g = dy[index];
      result[index] = select(g * alpha[0], g, x[index] > 0.0);
    }
  }
`,
  };
}

/** Terms of the alpha gradient one thread sums: short loops (llvmpipe allows 65,535 per invocation), few partials. */
export const PRELU_CHUNK = 256;

/** Partial sums of dy * x where x <= 0 (NaN x included, as on cpu/wasm), over PRELU_CHUNK elements each. */
function preluAlphaPartialsProgram(util: WebGpuUtil, chunks: number): WebGpuProgramLike {
  return {
    ...flatProgram(util, [chunks], ['x', 'dy'], 'n : i32, chunk : i32,', 'nreluBenchPreluAlphaPartials'),
    getUserCode: () => `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let start = index * uniforms.chunk;
      let end = min(start + uniforms.chunk, uniforms.n);
      var acc = 0.0;
      for (var i = start; i < end; i = i + 1) {
        let v = x[i];
        if (!(v > 0.0)) {
          acc = acc + dy[i] * v;
        }
      }
      result[index] = acc;
    }
  }
`,
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** PReLU's alpha gradient: the partial sums, their sum by TF.js's Sum, shaped as alpha. */
function preluAlphaGrad(util: WebGpuUtil, args: KernelArgs): tf.TensorInfo {
  const { x, dy, alpha } = args.inputs as Record<'x' | 'dy' | 'alpha', tf.TensorInfo>;
  const gpu = args.backend as unknown as WebGpuBackendLike;
  const n = tf.util.sizeFromShape(x.shape);
  const chunks = Math.max(1, Math.ceil(n / PRELU_CHUNK));
  const partials = gpu.runWebGPUProgram(preluAlphaPartialsProgram(util, chunks), [x, dy], 'float32', [
    { type: 'int32', data: [n] },
    { type: 'int32', data: [PRELU_CHUNK] },
  ]);
  const sum = runBackendKernel(tf.Sum, args.backend, { x: partials }, { axis: [0], keepDims: false });
  gpu.disposeData(partials.dataId);
  const out = runBackendKernel(tf.Reshape, args.backend, { x: sum }, { shape: alpha.shape });
  gpu.disposeData(sum.dataId);
  return out;
}

/** Registers the three gradient kernels for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
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
  registerOnce(PRELU_GRAD_KERNEL, 'webgpu', (args: KernelArgs) => {
    const { x, dy, alpha } = args.inputs as Record<'x' | 'dy' | 'alpha', tf.TensorInfo>;
    const gpu = args.backend as unknown as WebGpuBackendLike;
    const dx = gpu.runWebGPUProgram(preluGradProgram(util, x.shape), [x, dy, alpha], 'float32');
    return [dx, preluAlphaGrad(util, args)];
  });
}
