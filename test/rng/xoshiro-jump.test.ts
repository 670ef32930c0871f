/** Jumping ahead in xoshiro128** (src/rng/xoshiro-jump.ts) lands on Rng's own draws. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, seedState } from '../../src/rng/sequential.js';
import { jumpAhead, jumpTable, output, step } from '../../src/rng/xoshiro-jump.js';

test("step and output give Rng's draws; a jump of b blocks of 2^s lands on draw b * 2^s", () => {
  const seed = 12345;
  const draws = new Rng(seed);
  const expected = Array.from({ length: 5000 }, () => draws.nextUint32());
  let state = seedState(seed);
  for (let i = 0; i < 100; i++, state = step(state)) assert.equal(output(state), expected[i], `draw ${i}`);
  const log2Stride = 4;
  const table = jumpTable(log2Stride, 12);
  for (const blocks of [0, 1, 2, 3, 7, 100, 255, 300]) {
    let at = jumpAhead(seedState(seed), blocks, table);
    for (let r = 0; r < 16; r++, at = step(at)) {
      assert.equal(output(at), expected[blocks * 16 + r], `block ${blocks}, draw ${r}`);
    }
  }
});
