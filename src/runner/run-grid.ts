/**
 * Runs a config's grid (or one shard of it) into a result folder: resume (skip runs that are done
 * with an unchanged config hash, drop rows of unfinished ones), train the rest on worker processes
 * (pool.ts), write their results as they arrive (results.ts), and at the end rewrite every CSV in
 * grid order and write the folder's report (report/write.ts: the comparison, and for `run` report.html and plots/,
 * all inside the folder's lock). A failing run, or a worker that dies, is recorded as
 * `failed` and the grid goes on.
 */
import type { BackendName, ResolvedConfig, RunSpec } from '../config/types.js';
import { expandGrid } from '../config/grid.js';
import { readRows, resultPaths } from '../results/files.js';
import {
  compareSettingsOf,
  newManifest,
  readManifest,
  unionGrid,
  type FinalStatus,
  type Manifest,
} from '../results/manifest.js';
import type { ProgressReporter } from './progress.js';
import { runPool } from './pool.js';
import type { ReadyInfo, RunOutcome } from './worker-process.js';
import { ResultWriter, clearResults, finishedRuns, pruneModels, pruneRuns } from '../results/writer.js';
import { writeFolderReport, type FolderReport } from '../report/write.js';
import { selectShard, shardLabel, type Shard } from './shard.js';
import { selectOnly } from './only.js';
import { UsageError } from '../errors.js';
import { settingDiff, specsFor } from '../results/pooling.js';
import { trainInLooks } from './until-decided.js';

export interface RunGridOptions {
  config: ResolvedConfig;
  overrides: string[];
  outDir: string;
  fresh?: boolean;
  backend?: BackendName;
  progress: ProgressReporter;
  shouldStop?: () => boolean;
  /** Runs trained at once, each in its own worker process; default 'auto' (see pool.ts). */
  jobs?: number | 'auto';
  /** Train only this slice of the grid (the folder still gets the whole grid's order). */
  shard?: Shard | null;
  /** Train only the runs with these ids (`--only`). */
  only?: string[];
  /** Write each completed run's final model to `<outDir>/models/<run-id>/` (`--save-models`). */
  saveModels?: boolean;
  /** Seconds a worker may stay silent (no heartbeat) before its run fails (`--worker-timeout`). */
  workerTimeoutS?: number;
  /**
   * `--until-decided`: train in these looks (seeds per look; the config's seeds are the planned ones, in order) and
   * stop each setting once the group-sequential design decides it (until-decided.ts).
   */
  looks?: number[];
  /** Also write report.html and plots/ at the end (`run`; not `check --rerun`). */
  html?: boolean;
}

/** The grid's outcome and the folder's report (comparison, report.html when asked, sparklines). */
export interface RunGridResult extends FolderReport {
  outDir: string;
  runs: { id: string; status: FinalStatus | 'interrupted' | 'skipped' }[];
  interrupted: boolean;
  failed: number;
}

/** The manifest's record of the user activation modules the grid uses (nothing when it uses none). */
function activationModulesOf(specs: RunSpec[]): Pick<Manifest, 'activationModules'> {
  const modules = new Map<string, { name: string; path: string; sha256: string }>();
  for (const { activation: a } of specs) if (a.module) modules.set(a.module.path, { name: a.name, ...a.module });
  return modules.size > 0 ? { activationModules: [...modules.values()] } : {};
}

/**
 * Refuses to train into a folder whose finished runs came from another backend: backends differ in the
 * last digits, so the comparison would mix them silently and the manifest would name only the last one.
 */
function refuseOtherBackend(previous: Manifest | null, backend: string, outDir: string): void {
  const was = previous?.backend?.name;
  const finished = Object.values(previous?.runs ?? {}).filter(
    (r) => r.status === 'completed' || r.status === 'diverged',
  ).length;
  if (!was || was === backend || finished === 0) return;
  throw new UsageError(
    `${outDir} holds ${finished} run${finished === 1 ? '' : 's'} ` +
      `trained on the ${was} backend; this run would use ${backend}`,
    {
      hint:
        `pass --backend ${was} to add to this folder, or run into another folder ` +
        `(merge --allow-mixed-backends combines them on purpose); --fresh starts over`,
    },
  );
}

/** The previous grid's spec of each run id (its seeds read from the ids it holds), when its config still expands. */
function previousSpecs(previous: Manifest | null): Map<string, RunSpec> {
  if (!previous) return new Map();
  const seeds = Object.keys(previous.runs).flatMap((id) => /-seed(\d+)$/.exec(id)?.[1] ?? []);
  return specsFor(previous.config, seeds.map(Number)) ?? new Map();
}

/**
 * Refuses to train a run over a finished run of the same id trained with other settings: that run's results would be
 * lost, and the runs left beside it would be compared with settings they were not trained with. Names the keys that
 * differ where the folder's manifest can tell.
 */
function refuseChangedRuns(previous: Manifest | null, selected: RunSpec[], outDir: string): void {
  const changed = selected.filter((s) => {
    const rec = previous?.runs[s.id];
    return rec && rec.hash !== s.hash && (rec.status === 'completed' || rec.status === 'diverged');
  });
  if (changed.length === 0) return;
  const before = previousSpecs(previous).get(changed[0].id);
  const diff =
    before && before.hash === previous?.runs[changed[0].id]?.hash
      ? settingDiff(before, changed[0])
      : 'settings the manifest no longer describes in full';
  const n = changed.length;
  throw new UsageError(
    `${outDir} holds ${n} finished run${plural(n)} with the same id${n === 1 ? '' : 's'} but other settings ` +
      `(${changed
        .slice(0, 3)
        .map((s) => s.id)
        .join(', ')}${n > 3 ? ', ...' : ''}: ${diff}); training would overwrite ${n === 1 ? 'it' : 'them'}`,
    {
      hint:
        'run into another folder with --out, or pass --fresh to start this folder over ' +
        '(--fresh --only <ids> retrains just those runs and keeps the others)',
    },
  );
}

/** The folder made ready for the grid: what is selected, what is done already, and what trains now. */
interface GridPlan {
  specs: RunSpec[];
  /** The runs this command covers (its shard and --only). */
  selected: RunSpec[];
  previous: Manifest | null;
  manifest: Manifest;
  done: Set<string>;
  todo: RunSpec[];
}

/** The manifest this command starts from: the folder's runs, backend, dataset and provenance; the grids' union. */
function startManifest(options: RunGridOptions, specs: RunSpec[], previous: Manifest | null): Manifest {
  return {
    ...newManifest(unionGrid(previous?.config, options.config), options.overrides),
    runs: previous?.runs ?? {},
    backend: previous?.backend ?? null,
    dataset: previous?.dataset ?? null,
    // Where runs merged into this folder were trained: resuming into it must not erase their provenance.
    ...(previous?.mergedFrom ? { mergedFrom: previous.mergedFrom } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    ...activationModulesOf(specs),
  };
}

/** Resume or start over: which runs are done, and the rows of the runs about to train (or damaged) removed. */
async function prepareFolder(options: RunGridOptions): Promise<GridPlan> {
  const { config, outDir, progress } = options;
  const specs = expandGrid(config);
  const selected = selectOnly(specs, selectShard(specs, options.shard), options.only);
  // --fresh with --only or --shard starts over for the selected runs only: the folder's other runs are
  // kept (deleting them unasked would lose results the command never named).
  const partialFresh = options.fresh === true && (options.only !== undefined || !!options.shard);
  const existing = readManifest(resultPaths(outDir).manifest);
  // Checked before anything is deleted: a refused command leaves the folder as it was.
  if (!options.fresh) refuseChangedRuns(existing, selected, outDir);
  if (options.fresh && !partialFresh) await clearResults(outDir);
  const previous = options.fresh && !partialFresh ? readManifest(resultPaths(outDir).manifest) : existing;
  const manifest = startManifest(options, specs, previous);
  const requested = options.backend ?? config.backend;
  if (requested !== 'auto') refuseOtherBackend(previous, requested, outDir);
  // Only the rows of runs about to train again are dropped: done runs of the whole grid (also those
  // of other shards in the same folder) and every run outside this grid keep theirs.
  const { done, damaged, notes } = await finishedRuns(outDir, previous, specs);
  for (const note of notes) progress.log(note);
  if (partialFresh) {
    const kept = Object.keys(previous?.runs ?? {}).filter((id) => !selected.some((s) => s.id === id)).length;
    for (const s of selected) done.delete(s.id);
    progress.log(
      `--fresh: retraining the ${selected.length} selected run${plural(selected.length)}; ` +
        `keeping the folder's ${kept} other run${plural(kept)}`,
    );
  }
  const todo = selected.filter((s) => !done.has(s.id));
  // A run with a damaged row loses all its rows, also when it is not trained now (another shard,
  // --only, outside this grid): its manifest entry goes too, so the next run of its grid retrains it
  // instead of trusting rows that are gone.
  const todoIds = new Set(todo.map((s) => s.id));
  for (const id of damaged) if (!todoIds.has(id)) delete manifest.runs[id];
  await pruneRuns(outDir, new Set([...todoIds, ...damaged]));
  await pruneModels(outDir, [...todoIds, ...damaged]);
  return { specs, selected, previous, manifest, done, todo };
}

const plural = (n: number): string => (n === 1 ? '' : 's');

/** What the folder keeps beside this command's runs, and which slice of the grid it trains. */
function logSelection(options: RunGridOptions, { specs, selected, manifest }: GridPlan): void {
  const { outDir, progress, shard, only } = options;
  const inGrid = new Set(specs.map((s) => s.id));
  const outside = Object.keys(manifest.runs).filter((id) => !inGrid.has(id));
  if (outside.length > 0) {
    progress.log(
      `keeping the results of ${outside.length} run${plural(outside.length)} outside this grid in ${outDir} ` +
        '(earlier runs into this folder; the comparison pools them only with runs of the same settings; ' +
        '--fresh starts over)',
    );
  }
  const of = `${selected.length} of the grid's ${specs.length} runs`;
  if (shard) progress.log(`shard ${shardLabel(shard)}: ${of}`);
  if (only) progress.log(`only: ${of} (${selected.map((s) => s.id).join(', ') || 'none in this shard'})`);
}

/** One grid's training: the plan, the writer, and what the workers have reported so far. */
interface GridRun {
  options: RunGridOptions;
  plan: GridPlan;
  writer: ResultWriter;
  /** The backend the runs trained on (the folder's, until the first worker reports its own). */
  backendName: string;
  runs: RunGridResult['runs'];
  interrupted: boolean;
}

const userStop = (run: GridRun): boolean => run.options.shouldStop?.() ?? false;

/** The first worker's backend and dataset, checked against the folder's and written to the manifest. */
async function recordReady(run: GridRun, { backend, dataset }: ReadyInfo, jobs: number): Promise<void> {
  const {
    options: { progress, outDir },
    plan,
    writer,
  } = run;
  refuseOtherBackend(plan.previous, backend.name, outDir);
  for (const note of backend.notes) progress.log(`backend: ${note}`);
  progress.log(
    `backend: ${backend.name}${backend.gpu ? ' (GPU)' : ''}; ${jobs} run${plural(jobs)} at a time, ` +
      'each worker its own process',
  );
  if (backend.gpu && jobs > 1) {
    progress.log(`note: ${jobs} runs share the GPU; use --jobs 1 if they run out of GPU memory`);
  }
  run.backendName = backend.name;
  plan.manifest.backend = backend;
  plan.manifest.dataset = dataset;
  plan.manifest.jobs = jobs;
  await writer.writeManifest();
}

/** Writes a run's outcome; a worker stopped by a signal that did not come through the runner counts as failed. */
async function recordOutcome(run: GridRun, spec: RunSpec, outcome: RunOutcome): Promise<void> {
  const {
    writer,
    options: { progress },
  } = run;
  let { status, message } = outcome;
  if (status === 'interrupted' && !userStop(run)) {
    // A worker stopped by a signal that did not come through the runner (e.g. `kill <pid>`).
    status = 'failed';
    message = `its worker process was stopped by SIGINT/SIGTERM${message ? ` (${message})` : ''}`;
  }
  if (status === 'interrupted') {
    await writer.interrupted(spec, message);
    run.interrupted = true;
  } else {
    // A run asked to save its model is completed only with its model saved: otherwise it trains again on resume.
    const unsaved = status === 'completed' && outcome.model ? await writer.savedModel(spec, outcome.model) : null;
    if (unsaved) [status, message] = ['failed', `its model could not be saved: ${unsaved}`];
    await writer.finished(spec, status, outcome.result, run.backendName, message);
    progress.endRun(spec.id, status, message);
  }
  run.runs.push({ id: spec.id, status });
}

/** Trains the plan's runs on the worker pool, writing each result as it arrives. */
async function trainPlan(run: GridRun): Promise<void> {
  const { options, plan, writer } = run;
  const { config, progress } = options;
  const { notStarted } = await runPool({
    specs: plan.todo,
    jobs: options.jobs ?? 'auto',
    workerTimeoutMs: options.workerTimeoutS === undefined ? undefined : options.workerTimeoutS * 1000,
    init: {
      backend: options.backend ?? config.backend,
      dataset: config.dataset,
      dataDir: config.dataDir,
      standardize: config.standardize,
      saveModels: options.saveModels,
    },
    shouldStop: () => userStop(run) || writer.failed,
    log: (line) => progress.log(line),
    onReady: (ready, jobs) => recordReady(run, ready, jobs),
    onStart: (spec, pid) => progress.startRun(spec.id, spec.train.epochs, `worker ${pid ?? '?'}`),
    onBatch: (spec, p) => progress.batch(p, spec.id),
    onEpoch: (spec, r) => {
      void writer.epoch(spec, r);
      progress.epoch(spec.id, r, spec.train.epochs);
    },
    onDone: (spec, outcome) => recordOutcome(run, spec, outcome),
  });
  if (notStarted.length > 0) run.interrupted = true;
}

/** `--until-decided`: the plan's runs look by look, the looks held recorded in the manifest. */
async function trainLooks(run: GridRun, looks: number[]): Promise<void> {
  const { options, plan, writer } = run;
  const todo = new Set(plan.todo.map((s) => s.id));
  const compare = compareSettingsOf(options.config.compare);
  const record = await trainInLooks({
    specs: plan.specs,
    seeds: options.config.seeds,
    looks,
    marginPp: compare.margin,
    baseline: compare.baseline,
    train: async (runs) => {
      plan.todo = runs.filter((s) => todo.has(s.id));
      if (plan.todo.length > 0) await trainPlan(run);
    },
    summary: async () => {
      await writer.flush();
      return readRows(resultPaths(options.outDir).summary);
    },
    stopped: () => run.interrupted || userStop(run) || writer.failed,
    log: (line) => options.progress.log(line),
  });
  if (record) plan.manifest.sequential = record;
}

export async function runGrid(options: RunGridOptions): Promise<RunGridResult> {
  const { config, outDir, progress } = options;
  const plan = await prepareFolder(options);
  const { specs, selected, previous, manifest, done, todo } = plan;
  const run: GridRun = {
    options,
    plan,
    writer: new ResultWriter(outDir, manifest),
    backendName: previous?.backend?.name ?? '',
    interrupted: false,
    runs: selected.filter((s) => done.has(s.id)).map((s) => ({ id: s.id, status: 'skipped' as const })),
  };
  logSelection(options, plan);
  if (todo.length === 0) await run.writer.writeManifest();
  progress.startGrid(selected.length, selected.length - todo.length);
  try {
    if (options.looks) await trainLooks(run, options.looks);
    else await trainPlan(run);
  } finally {
    progress.stop();
  }
  await run.writer.flush();
  if (!run.interrupted) manifest.finishedAt = new Date().toISOString();
  await run.writer.writeManifest();
  await run.writer.flush();
  const report = await writeFolderReport(outDir, {
    order: specs.map((s) => s.id),
    title: config.name,
    html: options.html,
  });
  const failed = run.runs.filter((r) => r.status === 'failed').length;
  return { outDir, runs: run.runs, ...report, interrupted: run.interrupted, failed };
}
