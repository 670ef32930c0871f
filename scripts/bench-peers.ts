/**
 * The side-by-side part of `npm run bench`: this build's ReLU training step against (a) an older
 * build of nrelu-bench (`--baseline DIR`, e.g. a `git worktree` of the commit before a change)
 * and (b) PyTorch on the same machine (scripts/bench_torch.py, when a python3 with torch is
 * found), with 1 thread and with one thread per core (each count in its own process, with
 * OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to it). Each contender runs in its own process,
 * in turn, round after round, so machine drift hits them alike; each round gives one ratio per
 * pair and the table reports the median ratio over rounds with its min–max.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModelKind } from '../src/models/build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TORCH_SCRIPT = join(ROOT, 'scripts', 'bench_torch.py');

export interface PeerOptions {
  models: ModelKind[];
  steps: Record<ModelKind, number>;
  rounds: number;
  /** A checkout of an older nrelu-bench (with node_modules) to time in the same rounds. */
  baseline?: string;
  /** false: do not look for PyTorch. */
  torch: boolean;
  log: (line: string) => void;
}

/** Median and fastest step ms of each contender in one round. */
type Round = Record<string, { median: number; min: number }>;

export interface PeerReport {
  /** The python3 that imported torch, its version and BLAS, or why the peer was skipped. */
  torch: { python: string; version: string; blas: string } | { skipped: string };
  threads: number;
  baseline?: string;
  rounds: Record<ModelKind, Round[]>;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The first of $NRELU_BENCH_PYTHON, python3, /usr/bin/python3 that can import torch. */
export function findTorchPython(): string | null {
  const candidates = [process.env.NRELU_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (probe.status === 0) return python;
  }
  return null;
}

function runJson(
  command: string,
  args: string[],
  cwd: string,
  what: string,
  env: Record<string, string> = {},
): unknown {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 16 * 2 ** 20,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  const line = result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (line == null) throw new Error(`${what} printed no JSON`);
  return JSON.parse(line) as unknown;
}

/** One `nrelu-bench bench --json` of the build in `root` (its sources, run with tsx). */
function harnessStepMs(root: string, model: ModelKind, steps: number): { median: number; min: number } {
  const entry = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;
  const code = `const { main } = await import(${JSON.stringify(entry)}); process.exitCode = await main(['node', 'nrelu-bench', ...process.argv.slice(1)]);`;
  const out = runJson(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      code,
      'bench',
      '--model',
      model,
      '--activation',
      'relu',
      '--backend',
      'wasm',
      '--steps',
      String(steps),
      '--json',
    ],
    root,
    `nrelu-bench bench in ${root}`,
  ) as { step_ms_median: number; step_ms_min: number };
  return { median: out.step_ms_median, min: out.step_ms_min };
}

export async function benchPeers(options: PeerOptions): Promise<PeerReport> {
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const python = options.torch ? findTorchPython() : null;
  let torch: PeerReport['torch'] = {
    skipped: options.torch
      ? 'no python3 with torch found (apt-get install python3-torch libopenblas0-pthread)'
      : '--no-peer',
  };
  const baseline = options.baseline ? resolve(options.baseline) : undefined;
  if (baseline && !existsSync(join(baseline, 'src', 'cli', 'main.ts')))
    throw new Error(`--baseline ${baseline}: no src/cli/main.ts there`);
  const rounds = Object.fromEntries(options.models.map((m) => [m, [] as Round[]])) as Record<ModelKind, Round[]>;
  const threadList = threads > 1 ? [1, threads] : [1];
  for (let r = 1; r <= options.rounds; r++) {
    for (const model of options.models) {
      const steps = options.steps[model];
      const round: Round = {};
      options.log(`  round ${r}/${options.rounds}, ${model}: this build`);
      round.ours = harnessStepMs(ROOT, model, steps);
      if (baseline) {
        options.log(`  round ${r}/${options.rounds}, ${model}: baseline ${baseline}`);
        round.baseline = harnessStepMs(baseline, model, steps);
      }
      if (python) {
        const stats = (ms: number[]) => ({ median: median(ms), min: Math.min(...ms) });
        for (const t of threadList) {
          options.log(`  round ${r}/${options.rounds}, ${model}: PyTorch, ${t} thread${t > 1 ? 's' : ''}`);
          // One process per thread count, with OpenMP's and OpenBLAS's pools of that size: alternating
          // counts in one process left the larger pool's threads spinning into the 1-thread steps
          // (medians 2-4x their fastest step on an idle machine).
          const n = String(t);
          const out = runJson(
            python,
            [TORCH_SCRIPT, '--model', model, '--threads', n, '--steps', String(steps)],
            ROOT,
            'bench_torch.py',
            { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n },
          ) as { torch: string; blas: string; step_ms: Record<string, number[]> };
          torch = { python, version: out.torch, blas: out.blas };
          if (t === 1) round.torch1 = stats(out.step_ms[n]);
          else round.torchAll = stats(out.step_ms[n]);
        }
      }
      rounds[model].push(round);
      await new Promise((done) => setImmediate(done));
    }
  }
  return { torch, threads, baseline, rounds };
}

/** Median and min–max over rounds of numerator/denominator (of the rounds' medians, or of their fastest steps). */
export function roundRatio(
  rounds: Round[],
  numerator: string,
  denominator: string,
  of: 'median' | 'min' = 'median',
): { median: number; min: number; max: number } | null {
  const ratios = rounds
    .filter((r) => r[numerator] != null && r[denominator] != null)
    .map((r) => r[numerator][of] / r[denominator][of]);
  if (ratios.length === 0) return null;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

export function peerLines(report: PeerReport): string[] {
  const f2 = (v: number): string => v.toFixed(2);
  const ratio = (r: ReturnType<typeof roundRatio>): string => (r ? `${f2(r.median)} (${f2(r.min)}–${f2(r.max)})` : '—');
  const both = (rounds: Round[], a: string, b: string): string =>
    `${ratio(roundRatio(rounds, a, b))}; fastest: ${ratio(roundRatio(rounds, a, b, 'min'))}`;
  const torchNote =
    'skipped' in report.torch
      ? `PyTorch peer skipped: ${report.torch.skipped}.`
      : `PyTorch ${report.torch.version} (${report.torch.python}; BLAS: ${report.torch.blas}), same models, batch 128, Adam, synthetic data (scripts/bench_torch.py).`;
  const lines = [
    '## Side by side: the build before, and PyTorch',
    '',
    `ReLU training step, each contender in its own process, in turn, ${Object.values(report.rounds)[0]?.length ?? 0} rounds; ` +
      "step ms is the median over rounds of each round's median / the fastest step of all rounds; a speed ratio is the other's " +
      "step time over this build's (above 1: this build is faster), of the rounds' medians and of their fastest steps, each the " +
      "median over rounds (min–max over rounds). On a busy machine the fastest steps show the code's own cost. " +
      torchNote +
      (report.baseline ? ` Baseline: ${report.baseline}.` : ' No baseline given (--baseline DIR).'),
    '',
    `| model | this build step ms | baseline step ms | speed-up over baseline | PyTorch 1 thread ms | speed vs PyTorch 1 thread | PyTorch ${report.threads} threads ms | speed vs PyTorch ${report.threads} threads |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [model, rounds] of Object.entries(report.rounds)) {
    const med = (k: string): string => {
      const v = rounds.map((r) => r[k]).filter((x) => x != null);
      return v.length ? `${f2(median(v.map((x) => x.median)))} / ${f2(Math.min(...v.map((x) => x.min)))}` : '—';
    };
    lines.push(
      `| ${model.toUpperCase()} | ${med('ours')} | ${med('baseline')} | ${both(rounds, 'baseline', 'ours')} | ` +
        `${med('torch1')} | ${both(rounds, 'torch1', 'ours')} | ${med('torchAll')} | ${both(rounds, 'torchAll', 'ours')} |`,
    );
  }
  lines.push('');
  return lines;
}
