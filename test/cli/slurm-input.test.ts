/** `nrelu-bench slurm` input checks and the paths it writes into scripts and prints (no Slurm needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { cliEntry, slurmMem, slurmTime } from '../../src/runner/slurm-setup.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'nrelu slurm input '));
const config = join(dir, 'tiny.yaml');
writeFileSync(config, tinyConfig());

test('--time and --merge-time must be Slurm time limits; --mem a size', async () => {
  const r = await runCli(['slurm', config, '--shards', '2', '--out', join(dir, 'x'), '--time', 'banana']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: invalid --time 'banana'\nhint: .*04:00:00/);
  for (const bad of ['banana', '1:2:3:4', '10; rm -rf ~', '', '1-', '-5'])
    assert.throws(() => slurmTime(bad, '--merge-time'), UserError, bad);
  for (const ok of ['30', '90:00', '04:00:00', '2-00', '1-12:30', '1-00:00:00', 'UNLIMITED'])
    assert.equal(slurmTime(ok, '--time'), ok);
  for (const bad of ['lots', '16 G', '1.5G']) assert.throws(() => slurmMem(bad), UserError, bad);
  for (const ok of ['16G', '800M', '1024']) assert.equal(slurmMem(ok), ok);
});

test('the by-hand sbatch lines are quoted: copied into bash they name the scripts even with spaces in the path', async () => {
  const out = join(dir, 'out dir');
  const r = await runCli(['slurm', config, '--shards', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .split('\n')
    .filter((l) => /^\s+(jid=|sbatch )/.test(l))
    .map((l) => l.trim());
  assert.equal(lines.length, 2, r.stdout);
  // Run the two lines with a fake sbatch that prints its arguments, one per line.
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sbatch'), '#!/bin/bash\nprintf "%s\\n" "$@" >> "$SBATCH_LOG"\necho 42\n', { mode: 0o755 });
  const log = join(dir, 'sbatch.log');
  const sh = spawnSync('bash', ['-c', lines.join('\n')], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SBATCH_LOG: log },
    encoding: 'utf8',
  });
  assert.equal(sh.status, 0, sh.stderr);
  const args = readFileSync(log, 'utf8').split('\n');
  assert.ok(args.includes(join(out, 'slurm', 'array.sbatch')), args.join(' | '));
  assert.ok(args.includes(join(out, 'slurm', 'merge.sbatch')), args.join(' | '));
  assert.ok(args.includes('--dependency=afterok:42'));
});

test("the scripts call the resolved package bin, not a symlink in .bin or npx's cache", () => {
  const pkg = join(dir, 'node_modules', 'nrelu-bench', 'bin');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'nrelu-bench.js'), '');
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync('../nrelu-bench/bin/nrelu-bench.js', join(dir, 'node_modules', '.bin', 'nrelu-bench'));
  assert.deepEqual(cliEntry(join(dir, 'node_modules', '.bin', 'nrelu-bench')), {
    path: join(pkg, 'nrelu-bench.js'),
    npxCache: false,
  });
  const npx = join(dir, '.npm', '_npx', 'abc123', 'node_modules', 'nrelu-bench', 'bin');
  mkdirSync(npx, { recursive: true });
  writeFileSync(join(npx, 'nrelu-bench.js'), '');
  assert.equal(cliEntry(join(npx, 'nrelu-bench.js')).npxCache, true);
});

test('--partition and every other string that reaches a script cannot add a shell line to it', async () => {
  const out = join(dir, 'injected');
  const r = await runCli(['slurm', config, '--shards', '2', '--out', out, '--partition', 'gpu\ntouch /tmp/X']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: invalid --partition "gpu\\ntouch \/tmp\/X"\nhint: --partition is a Slurm name/);
  for (const [flag, value] of [
    ['--account', 'a b'],
    ['--setup', 'module load x\nrm -rf ~'],
    ['--sbatch', '--qos=short\necho hi'],
    ['--sbatch', 'echo'],
    ['--command', 'npx nrelu-bench\nid'],
  ]) {
    const bad = await runCli(['slurm', config, '--shards', '2', '--out', out, flag, value]);
    assert.equal(bad.code, 2, `${flag}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`^error: invalid ${flag} `), bad.stderr);
  }
  const ok = await runCli([
    'slurm',
    config,
    '--shards',
    '2',
    '--out',
    out,
    '--partition',
    'gpu,gpu-long',
    '--account',
    'proj_1.a',
    '--sbatch=--qos=short',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(readFileSync(join(out, 'slurm', 'array.sbatch'), 'utf8'), /^#SBATCH --partition=gpu,gpu-long$/m);
});

test("a $(...) in --out or in the config's output: is printed by submit.sh, never run (m10)", async () => {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'sbatch'), '#!/bin/bash\necho 42\n', { mode: 0o755 });
  const pwn = join(dir, 'PWN');
  const viaOutput = join(dir, 'output.yaml');
  writeFileSync(viaOutput, `${tinyConfig()}output: '${join(dir, 'o2$(touch${IFS}PWN)')}'\n`);
  for (const args of [
    ['slurm', config, '--shards', '2', '--out', join(dir, 'q$(touch${IFS}PWN)')],
    ['slurm', viaOutput, '--shards', '2'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    const out = args.length > 4 ? args[5] : join(dir, 'o2$(touch${IFS}PWN)');
    const sh = spawnSync('bash', [join(out, 'slurm', 'submit.sh')], {
      cwd: dir,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    assert.equal(sh.status, 0, sh.stderr);
    assert.ok(sh.stdout.includes('$(touch${IFS}PWN)'), sh.stdout);
    assert.equal(existsSync(pwn), false, `${args.join(' ')}: nothing ran`);
  }
});
