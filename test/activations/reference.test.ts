/**
 * Every built-in activation against PyTorch: the values and gradients that pytorch-reference.py stored in
 * pytorch-reference.json (float64), on cpu and wasm, with the fused kernels on and off, in inference and (for the
 * deterministic ones) training mode. A new activation needs only its case in the Python script; a built-in
 * activation without one fails here. The stochastic ones' training noise is tested statistically elsewhere
 * (nrelu.test.ts, rrelu.test.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../src/tf.js';
import {
  ACTIVATION_NAMES,
  createActivation,
  findActivation,
  type ActivationSpec,
} from '../../src/activations/registry.js';
import { useFusedActivationGradients } from '../../src/activations/fused-gradients.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { gradOf, run } from './helpers.js';

interface Case {
  spec: ActivationSpec;
  pytorch: string;
  y: number[];
  dydx: number[];
}

const FIXTURE_FILE = join(import.meta.dirname, 'pytorch-reference.json');
const FIXTURE = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8')) as { x: number[]; cases: Case[] };
const nameOf = (spec: ActivationSpec): string => (typeof spec === 'string' ? spec : spec.name);
const label = (c: Case): string => JSON.stringify(c.spec);

/** float32 against float64: 1e-6 absolute plus 2e-6 relative (GELU's fused erf is within 3e-7 (1 + |x|)). */
function assertClose(actual: Float32Array, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => {
    const ok = Math.abs(actual[i] - e) <= 1e-6 + 2e-6 * Math.abs(e);
    assert.ok(ok, `${what} at x = ${FIXTURE.x[i]}: ${actual[i]}, PyTorch ${e}`);
  });
}

test('the fixture has a case for every built-in activation, and only for those', () => {
  const covered = new Set(FIXTURE.cases.map((c) => nameOf(c.spec)));
  for (const name of ACTIVATION_NAMES) {
    assert.ok(covered.has(name), `${name}: no case in pytorch-reference.json (add it to pytorch-reference.py)`);
  }
  for (const name of covered) assert.ok(findActivation(name), `${name}: in the fixture but not registered`);
  const { x } = FIXTURE;
  assert.ok(x.includes(0) && x.some((v) => v < -100) && x.some((v) => v > 100), 'inputs: 0 and large values');
});

for (const backend of TEST_BACKENDS) {
  for (const fused of [true, false]) {
    describe(`every activation against PyTorch on ${backend}, fused kernels ${fused ? 'on' : 'off'}`, () => {
      let previous = true;
      before(async () => {
        await useBackend(backend);
        previous = useFusedActivationGradients(fused);
      });
      after(() => useFusedActivationGradients(previous));

      for (const c of FIXTURE.cases) {
        test(`${label(c)} = ${c.pytorch}`, () => {
          const stochastic = findActivation(nameOf(c.spec))?.stochastic === true;
          const x = tf.tensor2d([FIXTURE.x]);
          // A stochastic layer is compared in inference mode only; a deterministic one is the same in both.
          for (const training of stochastic ? [false] : [false, true]) {
            const layer = createActivation(c.spec, { seed: 1 });
            assertClose(run(layer, x, training), c.y, `${label(c)} y (training ${training})`);
            assertClose(gradOf(layer, x, training), c.dydx, `${label(c)} dy/dx (training ${training})`);
          }
          x.dispose();
        });
      }
    });
  }
}

/** The first block comment of the file that defines the built-in activation `name`. */
function docstringOf(name: string): string | undefined {
  const dir = join(import.meta.dirname, '../../src/activations');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (new RegExp(`^  name: '${name}',$`, 'm').test(text)) return /\/\*\*[\s\S]*?\*\//.exec(text)?.[0];
  }
  return undefined;
}

test("each built-in activation's file opens with the docstring shape: formula, gradient, defaults, PyTorch", () => {
  for (const name of ACTIVATION_NAMES) {
    const doc = docstringOf(name);
    assert.ok(doc, `${name}: no file in src/activations defines it`);
    for (const field of ['formula', 'gradient', 'defaults', 'PyTorch']) {
      assert.match(doc, new RegExp(`^ \\*   ${field}: +\\S`, 'm'), `${name}: its docstring has no "${field}:" line`);
    }
  }
});
