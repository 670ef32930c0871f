/**
 * `nrelu-bench slurm`: the generated scripts are valid bash with the right sbatch options, and,
 * where Debian's slurm-wlm is installed, they run to completion on a single-node cluster started
 * on localhost by the test: the shard array, then the merge it depends on.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tinyConfig } from '../helpers/results.js';
import { slurmClient, slurmUnavailable, startLocalSlurm } from '../helpers/slurm-cluster.js';
import { readRowsSync } from '../../src/results/files.js';
import { available, requires } from '../helpers/requires.js';

const GRID = ['mlp-relu-seed1', 'mlp-relu-seed2', 'mlp-nrelu-s0.1-seed1', 'mlp-nrelu-s0.1-seed2'];
const SCRIPTS = ['array.sbatch', 'merge.sbatch', 'submit.sh'];

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-slurm-cli-'));
  dirs.push(dir);
  const config = join(dir, 'tiny.yaml');
  writeFileSync(config, tinyConfig());
  return { dir, config };
}

const shellcheckMissing =
  spawnSync('shellcheck', ['--version']).status === 0 ? null : 'shellcheck not found: apt-get install shellcheck';

test('slurm writes an sbatch array, a dependent merge job and submit.sh, all valid bash', async (t) => {
  const shellcheck = available(t, 'shellcheck', shellcheckMissing);
  const { dir, config } = setup();
  const out = join(dir, 'out');
  const r = await runCli([
    'slurm',
    config,
    'train.epochs=1',
    '--shards',
    '3',
    '--out',
    out,
    '--partition',
    'gpu',
    '--gpus-per-task',
    '1',
    '--cpus-per-task',
    '4',
    '--time',
    '01:00:00',
    '--mem',
    '8G',
    '--setup',
    'module load nodejs/20',
    '--sbatch=--qos=short',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const scripts = join(out, 'slurm');
  for (const file of SCRIPTS) {
    const n = spawnSync('bash', ['-n', join(scripts, file)], { encoding: 'utf8' });
    assert.equal(n.status, 0, `${file}: ${n.stderr}`);
    if (shellcheck) {
      const sc = spawnSync('shellcheck', ['-s', 'bash', join(scripts, file)], { encoding: 'utf8' });
      assert.equal(sc.status, 0, `${file}: ${sc.stdout}`);
    }
  }
  const array = readFileSync(join(scripts, 'array.sbatch'), 'utf8');
  for (const line of [
    '#SBATCH --array=0-2',
    '#SBATCH --partition=gpu',
    '#SBATCH --gpus-per-task=1',
    '#SBATCH --cpus-per-task=4',
    '#SBATCH --time=01:00:00',
    '#SBATCH --mem=8G',
    '#SBATCH --qos=short',
    '#SBATCH --ntasks=1',
    'module load nodejs/20',
  ]) {
    assert.ok(array.includes(`\n${line}\n`), `array.sbatch has ${line}`);
  }
  assert.match(array, /^#SBATCH --output=.*\/logs\/%x_%A_%a\.out$/m);
  assert.match(array, /run \S*tiny\.yaml train\.epochs=1 --shard slurm --out \S*\/out\/shard-"\$SLURM_ARRAY_TASK_ID"/);
  const merge = readFileSync(join(scripts, 'merge.sbatch'), 'utf8');
  assert.match(merge, / merge "\$\{shards\[@\]\}" --out "\$out"/);
  assert.match(readFileSync(join(scripts, 'submit.sh'), 'utf8'), /--dependency=afterok:"\$array_id"/);
  assert.match(r.stdout, /4 runs in 3 shard\(s\)/);

  const tooMany = await runCli(['slurm', config, '--shards', '5', '--out', out]);
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.stderr, /more than the grid's 4 runs/);
});

test(
  'the Slurm scripts run to completion on a local single-node cluster',
  requires('Slurm', slurmUnavailable(), { timeout: 300_000 }),
  async () => {
    const { dir, config } = setup();
    const out = join(dir, 'out');
    const gen = await runCli(['slurm', config, '--shards', '3', '--out', out, '--cpus-per-task', '1']);
    assert.equal(gen.code, 0, gen.stderr);
    const cluster = await startLocalSlurm();
    try {
      const submit = spawnSync('bash', [join(out, 'slurm', 'submit.sh')], { env: cluster.env, encoding: 'utf8' });
      assert.equal(submit.status, 0, submit.stderr);
      const [, arrayId, mergeId] = /array job (\d+) .*merge job (\d+)/.exec(submit.stdout) ?? [];
      assert.ok(arrayId && mergeId, submit.stdout);

      // Wait until both jobs have left the queue (a deadline, not a timed assertion).
      const deadline = Date.now() + 240_000;
      while (slurmClient(cluster, 'squeue', ['-h', '-j', `${arrayId},${mergeId}`]).trim() !== '') {
        assert.ok(Date.now() < deadline, `jobs still queued after 240 s\n${cluster.logs()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const logs = join(out, 'slurm', 'logs');
      const logText = readdirSync(logs)
        .map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8')}`)
        .join('\n');
      const state = (id: string): string =>
        /JobState=(\w+)/.exec(slurmClient(cluster, 'scontrol', ['show', 'job', id]))?.[1] ?? '?';
      assert.equal(state(mergeId), 'COMPLETED', logText);
      assert.ok(
        readdirSync(logs).some((f) => new RegExp(`_${arrayId}_2\\.out$`).test(f)),
        'logs are named %x_%A_%a',
      );

      for (const i of [0, 1, 2])
        assert.ok(existsSync(join(out, `shard-${i}`, 'summary.csv')), `shard ${i} wrote its folder`);
      const summary = readRowsSync(join(out, 'summary.csv'));
      assert.deepEqual(
        summary.map((s) => [s.run_id, s.status]),
        GRID.map((id) => [id, 'completed']),
        logText,
      );
      assert.ok(existsSync(join(out, 'comparison.md')) && existsSync(join(out, 'report.html')));
      assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).mergedFrom.length, 3);
    } finally {
      await cluster.stop();
    }
  },
);
