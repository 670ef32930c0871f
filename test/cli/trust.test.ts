/**
 * A results folder is data (docs/RELIABILITY.md): merge, report and check never import code that a
 * manifest names, and check --rerun loads a module only from the config the user passes, after its
 * SHA-256 matched the recorded one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyFolder, trainInto, writeTiny } from '../helpers/tiny-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-trust-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base = join(dir, 'base');
const marker = join(dir, 'module-ran');
const evilModule = join(dir, 'evil.mjs');

/** A copy of the base folder whose manifest names evil.mjs as its nrelu activation's module. */
function evilFolder(name: string): string {
  return copyFolder(base, join(dir, name), {
    'manifest.json': (text) => {
      const m = JSON.parse(text) as { config: { activations: unknown[] }; activationModules?: unknown[] };
      m.config.activations[1] = { module: evilModule };
      m.activationModules = [{ name: 'nrelu', path: evilModule, sha256: '0'.repeat(64) }];
      return JSON.stringify(m, null, 2);
    },
  });
}

before(async () => {
  writeFileSync(
    evilModule,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n`,
  );
  await trainInto(writeTiny(dir), base);
});

test('merge of a folder whose manifest names a module never imports it', async () => {
  const evil = evilFolder('evil-merge');
  const other = copyFolder(base, join(dir, 'other'));
  const r = await runCli(['merge', evil, other, '--out', join(dir, 'merged')]);
  assert.equal(existsSync(marker), false, `merge ran the module (exit ${r.code}: ${r.stderr})`);
});

test('report and check of such a folder never import it', async () => {
  const evil = evilFolder('evil-report');
  const report = await runCli(['report', evil]);
  assert.equal(report.code, 0, report.stderr);
  const check = await runCli(['check', evil, '--reference', base]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.equal(existsSync(marker), false, 'report or check ran the module');
});

test('check --rerun against such a reference refuses without importing it, and names --config', async () => {
  const evil = evilFolder('evil-rerun');
  const r = await runCli(['check', join(dir, 'rerun'), '--reference', evil, '--rerun', '--jobs', '1']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /uses the activation "nrelu" from a module file .*evil\.mjs.*\n.*--config/);
  assert.equal(existsSync(marker), false, 'check --rerun ran the module');
});
