/** Bad paths and sizes give one line naming the path and what to do, never a raw EEXIST/ENOTDIR/RangeError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu-paths-'));
const file = join(dir, 'a-file');
writeFileSync(file, 'not a folder\n');
const config = join(dir, 'tiny.yaml');
writeFileSync(config, tinyConfig());

function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines[0].startsWith('error: '), r.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /EEXIST|ENOTDIR|EACCES|Invalid typed array|--verbose/);
}

test('run --out that is a file, or lies under one, is refused before the backend starts', async () => {
  for (const out of [file, join(file, 'sub')]) {
    const r = await runCli(['run', config, '--out', out]);
    oneLine(r, 2, new RegExp(`--out ${out.replace(/[/.]/g, '\\$&')}: .*file`));
    assert.doesNotMatch(r.stderr, /backend:/, 'nothing started');
  }
  const m = await runCli(['merge', dir, '--out', file]);
  oneLine(m, 2, /--out .*a-file: .*file/);
});

test('data_dir or info --data-dir pointing at a file is one line naming it', async () => {
  oneLine(
    await runCli(['run', config, '--out', join(dir, 'o'), `data_dir=${file}`]),
    2,
    /data_dir .*a-file.* is a file/,
  );
  oneLine(await runCli(['info', '--data-dir', file]), 2, /--data-dir .*a-file.* is a file/);
});

test('a bench batch too big to allocate is a usage error', async () => {
  oneLine(
    await runCli(['bench', '--batch-size', '100000000', '--steps', '1']),
    2,
    /--batch-size must be at most 65536/,
  );
});

test('check --rerun into an empty folder name is one line, not a raw mkdir error (m14)', async () => {
  const r = await runCli(['check', '', '--reference', dir, '--rerun']);
  oneLine(r, 2, /<results-dir> is empty/);
  assert.doesNotMatch(r.stderr, /ENOENT/);
});
