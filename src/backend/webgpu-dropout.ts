/**
 * SeededDropout's mask on WebGPU, drawn in WGSL from the layer's own stream (xoshiro128**, seeded
 * as Rng(seed), draw i for element i), so no mask is drawn on the host and uploaded every step.
 * Thread t draws elements t * CHUNK .. t * CHUNK + CHUNK - 1: it jumps to draw t * CHUNK by the
 * bit matrices of src/rng/xoshiro-jump.ts (a constant table, uploaded once per backend), then
 * steps. The draws are integer arithmetic and the keep test an integer comparison, so the mask
 * equals the host's bit for bit (tested).
 */
import { tf } from '../tf.js';
import { seedState } from '../rng/sequential.js';
import { jumpTable } from '../rng/xoshiro-jump.js';
import { DROPOUT_MASK_KERNEL } from './noise-contract.js';
import { registerOnce } from './register.js';
import { type WebGpuBackendLike, type WebGpuProgramLike, type WebGpuUtil, flatProgram } from './webgpu-program.js';
import { runBackendKernel } from './webgpu-tfjs-kernel.js';

/** Draws per thread: 2^LOG2_CHUNK. */
const LOG2_CHUNK = 6;
/** Jump matrices: thread indices below 2^JUMPS, so masks of up to 2^32 elements. */
const JUMPS = 32 - LOG2_CHUNK;

function maskProgram(util: WebGpuUtil, n: number): WebGpuProgramLike {
  const threads = Math.ceil(n / 2 ** LOG2_CHUNK);
  return {
    ...flatProgram(
      util,
      [threads],
      ['J'],
      's0 : u32, s1 : u32, s2 : u32, s3 : u32, keepMax : u32, scale : f32, threads : i32,',
      'nreluBenchDropoutMask',
    ),
    outputShape: [n],
    getUserCode: () => `
  fn nbStep(s : vec4<u32>) -> vec4<u32> {
    var v = s;
    let t = v.y << 9u;
    v.z = v.z ^ v.x;
    v.w = v.w ^ v.y;
    v.y = v.y ^ v.z;
    v.x = v.x ^ v.w;
    v.z = v.z ^ t;
    v.w = (v.w << 11u) | (v.w >> 21u);
    return v;
  }
  fn nbOutput(s : vec4<u32>) -> u32 {
    let t1 = s.y * 5u;
    return ((t1 << 7u) | (t1 >> 25u)) * 9u;
  }
  // The state after blocks * 2^${LOG2_CHUNK} steps: matrix k of J for each set bit k of blocks.
  fn nbJump(s : vec4<u32>, blocks : u32) -> vec4<u32> {
    var out = s;
    for (var k = 0u; k < ${JUMPS}u && (blocks >> k) != 0u; k = k + 1u) {
      if (((blocks >> k) & 1u) == 1u) {
        var acc = vec4<u32>(0u, 0u, 0u, 0u);
        for (var j = 0u; j < 128u; j = j + 1u) {
          if (((out[j >> 5u] >> (j & 31u)) & 1u) == 1u) {
            let at = i32(512u * k + 4u * j);
            acc = acc ^ vec4<u32>(bitcast<u32>(J[at]), bitcast<u32>(J[at + 1]), bitcast<u32>(J[at + 2]),
              bitcast<u32>(J[at + 3]));
          }
        }
        out = acc;
      }
    }
    return out;
  }
  fn main(index : i32) {
    if (index < uniforms.threads) {
      var s = nbJump(vec4<u32>(uniforms.s0, uniforms.s1, uniforms.s2, uniforms.s3), u32(index));
      let start = index * ${2 ** LOG2_CHUNK};
      let end = min(start + ${2 ** LOG2_CHUNK}, uniforms.size);
      for (var i = start; i < end; i = i + 1) {
        result[i] = select(0.0, uniforms.scale, nbOutput(s) <= uniforms.keepMax);
        s = nbStep(s);
      }
    }
  }
`,
  };
}

const tableByBackend = new WeakMap<object, tf.TensorInfo>();

/** The jump matrices, uploaded once per backend instance (a constant). */
function tableOf(backend: WebGpuBackendLike): tf.TensorInfo {
  let info = tableByBackend.get(backend);
  if (info === undefined) {
    const words = jumpTable(LOG2_CHUNK, JUMPS);
    info = backend.makeTensorInfo([words.length], 'int32', new Int32Array(words.buffer));
    tableByBackend.set(backend, info);
  }
  return info;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Registers the mask kernel for 'webgpu' (idempotent); `util` is the package's webgpu_util. */
export function registerWebGpuDropoutKernel(util: WebGpuUtil): void {
  registerOnce(DROPOUT_MASK_KERNEL, 'webgpu', ({ backend, attrs }: KernelArgs) => {
    const gpu = backend as unknown as WebGpuBackendLike;
    const shape = attrs?.shape as number[];
    const n = tf.util.sizeFromShape(shape);
    const keep = 1 - (attrs?.rate as number);
    // Draw u is kept where u / 2^32 < keep (the host's test, exact in doubles), that is u <= ceil(keep 2^32) - 1.
    const keepMax = Math.ceil(keep * 4294967296) - 1;
    const s = seedState(attrs?.seed as number);
    const mask = gpu.runWebGPUProgram(maskProgram(util, n), [tableOf(gpu)], 'float32', [
      ...s.map((word) => ({ type: 'uint32' as const, data: [word] })),
      { type: 'uint32', data: [keepMax] },
      { type: 'float32', data: [1 / keep] },
      { type: 'int32', data: [Math.ceil(n / 2 ** LOG2_CHUNK)] },
    ]);
    const out = runBackendKernel(tf.Reshape, backend, { x: mask }, { shape });
    gpu.disposeData(mask.dataId);
    return out;
  });
}
