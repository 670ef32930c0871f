/**
 * The varied parameter in a result folder. The `sigma` column holds its value: in summary.csv a label (a constant
 * `0.1`, or `start->end:schedule` when annealed), in epochs.csv the value in force at the end of the epoch. The
 * `param` column names it. The value column keeps N-ReLU's name because folders were written with it before
 * another activation could vary a parameter; a folder written before `param` reads as `sigma` (N-ReLU's, the only
 * built-in varied parameter). Readers go through variedOf and never parse the label themselves.
 */
import type { ParamSchedule, ScheduleKind, VariedParam } from '../config/types.js';

export type { VariedParam };

/**
 * The one place the value column's name is spelled. `sigma` is N-ReLU's parameter, the first that varied: folders
 * were written with this column before any other activation could vary one, so the name stays, and it is also the
 * parameter a folder without the `param` column varied. Every other module reads the name from here.
 */
export const VARIED_COLUMN = 'sigma';

/** A decimal as JavaScript's String(number) writes it: `0.1`, `-0.5`, `1e-7`. */
const NUMBER = String.raw`-?\d+(?:\.\d+)?(?:e[+-]\d+)?`;
/** What a `sigma` cell may hold: a number, or `start->end:schedule`. */
export const VARIED_LABEL = new RegExp(`^(${NUMBER})(?:->(${NUMBER}):(linear|cosine))?$`);

/** summary.csv's `sigma` cell: the constant value, or `start->end:schedule`; empty without a varied parameter. */
export function variedLabel(v: ParamSchedule | null): string {
  if (!v) return '';
  return v.schedule === 'constant' ? String(v.start) : `${v.start}->${v.end}:${v.schedule}`;
}

/** A `sigma` label back to numbers; null for an empty cell. Throws on a label variedLabel would not write. */
export function parseVariedLabel(label: string): ParamSchedule | null {
  if (label === '') return null;
  const m = VARIED_LABEL.exec(label);
  if (!m) throw new Error(`'${label}' is not a varied-parameter value (a number, or start->end:schedule)`);
  const start = Number(m[1]);
  if (m[2] === undefined) return { schedule: 'constant', start, end: start };
  return { schedule: m[3] as ScheduleKind, start, end: Number(m[2]) };
}

/** A summary row's varied parameter, named (older folders, without `param`: `sigma`); null without one. */
export function variedOf(row: Readonly<Record<string, string | undefined>>): VariedParam | null {
  const schedule = parseVariedLabel(row[VARIED_COLUMN] ?? '');
  if (!schedule) return null;
  return { param: row.param !== undefined && row.param !== '' ? row.param : VARIED_COLUMN, ...schedule };
}

/** The value as the comparison tables show it: `0.1` for the parameter the column is named after, else `beta=0.3`. */
export function variedCell(v: VariedParam | null): string {
  if (!v) return '';
  return v.param === VARIED_COLUMN ? variedLabel(v) : `${v.param}=${variedLabel(v)}`;
}
