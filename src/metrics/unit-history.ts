/**
 * Unit histories: between two probes of one run, the hidden units that died (alive at the earlier probe, dead
 * now), revived (dead then, alive now) or stayed dead. "Dead" is the dead-neuron probe's (pre-activation <=
 * threshold on every probe sample, inference mode). The probe samples are the same at every probe, so a change of
 * state is the weights' doing, not the data's. This answers whether units come back under N-ReLU: its noise gives
 * an inactive unit's outgoing weights a gradient, but its own weights none (derivative 1[z > 0]).
 */

/** One hidden layer's per-unit dead flags at a probe (1: dead). */
export interface LayerDeadFlags {
  name: string;
  unitDead: Uint8Array;
}

export interface LayerHistory {
  name: string;
  died: number;
  revived: number;
  stayedDead: number;
}

export interface UnitHistory {
  died: number;
  revived: number;
  stayedDead: number;
  layers: LayerHistory[];
}

/** The transitions from the probe `before` to the probe `now` (same layers, same units, in the same order). */
export function unitHistory(before: readonly LayerDeadFlags[], now: readonly LayerDeadFlags[]): UnitHistory {
  if (before.length !== now.length || before.some((l, i) => l.name !== now[i].name))
    throw new Error('unit history: the two probes saw different layers');
  const layers = now.map((layer, i): LayerHistory => {
    const was = before[i].unitDead;
    const is = layer.unitDead;
    if (was.length !== is.length) throw new Error(`unit history: layer ${layer.name} changed its number of units`);
    const history = { name: layer.name, died: 0, revived: 0, stayedDead: 0 };
    for (let u = 0; u < is.length; u++) {
      if (is[u] && was[u]) history.stayedDead++;
      else if (is[u]) history.died++;
      else if (was[u]) history.revived++;
    }
    return history;
  });
  const sum = (key: 'died' | 'revived' | 'stayedDead'): number => layers.reduce((s, l) => s + l[key], 0);
  return { died: sum('died'), revived: sum('revived'), stayedDead: sum('stayedDead'), layers };
}
