/**
 * The config hash of every committed run must not change: `run` skips a finished run only when its
 * hash matches the manifest's, so a changed hash would retrain hours of committed paper results.
 * Each committed folder's config is loaded again with the overrides its manifest recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expandGrid, loadConfig } from '../../src/config/index.js';

const FOLDERS = [
  { folder: 'results/paper-mlp', config: 'configs/paper-mlp.yaml' },
  { folder: 'results/paper-cnn', config: 'configs/paper-cnn.yaml' },
  { folder: 'results/reference', config: 'configs/ci.yaml' },
  { folder: 'results/mechanism-mlp', config: 'configs/mechanism-mlp.yaml' },
  { folder: 'results/mechanism-cnn', config: 'configs/mechanism-cnn.yaml' },
  { folder: 'results/stress-pilot', config: 'configs/stress-pilot.yaml' },
  { folder: 'results/fashion-mlp', config: 'configs/fashion-mlp.yaml' },
  { folder: 'results/stress-mlp', config: 'configs/stress-mlp.yaml' },
];

interface Manifest {
  overrides: string[];
  runs: Record<string, { hash: string }>;
}

for (const { folder, config } of FOLDERS) {
  test(`${config} expands to the config hashes recorded in ${folder}/manifest.json`, async () => {
    const manifest = JSON.parse(readFileSync(`${folder}/manifest.json`, 'utf8')) as Manifest;
    const recorded = Object.entries(manifest.runs);
    assert.ok(recorded.length > 0, `${folder} records runs`);
    const { config: resolved } = await loadConfig(config, manifest.overrides);
    const hashes = new Map(expandGrid(resolved).map((run) => [run.id, run.hash]));
    for (const [id, { hash }] of recorded) {
      assert.equal(hashes.get(id), hash, `${id}: config hash differs from ${folder}/manifest.json`);
    }
  });
}
