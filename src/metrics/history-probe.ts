/**
 * The unit-history probe's descriptor: per hidden layer, the units that died, revived or stayed dead since the run's
 * previous probe (unit-history.ts), from the unit probe's dead flags (unit-probe.ts, measured just before it). It keeps
 * the last probe's flags between probes; the first probe has no history.
 */
import { unitHistory, type LayerDeadFlags, type UnitHistory } from './unit-history.js';
import { COUNT, type MetricDescriptor, type RunProbeResults } from './descriptor.js';
import { unitProbe, type UnitProbeResult } from './unit-probe.js';

const HISTORY_DOC =
  "dead in the sense of `dead`, compared unit by unit with the same run's previous probe (same probe samples): " +
  'died = alive then, dead now; revived = dead then, alive now; stayed dead = dead at both. Empty at the first probe';

/** A count summed over the run's probes; null with fewer than two probes (no history). */
function total(s: RunProbeResults<UnitHistory>, key: 'died' | 'revived'): number | null {
  return s.all.length === 0 ? null : s.all.reduce((sum, h) => sum + h[key], 0);
}

export const historyProbe: MetricDescriptor<UnitHistory, { lastDead: LayerDeadFlags[] | null }> = {
  name: 'history',
  doc: 'units that died, revived or stayed dead since the previous probe, per hidden layer',
  start: () => ({ lastDead: null }),
  async measure({ earlier }, state) {
    const units = earlier[unitProbe.name] as UnitProbeResult | null | undefined;
    if (!units) throw new Error('the unit-history probe needs the unit probe registered before it');
    const history = state.lastDead ? unitHistory(state.lastDead, units.dead.layers) : null;
    state.lastDead = units.dead.layers;
    return history;
  },
  columns: {
    died: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: `hidden units that died since the previous probe (${HISTORY_DOC})`,
      epochs: (v) => v.died,
      dead: (v, i) => v.layers[i]?.died,
    },
    revived: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: 'hidden units that revived since the previous probe (see died)',
      epochs: (v) => v.revived,
      dead: (v, i) => v.layers[i]?.revived,
      chart: {
        kind: 'revived',
        title: 'Revived units per probe',
        subtitle: 'dead at the previous probe, alive at this one',
        yTitle: 'revived units',
        note: `Hidden units ${HISTORY_DOC}. Epochs without a probe, and the first probe, are skipped.`,
      },
    },
    stayed_dead: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: 'hidden units dead at both this probe and the previous one (see died)',
      epochs: (v) => v.stayedDead,
      dead: (v, i) => v.layers[i]?.stayedDead,
    },
    total_died: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: "`died` summed over the run's probes (empty with fewer than two probes)",
      summary: (s) => total(s, 'died'),
      compare: { csv: 'total_died_mean', md: 'died', html: 'units died (total)', format: 'count', optional: true },
    },
    total_revived: {
      type: COUNT,
      check: 'count',
      later: true,
      doc: "`revived` summed over the run's probes (empty with fewer than two probes)",
      summary: (s) => total(s, 'revived'),
      compare: {
        csv: 'total_revived_mean',
        md: 'revived',
        html: 'units revived (total)',
        format: 'count',
        optional: true,
        mdNote:
          'Died / revived: hidden units dead at a probe that were alive at the previous one / alive that were dead, ' +
          'summed over the run (means over seeds).',
        note: [
          'Units died, units revived',
          `Hidden units ${HISTORY_DOC}; summed over the run's probes, mean over seeds. A unit can count more than once.`,
        ],
      },
    },
  },
};
