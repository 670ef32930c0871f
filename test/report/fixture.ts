/**
 * Writes a small, deterministic result folder like `nrelu-bench run` does: 2 models x 5 settings
 * (relu, gelu, N-ReLU at two constant sigmas and one sigma schedule) x 2 seeds x 3 epochs, with
 * optional dormant columns, robustness.csv and a failed run. Values are smooth functions of the
 * setting, seed and epoch, so expected means can be computed in the tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEAD_COLUMNS,
  EPOCH_COLUMNS,
  ROBUSTNESS_COLUMNS,
  SUMMARY_COLUMNS,
  resultPaths,
  writeRows,
  type CellValue,
} from '../../src/results/files.js';

export interface FixtureSetting {
  tag: string;
  activation: string;
  /** The summary's sigma label; '' for activations without sigma. */
  sigma: string;
}

export const FIXTURE_MODELS = ['mlp', 'cnn'];
export const FIXTURE_SEEDS = [1, 2];
export const FIXTURE_EPOCHS = 3;
export const FIXTURE_SETTINGS: FixtureSetting[] = [
  { tag: 'relu', activation: 'relu', sigma: '' },
  { tag: 'gelu', activation: 'gelu', sigma: '' },
  { tag: 'nrelu-s0.05', activation: 'nrelu', sigma: '0.05' },
  { tag: 'nrelu-s0.1', activation: 'nrelu', sigma: '0.1' },
  { tag: 'nrelu-s0.2to0.05-linear', activation: 'nrelu', sigma: '0.2->0.05:linear' },
];
export const FIXTURE_NOISE = [0.1, 0.2, 0.3];
export const FIXTURE_UNITS = 384;

export interface FixtureOptions {
  /**
   * Fill the unit-activity columns (`dormant,dormant_fraction,zero_output` in epochs.csv,
   * `final_dormant,final_zero_output` in summary.csv); without it those columns are left out, as
   * in folders written before they existed.
   */
  dormant?: boolean;
  /** Fill the gradient-probe columns (`grad_*`, `*_grad_norm`); without it they are left out (older folders). */
  gradient?: boolean;
  /** Write robustness.csv (run_id,noise,test_acc). */
  robustness?: boolean;
  /** Add a failed mlp relu run (seed 3) with one epoch row and no final metrics. */
  failedRun?: boolean;
  /**
   * Squeeze every accuracy into 0.88 + a fiftieth of its distance from 0.9 (about 0.16 pp in all): the narrow range
   * in which a fixed `.1%` tick format printed "88.0%" on several ticks.
   */
  narrow?: boolean;
  dir?: string;
}

/** Test accuracy of a run at an epoch: rises with epochs, falls with the setting's index. */
export function fixtureAcc(model: string, settingIndex: number, seed: number, epoch: number): number {
  return 0.9 + 0.02 * epoch - 0.004 * settingIndex + 0.002 * seed + (model === 'cnn' ? 0.01 : 0);
}

export function fixtureDead(settingIndex: number, seed: number, epoch: number): number {
  return FIXTURE_SETTINGS[settingIndex].activation === 'nrelu' ? 0 : 5 * epoch + seed + settingIndex;
}

/** Units with exactly zero output in training mode: none for N-ReLU (its noise), some for the others. */
export function fixtureZero(settingIndex: number, seed: number, epoch: number): number {
  return FIXTURE_SETTINGS[settingIndex].activation === 'nrelu' ? 0 : 4 * epoch + seed;
}

/** Gradient-dead units: some for ReLU and N-ReLU (gradient 1[x > 0]), none for the activations that pass gradient everywhere. */
export function fixtureGradDead(settingIndex: number, seed: number, epoch: number): number {
  return ['relu', 'nrelu'].includes(FIXTURE_SETTINGS[settingIndex].activation) ? 3 * epoch + seed : 0;
}

function epochSigma(s: FixtureSetting, epoch: number): CellValue {
  if (s.sigma === '') return '';
  if (s.sigma.includes('->')) return 0.2 - (0.15 * epoch) / FIXTURE_EPOCHS;
  return Number(s.sigma);
}

const made: string[] = [];

/** Removes every folder writeFixture made (call from a top-level `after`). */
export async function removeFixtures(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export async function writeFixture(options: FixtureOptions = {}): Promise<string> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'nrelu-report-')));
  if (!options.dir) made.push(dir);
  const paths = resultPaths(dir);
  const activity = new Set(['dormant', 'dormant_fraction', 'zero_output', 'final_dormant', 'final_zero_output']);
  const gradient = (c: string): boolean =>
    c.startsWith('grad_') || c.startsWith('final_grad_') || c.endsWith('_grad_norm');
  const keep = (c: string): boolean => (options.dormant || !activity.has(c)) && (options.gradient || !gradient(c));
  const epochColumns = EPOCH_COLUMNS.filter(keep);
  const summaryColumns = SUMMARY_COLUMNS.filter(keep);
  const deadColumns = DEAD_COLUMNS.filter(keep);
  const epochs: Record<string, CellValue>[] = [];
  const dead: Record<string, CellValue>[] = [];
  const summary: Record<string, CellValue>[] = [];
  const robustness: Record<string, CellValue>[] = [];
  const squeeze = (acc: number): number => (options.narrow ? 0.88 + (acc - 0.9) / 50 : acc);
  for (const model of FIXTURE_MODELS) {
    FIXTURE_SETTINGS.forEach((s, i) => {
      for (const seed of FIXTURE_SEEDS) {
        const runId = `${model}-${s.tag}-seed${seed}`;
        for (let epoch = 1; epoch <= FIXTURE_EPOCHS; epoch++) {
          const acc = squeeze(fixtureAcc(model, i, seed, epoch));
          const probed = epoch !== 2; // the probe skips epoch 2, as with dead_neurons.every: 2
          const d = fixtureDead(i, seed, epoch);
          epochs.push({
            run_id: runId,
            model,
            activation: s.activation,
            sigma: epochSigma(s, epoch),
            seed,
            epoch,
            train_loss: 0.5 / (epoch + i * 0.1) + 0.01 * seed,
            train_acc: acc - 0.01,
            test_loss: 0.4 / (epoch + i * 0.1) + 0.005 * seed,
            test_acc: acc,
            dead: probed ? d : '',
            units: probed ? FIXTURE_UNITS : '',
            dead_fraction: probed ? d / FIXTURE_UNITS : '',
            epoch_seconds: 1.5,
            samples_per_second: 5000,
            dormant: probed ? d + 3 : '',
            dormant_fraction: probed ? (d + 3) / FIXTURE_UNITS : '',
            zero_output: probed ? fixtureZero(i, seed, epoch) : '',
            grad_dead: probed ? fixtureGradDead(i, seed, epoch) : '',
            grad_zero_fraction: probed ? 0.01 * fixtureGradDead(i, seed, epoch) : '',
          });
          if (probed) {
            dead.push({
              run_id: runId,
              epoch,
              layer: 'dense_1',
              dead: d,
              units: 256,
              dormant: d + 3,
              zero_output: fixtureZero(i, seed, epoch),
            });
            dead.push({ run_id: runId, epoch, layer: 'dense_2', dead: 0, units: 128, dormant: 0, zero_output: 0 });
          }
        }
        const final = squeeze(fixtureAcc(model, i, seed, FIXTURE_EPOCHS));
        summary.push({
          run_id: runId,
          model,
          activation: s.activation,
          sigma: s.sigma,
          seed,
          status: 'completed',
          epochs: FIXTURE_EPOCHS,
          final_test_acc: final,
          best_test_acc: final,
          final_test_loss: 0.4 / (FIXTURE_EPOCHS + i * 0.1) + 0.005 * seed,
          final_dead: fixtureDead(i, seed, FIXTURE_EPOCHS),
          units: FIXTURE_UNITS,
          train_seconds: 4.5,
          backend: 'cpu',
          final_dormant: fixtureDead(i, seed, FIXTURE_EPOCHS) + 3,
          final_zero_output: fixtureZero(i, seed, FIXTURE_EPOCHS),
          final_grad_dead: fixtureGradDead(i, seed, FIXTURE_EPOCHS),
          final_grad_zero_fraction: 0.01 * fixtureGradDead(i, seed, FIXTURE_EPOCHS),
        });
        for (const noise of FIXTURE_NOISE)
          robustness.push({
            run_id: runId,
            noise,
            test_acc: final - noise * (0.2 + 0.05 * i) * (options.narrow ? 0.02 : 1),
          });
      }
    });
  }
  if (options.failedRun) {
    const runId = 'mlp-relu-seed3';
    epochs.push({
      run_id: runId,
      model: 'mlp',
      activation: 'relu',
      sigma: '',
      seed: 3,
      epoch: 1,
      train_loss: 9,
      train_acc: 0.1,
      test_loss: 9,
      test_acc: 0.1,
      dead: 300,
      units: FIXTURE_UNITS,
      dead_fraction: 300 / FIXTURE_UNITS,
      epoch_seconds: 1,
      samples_per_second: 1,
    });
    summary.push({
      run_id: runId,
      model: 'mlp',
      activation: 'relu',
      sigma: '',
      seed: 3,
      status: 'failed',
      epochs: 1,
      backend: 'cpu',
    });
  }
  await writeRows(paths.epochs, epochColumns, epochs);
  await writeRows(paths.dead, deadColumns, dead);
  await writeRows(paths.summary, summaryColumns, summary);
  if (options.robustness) await writeRows(paths.robustness, ROBUSTNESS_COLUMNS, robustness);
  await writeFile(
    paths.manifest,
    `${JSON.stringify(
      {
        name: 'fixture',
        config: { dataset: 'synthetic' },
        overrides: [],
        versions: { nreluBench: '0.1.0', tfjs: '4.22.0', node: process.version },
        backend: { name: 'cpu', gpu: false, notes: [] },
        dataset: { name: 'synthetic', source: 'generated by the test' },
        startedAt: '2025-01-01T00:00:00.000Z',
        finishedAt: '2025-01-01T00:01:00.000Z',
        runs: {},
      },
      null,
      2,
    )}\n`,
  );
  return dir;
}

/** Settings in the comparison table's order. */
export const FIXTURE_SETTING_TAGS = FIXTURE_SETTINGS.map((s) => s.tag);
