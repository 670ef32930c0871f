/**
 * Rules across a row's cells, beyond each cell's own type and range (files.ts): a row whose cells cannot all be
 * true together is damaged. The run id names the model, setting and seed the other cells repeat (so an edited
 * `setting` or `activation` cell, which the tables group by, cannot pass `check`); no unit count exceeds the units
 * probed, which are at least 1; the best accuracy is at least the final one; a post-hoc score is finite.
 */
import type { Row } from './columns.js';

/** Counts of hidden units: each is at most the row's `units`. */
const UNIT_COUNTS = [
  'dead',
  'dormant',
  'zero_output',
  'grad_dead',
  'final_dead',
  'final_dormant',
  'final_zero_output',
  'final_grad_dead',
];

const filled = (cell: string | undefined): cell is string => cell !== undefined && cell !== '';

/** The run id's parts: `<model>-<setting>-seed<n>`, when the row names its model (else the setting is unknown). */
function idProblem(row: Row): string | null {
  const id = row.run_id;
  if (!filled(id)) return null;
  if (filled(row.seed) && !id.endsWith(`-seed${row.seed}`)) return `seed ${row.seed} is not run ${id}'s`;
  if (!filled(row.model)) return null;
  if (!id.startsWith(`${row.model}-`)) return `model '${row.model}' is not run ${id}'s`;
  const setting = id.slice(row.model.length + 1).replace(/-seed\d+$/, '');
  if (filled(row.setting) && row.setting !== setting) return `setting '${row.setting}' is not run ${id}'s (${setting})`;
  const a = row.activation;
  if (filled(a) && setting !== a && !setting.startsWith(`${a}-`)) return `activation '${a}' is not run ${id}'s`;
  return null;
}

function countProblem(row: Row): string | null {
  if (!filled(row.units)) return null;
  const units = Number(row.units);
  const over = UNIT_COUNTS.find((c) => filled(row[c]) && Number(row[c]) > units);
  if (over) return `${over} ${row[over]} is more than the ${units} units probed`;
  const counted = UNIT_COUNTS.some((c) => filled(row[c]));
  return counted && units < 1 ? `units is ${row.units}: counts need at least 1 unit probed` : null;
}

/** The first rule the row's cells break together, or null. `file`: the row's CSV (`eval.csv` scores must be finite). */
export function crossColumnProblem(row: Row, file: string): string | null {
  const id = idProblem(row);
  if (id) return id;
  const counts = countProblem(row);
  if (counts) return counts;
  const [best, final] = [row.best_test_acc, row.final_test_acc];
  if (filled(best) && filled(final) && Number(best) < Number(final))
    return `best_test_acc ${best} is below final_test_acc ${final}`;
  if (file === 'eval.csv') {
    const bad = ['test_acc', 'test_loss'].find((c) => filled(row[c]) && !Number.isFinite(Number(row[c])));
    if (bad) return `${bad} is '${row[bad]}', not a finite number (a post-hoc score of a saved model)`;
  }
  return null;
}
