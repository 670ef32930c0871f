/**
 * GELU (exact form) on WebGPU as WGSL: the float32 operations of the cpu/wasm kernel
 * (activations/gelu-kernels.ts) in its order, with its constants (gelu-constants.ts), instead of
 * TF.js's composition (about five dispatches forward, fifteen backward). Inference is one pass,
 * GELU(x); training is two, GELU(x) and GELU'(x) (a program writes one output), and the backward
 * pass is TF.js's one multiply dy * GELU'(x).
 *
 * Two steps differ in form only: rounding to an integer is WGSL's round (half to even, as the
 * 1.5 * 2^23 trick on cpu/wasm) and 2^k is ldexp. A GPU's division, and a shader compiler's fusing
 * of a multiply and an add, may change last bits: the values equal wasm's within the tolerance
 * test/backend/webgpu-gelu.test.ts states and measures.
 */
import type { tf } from '../tf.js';
import { GELU_KERNEL, GELU_TRAINING_KERNEL } from './fused-kernel-contract.js';
import * as K from './gelu-constants.js';
import { registerOnce } from './register.js';
import { type WebGpuBackendLike, type WebGpuProgramLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';

/** A float32 constant as a WGSL literal that converts to the same float32 (JavaScript's shortest form of it). */
function literal(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** WGSL of GELU(x) (.x) and GELU'(x) (.y), the operations of geluInto in gelu-kernels.ts. */
function geluSource(): string {
  const taylor = K.EXP_TAYLOR.slice(1)
    .map((c) => `    p = p * r + ${literal(c)};`)
    .join('\n');
  return `
  fn nbGelu(v : f32) -> vec2<f32> {
    let a = abs(v) * ${literal(K.SQRT1_2)};
    let t = 1.0 / (1.0 + a * ${literal(K.P)});
    let aa = a * a;
    let w = -select(aa, 80.0, aa > 80.0); // NaN stays NaN
    let k = round(w * ${literal(K.LOG2E)});
    let r = (w - k * ${literal(K.LN2HI)}) - k * ${literal(K.LN2LO)};
    var p = ${literal(K.EXP_TAYLOR[0])};
${taylor}
    let e = ldexp(p, i32(k));
    var q = t * ${literal(K.A5)} + ${literal(K.A4)};
    q = q * t + ${literal(K.A3)};
    q = q * t + ${literal(K.A2)};
    q = q * t + ${literal(K.A1)};
    q = (q * t) * e; // erfc(|x|/sqrt 2) / 2
    let phi = select(q, 1.0 - q, v > 0.0);
    return vec2<f32>(v * phi, phi + v * (e * ${literal(K.INV_SQRT_2PI)}));
  }
`;
}

/** GELU(x) (`part` 'x') or GELU'(x) ('y'), one thread per element. */
function geluProgram(util: WebGpuUtil, shape: number[], part: 'x' | 'y'): WebGpuProgramLike {
  return {
    ...flatProgram(util, shape, ['x'], '', `nreluBenchGelu_${part}`),
    getUserCode: () => `
  ${geluSource()}
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = nbGelu(x[index]).${part};
    }
  }
`,
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Registers both GELU kernels for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
export function registerWebGpuGeluKernels(util: WebGpuUtil): void {
  const run = (args: KernelArgs, part: 'x' | 'y'): tf.TensorInfo => {
    const x = args.inputs.x as tf.TensorInfo;
    const gpu = args.backend as unknown as WebGpuBackendLike;
    return gpu.runWebGPUProgram(geluProgram(util, x.shape, part), [x], 'float32');
  };
  registerOnce(GELU_KERNEL, 'webgpu', (args: KernelArgs) => run(args, 'x'));
  registerOnce(GELU_TRAINING_KERNEL, 'webgpu', (args: KernelArgs) => [run(args, 'x'), run(args, 'y')]);
}
