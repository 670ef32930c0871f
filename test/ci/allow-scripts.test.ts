/**
 * npm 11's install-script policy: every installed package with an install script has an `allowScripts` entry in
 * package.json (true: it runs; false: it is skipped), so `npm install` ends without the "install scripts not covered
 * by allowScripts" warning (README, "Quick start").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  name?: string;
  scripts?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** Package folders under a node_modules folder (scoped ones included), and theirs in turn. */
function packageDirs(modules: string): string[] {
  if (!existsSync(modules)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((d) => join(modules, entry, d))
      : [join(modules, entry)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, 'package.json'))) continue;
      out.push(dir, ...packageDirs(join(dir, 'node_modules')));
    }
  }
  return out;
}

/** What npm counts as an install script: preinstall, install, postinstall, or a binding.gyp (node-gyp rebuild). */
function hasInstallScript(dir: string, manifest: Manifest): boolean {
  const s = manifest.scripts ?? {};
  return (
    s.preinstall !== undefined ||
    s.install !== undefined ||
    s.postinstall !== undefined ||
    existsSync(join(dir, 'binding.gyp'))
  );
}

test('every installed package with an install script has an allowScripts entry in package.json', () => {
  const policy = readJson(join(ROOT, 'package.json')).allowScripts ?? {};
  const withScripts = new Set<string>();
  for (const dir of packageDirs(join(ROOT, 'node_modules'))) {
    const manifest = readJson(join(dir, 'package.json'));
    if (manifest.name && hasInstallScript(dir, manifest)) withScripts.add(manifest.name);
  }
  assert.ok(withScripts.size > 0, 'found no package with an install script: is node_modules installed?');
  const uncovered = [...withScripts].filter((name) => typeof policy[name] !== 'boolean').sort();
  assert.deepEqual(uncovered, [], `add these to package.json's allowScripts: ${uncovered.join(', ')}`);
  // The optional native binding's install step downloads libtensorflow: without it the package is useless.
  assert.equal(policy['@tensorflow/tfjs-node-gpu'], true);
});
