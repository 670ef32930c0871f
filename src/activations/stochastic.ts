/**
 * The interfaces of layers with state beyond their weights. A stochastic layer (N-ReLU, RReLU,
 * SeededDropout, a user's noisy activation) draws from a seeded stream indexed by its step counter;
 * the unit probe's training-mode pass saves and restores that counter so that probing never changes
 * the noise a run trains with. A schedulable layer takes a new parameter value every training step.
 *
 * A layer declares the interface with `stochastic = true`; the registry refuses a descriptor marked
 * stochastic whose layer does not, so no stochastic layer can be taken for a deterministic one.
 */
export interface StochasticLayer {
  /** Declares the interface. */
  readonly stochastic: true;
  /** Seed of its stream (unsigned 32-bit). */
  readonly seed: number;
  /** Training-mode forward passes so far. */
  getStep(): number;
  /** Restores the counter (after a probe's training-mode pass, or when resuming). */
  setStep(step: number): void;
}

export function isStochasticLayer<T extends object>(layer: T): layer is T & StochasticLayer {
  const l = layer as Partial<StochasticLayer>;
  if (l.stochastic !== true) return false;
  if (typeof l.getStep !== 'function' || typeof l.setStep !== 'function') {
    throw new TypeError(
      `layer ${String((layer as { name?: unknown }).name)} says it is stochastic but lacks getStep()/setStep()`,
    );
  }
  return true;
}

/** A layer whose parameter follows a schedule (the descriptor's `schedule` parameter). */
export interface SchedulableLayer {
  /** Sets `param` (the descriptor's schedulable parameter) to `value` for the next training steps. */
  setScheduled(param: string, value: number): void;
}

export function isSchedulableLayer<T extends object>(layer: T): layer is T & SchedulableLayer {
  return typeof (layer as Partial<SchedulableLayer>).setScheduled === 'function';
}
