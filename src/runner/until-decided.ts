/**
 * `run --until-decided`: trains a grid in looks of a group-sequential design (stats/sequential.ts via
 * report/sequential.ts). Every setting trains to the first look; after each look the settings that are decided
 * (better, worse, equivalent) stop, the baseline trains on while any setting of its model continues, and the
 * next look's seeds train for the rest. The looks held, their boundaries and decisions go to the manifest
 * (`sequential`) and from there to comparison.md.
 */
import type { RunSpec } from '../config/types.js';
import { modelLabel } from '../config/grid.js';
import { UsageError } from '../errors.js';
import type { Row } from '../results/files.js';
import type { SequentialRecord } from '../results/manifest.js';
import { decidedSettings, sequentialRecord } from '../report/sequential.js';

export const DEFAULT_LOOKS = [4, 8, 12, 16];

/** `--looks` and `--max-seeds` as the looks: the last look is the maximum; either one alone sets the other. */
export function parseLooks(looks: string | undefined, maxSeeds: string | undefined): number[] {
  const max = maxSeeds === undefined ? undefined : Number(maxSeeds);
  if (max !== undefined && !(Number.isInteger(max) && max >= 2))
    throw new UsageError(`--max-seeds ${maxSeeds} is not a whole number >= 2`, { hint: 'e.g. --max-seeds 16' });
  let out =
    looks === undefined ? DEFAULT_LOOKS.filter((n) => max === undefined || n < max) : looks.split(',').map(Number);
  if (looks === undefined && max !== undefined) out = [...out, max];
  const ascending = out.every((n, i) => Number.isInteger(n) && n >= 2 && (i === 0 || n > out[i - 1]));
  if (out.length === 0 || !ascending)
    throw new UsageError(`--looks ${looks} is not a list of whole numbers of seeds >= 2 in ascending order`, {
      hint: 'e.g. --looks 4,8,12,16 (the last look is the maximum number of seeds)',
    });
  if (max !== undefined && out[out.length - 1] !== max)
    throw new UsageError(`--looks ${looks} ends at ${out[out.length - 1]} seeds, but --max-seeds is ${max}`, {
      hint: 'the last look is the maximum: end --looks with it, or leave --max-seeds out',
    });
  return out;
}

/** The seeds in the order looks add them: the config's, then the next whole numbers, `max` in all. */
export function plannedSeeds(seeds: number[], max: number): number[] {
  const out = seeds.slice(0, max);
  for (let s = Math.max(0, ...seeds) + 1; out.length < max; s++) out.push(s);
  return out;
}

/** What `trainInLooks` needs from the grid runner. */
export interface LookTrainer {
  /** The grid, its seeds being `plannedSeeds`. */
  specs: RunSpec[];
  seeds: number[];
  looks: number[];
  /** Equivalence margin in percentage points (config compare.margin). */
  marginPp: number;
  /** The setting every other is paired with (config compare.baseline). */
  baseline: string;
  /** Trains these runs, each handed over once (the caller skips those finished before this command). */
  train: (runs: RunSpec[]) => Promise<void>;
  /** The grid's summary rows written so far. */
  summary: () => Promise<Row[]>;
  /** True once the grid was interrupted: no further look. */
  stopped: () => boolean;
  log: (line: string) => void;
}

/** Refuses a grid in which some model has no baseline to pair with. */
function refuseWithoutBaseline(specs: RunSpec[], baseline: string): void {
  const models = new Set(specs.map(modelLabel));
  const without = [...models].filter((m) => !specs.some((s) => modelLabel(s) === m && s.setting === baseline));
  if (without.length > 0)
    throw new UsageError(`--until-decided pairs every setting with ${baseline}, which ${without[0]} lacks`, {
      hint: `add ${baseline} to the config's activations, or name another setting in compare.baseline`,
    });
}

/** The runs a look trains: its seeds of every undecided setting, and of the baseline while its model has one. */
function runsOfLook(t: LookTrainer, k: number, record: SequentialRecord | null): RunSpec[] {
  const seeds = new Set(t.seeds.slice(0, t.looks[k]));
  const open = new Map<string, boolean>();
  const undecided = (s: RunSpec): boolean =>
    s.setting !== t.baseline && !(record && decidedSettings(record, modelLabel(s)).has(s.setting));
  for (const s of t.specs) if (undecided(s)) open.set(modelLabel(s), true);
  return t.specs.filter(
    (s) => seeds.has(s.seed) && (s.setting === t.baseline ? open.get(modelLabel(s)) === true : undecided(s)),
  );
}

/** One line per model: what each setting's look decided. */
function logLook(t: LookTrainer, record: SequentialRecord): void {
  for (const m of record.models) {
    const look = m.looks[m.looks.length - 1];
    if (!look) continue;
    const what = look.settings.map((s) => `${s.setting} ${s.decision}`).join(', ');
    t.log(`until decided: ${m.model} look ${look.look} (${look.seeds} seeds): ${what}`);
  }
}

/** Trains the grid look by look; returns the record of the looks held (null when none was). */
export async function trainInLooks(t: LookTrainer): Promise<SequentialRecord | null> {
  refuseWithoutBaseline(t.specs, t.baseline);
  const models = [...new Set(t.specs.map(modelLabel))];
  const ids = new Set(t.specs.map((s) => s.id));
  const handed = new Set<string>();
  let record: SequentialRecord | null = null;
  for (let k = 0; k < t.looks.length; k++) {
    const runs = runsOfLook(t, k, record);
    if (runs.length === 0) break;
    // Each run is handed to the trainer once: a look trains only the seeds the previous looks did not.
    await t.train(runs.filter((s) => !handed.has(s.id)));
    for (const s of runs) handed.add(s.id);
    if (t.stopped()) break;
    const rows = (await t.summary()).filter((r) => ids.has(r.run_id));
    record = sequentialRecord(rows, models, t.seeds, t.looks, t.marginPp, k + 1, t.baseline);
    logLook(t, record);
  }
  return record;
}
