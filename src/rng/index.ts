/**
 * Seeded randomness for everything in a run, split by concern: seed derivation (`seed.ts`), the
 * sequential generator (`sequential.ts`) and the counter-based sampler the noise kernels use
 * (`counter.ts`). Imports nothing outside this folder.
 */
export { deriveSeed, fmix32 } from './seed.js';
export { Rng } from './sequential.js';
export {
  type CounterSampler,
  type StreamKey,
  type ZigguratTables,
  counterHash,
  computeZiggurat,
  counterUniformAt,
  createCounterSampler,
  fillCounterNormal,
  fillCounterUniform,
  normalAt,
  streamKey,
  uniformAt,
  uniformParams,
  zigguratTables,
} from './counter.js';
