/**
 * `check --rerun` as a library call: retrain a reference folder's grid from its manifest (resolved
 * config and overrides) into a new folder, so `checkAgainstReference` can compare the two. A reference
 * is data: its manifest names activation modules, but their code runs only from the user's own config.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readManifest } from '../results/manifest.js';
import { resultPaths } from '../results/files.js';
import { configModules, rebindModules } from '../config/modules.js';
import { loadConfig } from '../config/load.js';
import { type BackendName, isBackendName } from '../backend/names.js';
import { runGridWithSignals } from './signals.js';
import type { ProgressReporter } from './progress.js';

export interface RerunOptions {
  reference: string;
  into: string;
  /** The user's config whose activation modules the rerun may load (matched by name and SHA-256). */
  configFile?: string;
  /** Default: the backend the reference used. */
  backend?: BackendName;
  jobs: number | 'auto';
  only?: string[];
  workerTimeoutS?: number;
  log: (line: string) => void;
  progress?: ProgressReporter;
  quitNow?: () => never;
}

/** Retrains the reference's grid (or its `only` runs) into `into`, from scratch; true when interrupted. */
export async function rerunReference(o: RerunOptions): Promise<{ interrupted: boolean }> {
  if (resolve(o.into) === resolve(o.reference)) {
    throw new UsageError('--rerun would overwrite the reference itself', {
      hint: 'pass another folder to rerun into, e.g. /tmp/check',
    });
  }
  const manifest = readManifest(resultPaths(o.reference).manifest);
  if (!manifest)
    throw new UsageError(`reference ${o.reference} has no manifest.json`, {
      hint: 'pass a folder written by `nrelu-bench run`',
    });
  const used = manifest.backend?.name;
  const backend: BackendName =
    o.backend ?? (used !== undefined && isBackendName(used) ? used : manifest.config.backend);
  o.log(`rerunning the reference's grid (${manifest.name}, backend ${backend}) into ${o.into}`);
  const trusted = o.configFile ? configModules((await loadConfig(o.configFile)).config) : [];
  const config = rebindModules(manifest.config, manifest.activationModules, trusted, `reference ${o.reference}`);
  const run = await runGridWithSignals(
    {
      config,
      overrides: manifest.overrides,
      outDir: o.into,
      fresh: true,
      backend,
      jobs: o.jobs,
      only: o.only,
      workerTimeoutS: o.workerTimeoutS,
      // A grid run until decided reruns with its looks, which stop the same settings at the same seeds.
      ...(manifest.sequential && o.only === undefined ? { looks: manifest.sequential.looks } : {}),
    },
    o.progress,
    o.quitNow,
  );
  return { interrupted: run.interrupted };
}
