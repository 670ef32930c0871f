/**
 * Jumping ahead in the sequential generator (xoshiro128**, sequential.ts), so that a GPU can draw
 * a sequential stream in parallel: thread t starts at draw t * 2^log2Stride. xoshiro's state update
 * is linear over GF(2) on its 128 state bits, so n steps are a 128 x 128 bit matrix, M^n; the
 * jump table holds M^(2^log2Stride * 2^k) for k = 0, 1, ..., and a thread applies those of the set
 * bits of t. The WGSL in backend/webgpu-dropout.ts does the same operations as `jumpAhead`, `step`
 * and `output` here, which test/rng/xoshiro-jump.test.ts holds to Rng's draws.
 */

/** A generator state: s0, s1, s2, s3. */
export type XoshiroState = [number, number, number, number];

/** One step of the state, as Rng.nextUint32's update. */
export function step([s0, s1, s2, s3]: XoshiroState): XoshiroState {
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = (s3 << 11) | (s3 >>> 21);
  return [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0];
}

/** The draw of a state, as Rng.nextUint32's result (before its update). */
export function output(state: XoshiroState): number {
  const t1 = Math.imul(state[1], 5);
  return Math.imul((t1 << 7) | (t1 >>> 25), 9) >>> 0;
}

/** A bit matrix: column j (words 4j..4j+3) is the image of state bit j (word j >> 5, bit j & 31). */
type BitMatrix = Uint32Array;

function apply(matrix: BitMatrix, state: XoshiroState, at = 0): XoshiroState {
  const out: XoshiroState = [0, 0, 0, 0];
  for (let j = 0; j < 128; j++) {
    if (((state[j >> 5] >>> (j & 31)) & 1) === 0) continue;
    for (let w = 0; w < 4; w++) out[w] = (out[w] ^ matrix[at + 4 * j + w]) >>> 0;
  }
  return out;
}

function square(matrix: BitMatrix): BitMatrix {
  const out = new Uint32Array(512);
  for (let j = 0; j < 128; j++) {
    const column: XoshiroState = [matrix[4 * j], matrix[4 * j + 1], matrix[4 * j + 2], matrix[4 * j + 3]];
    out.set(apply(matrix, column), 4 * j);
  }
  return out;
}

function stepMatrix(): BitMatrix {
  const out = new Uint32Array(512);
  for (let j = 0; j < 128; j++) {
    const unit: XoshiroState = [0, 0, 0, 0];
    unit[j >> 5] = (1 << (j & 31)) >>> 0;
    out.set(step(unit), 4 * j);
  }
  return out;
}

const tables = new Map<string, Uint32Array>();

/** `count` matrices, 512 words each: M^(2^(log2Stride + k)) for k = 0..count-1 (cached). */
export function jumpTable(log2Stride: number, count: number): Uint32Array {
  const key = `${log2Stride}:${count}`;
  let table = tables.get(key);
  if (table === undefined) {
    table = new Uint32Array(512 * count);
    let matrix = stepMatrix();
    for (let i = 0; i < log2Stride; i++) matrix = square(matrix);
    for (let k = 0; k < count; k++) {
      table.set(matrix, 512 * k);
      if (k + 1 < count) matrix = square(matrix);
    }
    tables.set(key, table);
  }
  return table;
}

/** The state after `blocks` * 2^log2Stride steps, by the table's matrices for the set bits of `blocks`. */
export function jumpAhead(state: XoshiroState, blocks: number, table: Uint32Array): XoshiroState {
  let out = state;
  for (let k = 0; k < table.length / 512 && blocks >>> k !== 0; k++) {
    if (((blocks >>> k) & 1) === 1) out = apply(table, out, 512 * k);
  }
  return out;
}
