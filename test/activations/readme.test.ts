/**
 * The README's activation rows against the descriptors: the Activations table has one row per built-in
 * activation, in the registry's order, whose defaults column gives each parameter's default (or says it is
 * required); the config table's `activations` row names every activation with its parameters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { activationDescriptors, ACTIVATION_NAMES } from '../../src/activations/registry.js';
import type { ActivationDescriptor, ParamDef } from '../../src/activations/descriptor.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const builtin = (): ActivationDescriptor[] =>
  activationDescriptors().filter((d) => (ACTIVATION_NAMES as readonly string[]).includes(d.name));

/** The cells of the Activations table's rows, by the activation's name. */
function activationRows(): Map<string, string[]> {
  const section = readme.slice(readme.indexOf('\n## Activations\n'), readme.indexOf('\n### Your own activation'));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    const name = /^`([a-z_0-9]+)`$/.exec(cells[0] ?? '')?.[1];
    if (name) rows.set(name, cells);
  }
  return rows;
}

/** `key: value` in a README cell as the value it states (numbers may be written as fractions, 1/8). */
function statedDefault(cell: string, key: string): string | undefined {
  const text = new RegExp(`\`${key}: ([^\`]+)\``).exec(cell)?.[1];
  if (text === undefined) return undefined;
  const fraction = /^(\d+)\/(\d+)$/.exec(text);
  return fraction ? String(Number(fraction[1]) / Number(fraction[2])) : text.replace(/^'(.*)'$/, '$1');
}

function defaultProblem(cell: string, key: string, def: ParamDef): string | undefined {
  if (def.default === undefined) {
    return cell.includes(`\`${key}\` required`) ? undefined : `\`${key}\` required is missing`;
  }
  const stated = statedDefault(cell, key);
  if (stated === String(def.default)) return undefined;
  return `\`${key}: ${String(def.default)}\` expected, found ${stated ?? 'none'}`;
}

test("the README's Activations table: a row per built-in activation, in order, with its parameters' defaults", () => {
  const rows = activationRows();
  assert.deepEqual([...rows.keys()], [...ACTIVATION_NAMES]);
  for (const d of builtin()) {
    const defaults = (rows.get(d.name) as string[])[2];
    for (const [key, def] of Object.entries(d.params)) {
      const problem = defaultProblem(defaults, key, def);
      assert.equal(problem, undefined, `README row ${d.name}, defaults column "${defaults}": ${problem}`);
    }
    const none = Object.keys(d.params).length === 0;
    if (none) assert.equal(defaults, '–', `README row ${d.name}: no parameters, so no defaults`);
  }
});

test("the README's config table lists every built-in activation with its parameters", () => {
  const line = readme.split('\n').find((l) => l.startsWith('| `activations` |'));
  assert.ok(line, "the config table's activations row");
  for (const d of builtin()) {
    const keys = Object.keys(d.params);
    const entry = `\`${d.name}\`${keys.length ? ` (${keys.map((k) => `\`${k}\``).join(', ')})` : ''}`;
    assert.ok(line.includes(`${entry},`) || line.includes(`${entry};`), `the activations row lacks ${entry}`);
  }
});
