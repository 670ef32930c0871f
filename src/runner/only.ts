/**
 * `--only <run-id>`: train (or check) only some runs of a grid, named by their ids, e.g. to re-run
 * one run of a committed result folder and compare it with `check --only`. The folder keeps the
 * whole grid's order; runs not named are neither trained nor touched.
 */
import { UsageError } from '../errors.js';

/** `--only a,b --only c` -> [a, b, c] (trimmed, duplicates dropped); undefined without the option. */
export function parseOnly(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const ids = [
    ...new Set(
      values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    ),
  ];
  if (ids.length === 0)
    throw new UsageError('--only needs at least one run id', {
      hint: 'e.g. --only mlp-relu-seed1 (`nrelu-bench list <config>` prints the ids)',
    });
  return ids;
}

/** The runs of `selected` named in `only` (all of them without it); an id not in `grid` is an error. */
export function selectOnly<T extends { id: string }>(grid: T[], selected: T[], only: string[] | undefined): T[] {
  if (!only) return selected;
  const known = new Set(grid.map((s) => s.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(
      `--only: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a run' : 'are not runs'} of this grid`,
      {
        hint:
          `\`nrelu-bench list <config> [overrides...]\` prints ` +
          `its ${grid.length} run ids, e.g. ${grid[0]?.id ?? '(none)'}`,
      },
    );
  }
  const wanted = new Set(only);
  return selected.filter((s) => wanted.has(s.id));
}
