/**
 * Adam on WebGPU in three WGSL passes per variable (new m, new v, then the new x from them) instead
 * of TF.js's dozen or so whole-tensor kernels. A program writes one output, hence three. Each
 * output is the float32 expression of TF.js's adam_optimizer.js in its order (as train/fused-adam.ts
 * on cpu/wasm); only a shader compiler's fusing of a multiply and an add could change a last bit.
 */
import type { tf } from '../tf.js';
import { FUSED_ADAM_KERNEL } from './fused-kernel-contract.js';
import { registerOnce } from './register.js';
import {
  type ProgramUniform,
  type WebGpuBackendLike,
  type WebGpuProgramLike,
  type WebGpuUtil,
  flatProgram,
} from './webgpu-program.js';

const CONSTANTS =
  'beta1 : f32, oneMinusBeta1 : f32, beta2 : f32, oneMinusBeta2 : f32, ' +
  'oneMinusAccBeta1 : f32, oneMinusAccBeta2 : f32, ' +
  'epsilon : f32, negLearningRate : f32,';
const NAMES = [
  'beta1',
  'oneMinusBeta1',
  'beta2',
  'oneMinusBeta2',
  'oneMinusAccBeta1',
  'oneMinusAccBeta2',
  'epsilon',
  'negLearningRate',
];

/** The WGSL expression of each output; inputs are named as in `variableNames`. */
const OUTPUTS = {
  m: { inputs: ['m', 'g'], expression: 'm[index] * uniforms.beta1 + g[index] * uniforms.oneMinusBeta1' },
  v: { inputs: ['v', 'g'], expression: 'v[index] * uniforms.beta2 + (g[index] * g[index]) * uniforms.oneMinusBeta2' },
  x: {
    inputs: ['x', 'newM', 'newV'],
    expression:
      '((newM[index] / uniforms.oneMinusAccBeta1) / ' +
      '(sqrt(newV[index] / uniforms.oneMinusAccBeta2) + uniforms.epsilon)) ' +
      '* uniforms.negLearningRate + x[index]',
  },
} as const;

function adamProgram(util: WebGpuUtil, shape: number[], output: keyof typeof OUTPUTS): WebGpuProgramLike {
  const { inputs, expression } = OUTPUTS[output];
  return {
    ...flatProgram(util, shape, [...inputs], CONSTANTS, `nreluBenchAdam_${output}`),
    getUserCode: () => `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = ${expression};
    }
  }
`,
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Registers the Adam kernel for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
export function registerWebGpuAdamKernel(util: WebGpuUtil): void {
  registerOnce(FUSED_ADAM_KERNEL, 'webgpu', ({ inputs, backend, attrs }: KernelArgs) => {
    const { x, m, v, g } = inputs as Record<'x' | 'm' | 'v' | 'g', tf.TensorInfo>;
    const gpu = backend as unknown as WebGpuBackendLike;
    const uniforms: ProgramUniform[] = NAMES.map((name) => ({ type: 'float32', data: [attrs?.[name] as number] }));
    const newM = gpu.runWebGPUProgram(adamProgram(util, x.shape, 'm'), [m, g], 'float32', uniforms);
    const newV = gpu.runWebGPUProgram(adamProgram(util, x.shape, 'v'), [v, g], 'float32', uniforms);
    const newX = gpu.runWebGPUProgram(adamProgram(util, x.shape, 'x'), [x, newM, newV], 'float32', uniforms);
    return [newX, newM, newV];
  });
}
