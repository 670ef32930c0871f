/** Resuming into a merged folder keeps the manifest's record of where the merged runs were trained (mergedFrom). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-provenance-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('run into a merged folder keeps mergedFrom while it adds runs', async () => {
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig());
  const out = join(dir, 'grid');
  assert.equal((await runCli(['run', config, 'seeds=[1]', '--out', out, '--no-report'])).code, 0);
  const file = join(out, 'manifest.json');
  const sources = [{ dir: '/elsewhere/shard-0', runs: ['mlp-relu-seed1'], startedAt: '2026-01-01T00:00:00.000Z' }];
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), mergedFrom: sources }));
  const r = await runCli(['run', config, '--out', out, '--no-report']);
  assert.equal(r.code, 0, r.stderr);
  const after = JSON.parse(readFileSync(file, 'utf8')) as { mergedFrom?: unknown; runs: Record<string, unknown> };
  assert.equal(Object.keys(after.runs).length, 4, 'seed 2 was added');
  assert.deepEqual(after.mergedFrom, sources);
});
