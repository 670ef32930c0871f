/**
 * N-ReLU's and RReLU's fused training kernels on the WebGPU backend, in WGSL. They draw the same
 * counter-based stream as the cpu/wasm kernels (src/rng/counter.ts) on the GPU itself: element i
 * of a pass hashes (i, k0, k1) in the shader, so no noise crosses from the host, and no worker
 * draws ahead for this backend.
 *
 * Exactness: the hash is integer arithmetic (identical); a normal accepted by the ziggurat's
 * table test (98.5%) is one float32 multiply (identical to the JavaScript fast path since that
 * works in float32); the slow path's exp/log and RReLU's multiply-add may differ in the last
 * ulp on a GPU (a different wedge/tail decision is possible but rare; see the tests).
 */
import { tf } from '../tf.js';
import { uniformParams, zigguratTables } from '../rng/index.js';
import { NOISY_RELU_KERNEL, RANDOM_SLOPE_RELU_KERNEL, markDeviceNoise } from './noise-contract.js';
import { registerOnce } from './register.js';
import { type WebGpuBackendLike, type WebGpuProgramLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';

/** Ziggurat table layout in one float32 buffer: K (512), W (512), F (257). */
const K_AT = 0;
const W_AT = 512;
const F_AT = 1024;

function tableValues(): Float32Array {
  const { K, W, F } = zigguratTables();
  const out = new Float32Array(F_AT + F.length);
  out.set(Float32Array.from(K), K_AT); // K < 2^23: exact in float32
  out.set(W, W_AT);
  out.set(Float32Array.from(F), F_AT);
  return out;
}

const u32 = (v: number): string => `${v >>> 0}u`;

/** WGSL of the counter hash: bits(i) = mix32(mix32(i ^ k0) ^ k1), mix32 splitmix32's output function. */
const HASH_SOURCE = `
  fn nbMix32(v : u32) -> u32 {
    var t = (v ^ (v >> 16u)) * 0x21f0aaadu;
    t = (t ^ (t >> 15u)) * 0x735a2d97u;
    return t ^ (t >> 15u);
  }
  fn nbBits(i : u32, k0 : u32, k1 : u32) -> u32 {
    return nbMix32(nbMix32(i ^ k0) ^ k1);
  }
`;

/** WGSL of the hash and the ziggurat; reads the table buffer `T`. */
function samplerSource(): string {
  const { R, SHIFT, EXTRA_K0, EXTRA_STEP } = zigguratTables();
  const low = (1 << SHIFT) - 1;
  return `${HASH_SOURCE}
  // Uniform in (0, 1) from extra draw 'draw' of element i (k0 already tweaked).
  fn nbExtraUniform(i : u32, k0 : u32, k1 : u32, draw : u32) -> f32 {
    return (f32(nbBits(i, k0, k1 + draw * ${u32(EXTRA_STEP)})) + 0.5) / 4294967296.0;
  }
  fn nbNormalSlow(i : u32, k0 : u32, k1 : u32, first : u32) -> f32 {
    var draw = 0u;
    var u = first;
    loop {
      let b = u & ${u32(low)};
      let position = f32(u >> ${u32(SHIFT)});
      if (position < T[${K_AT}u + b]) {
        return position * T[${W_AT}u + b];
      }
      let j = b & ${u32(low >> 1)};
      var sign = 1.0;
      if ((b & ${u32((low >> 1) + 1)}) != 0u) {
        sign = -1.0;
      }
      if (j == 0u) {
        loop {
          draw = draw + 1u;
          let a = -log(nbExtraUniform(i, k0, k1, draw)) / ${R};
          draw = draw + 1u;
          let e = -log(nbExtraUniform(i, k0, k1, draw));
          if (2.0 * e > a * a) {
            return sign * (${R} + a);
          }
        }
      }
      let wx = position * T[${W_AT}u + j];
      let fj = T[${F_AT}u + j];
      let fNext = T[${F_AT}u + j + 1u];
      draw = draw + 1u;
      if (fj + nbExtraUniform(i, k0, k1, draw) * (fNext - fj) < exp(-0.5 * wx * wx)) {
        return sign * wx;
      }
      draw = draw + 1u;
      u = nbBits(i, k0, k1 + draw * ${u32(EXTRA_STEP)});
    }
  }
  fn nbNormalAt(i : u32, k0 : u32, k1 : u32) -> f32 {
    let u = nbBits(i, k0, k1);
    let b = u & ${u32(low)};
    let position = f32(u >> ${u32(SHIFT)});
    if (position < T[${K_AT}u + b]) {
      return position * T[${W_AT}u + b];
    }
    return nbNormalSlow(i, k0 ^ ${u32(EXTRA_K0)}, k1, u);
  }
`;
}

function noisyReluProgram(util: WebGpuUtil, shape: number[]): WebGpuProgramLike {
  return {
    ...flatProgram(util, shape, ['x', 'T'], 'sigma : f32, k0 : u32, k1 : u32,', 'nreluBenchNoisyRelu'),
    getUserCode: () => `
  ${samplerSource()}
  fn main(index : i32) {
    if (index < uniforms.size) {
      let v = x[index];
      var y = v;
      if (!(v > 0.0)) {
        y = nbNormalAt(u32(index), uniforms.k0, uniforms.k1) * uniforms.sigma;
      }
      result[index] = y;
    }
  }
`,
  };
}

/**
 * RReLU's output (`slopeOnly` false) or its slopes: slope = x > 0 ? 1 : low + u24 * span (drawn where x <= 0, as
 * PyTorch and the cpu kernel).
 */
function randomSlopeProgram(util: WebGpuUtil, shape: number[], slopeOnly: boolean): WebGpuProgramLike {
  return {
    ...flatProgram(
      util,
      shape,
      ['x'],
      'low : f32, span : f32, k0 : u32, k1 : u32,',
      `nreluBenchRandomSlope_${slopeOnly}`,
    ),
    getUserCode: () => `
  ${HASH_SOURCE}
  fn main(index : i32) {
    if (index < uniforms.size) {
      let v = x[index];
      var slope = 1.0;
      if (!(v > 0.0)) {
        slope = uniforms.low + f32(nbBits(u32(index), uniforms.k0, uniforms.k1) >> 8u) * uniforms.span;
      }
      result[index] = ${slopeOnly ? 'slope' : 'v * slope'};
    }
  }
`,
  };
}

const tableByBackend = new WeakMap<object, tf.TensorInfo>();

/** The table buffer, uploaded once per backend instance (a constant, not noise). */
function tableOf(backend: WebGpuBackendLike): tf.TensorInfo {
  let info = tableByBackend.get(backend);
  if (info === undefined) {
    const values = tableValues();
    info = backend.makeTensorInfo([values.length], 'float32', values);
    tableByBackend.set(backend, info);
  }
  return info;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Registers both kernels for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
export function registerWebGpuNoiseKernels(util: WebGpuUtil): void {
  markDeviceNoise('webgpu');
  registerOnce(NOISY_RELU_KERNEL, 'webgpu', ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const gpu = backend as unknown as WebGpuBackendLike;
    return gpu.runWebGPUProgram(noisyReluProgram(util, x.shape), [x, tableOf(gpu)], 'float32', [
      { type: 'float32', data: [attrs?.sigma as number] },
      { type: 'uint32', data: [(attrs?.k0 as number) >>> 0] },
      { type: 'uint32', data: [(attrs?.k1 as number) >>> 0] },
    ]);
  });
  registerOnce(RANDOM_SLOPE_RELU_KERNEL, 'webgpu', ({ inputs, backend, attrs }: KernelArgs) => {
    const x = inputs.x as tf.TensorInfo;
    const gpu = backend as unknown as WebGpuBackendLike;
    const { low, span } = uniformParams(attrs?.lower as number, attrs?.upper as number);
    const uniforms = [
      { type: 'float32' as const, data: [low] },
      { type: 'float32' as const, data: [span] },
      { type: 'uint32' as const, data: [(attrs?.k0 as number) >>> 0] },
      { type: 'uint32' as const, data: [(attrs?.k1 as number) >>> 0] },
    ];
    const y = gpu.runWebGPUProgram(randomSlopeProgram(util, x.shape, false), [x], 'float32', uniforms);
    const slope = gpu.runWebGPUProgram(randomSlopeProgram(util, x.shape, true), [x], 'float32', uniforms);
    return [y, slope];
  });
}
