/**
 * Schedules of the varied parameter (N-ReLU's sigma): constant, or annealed from start to end over all training
 * steps, updated every step.
 */
import type { ParamSchedule } from '../config/types.js';

/** The value in force at `step` (0-based) of `totalSteps`; the last step uses exactly `end`. */
export function valueAt(schedule: ParamSchedule, step: number, totalSteps: number): number {
  if (schedule.schedule === 'constant') return schedule.start;
  const t = totalSteps <= 1 ? 1 : Math.min(1, Math.max(0, step / (totalSteps - 1)));
  if (schedule.schedule === 'linear') return schedule.start + (schedule.end - schedule.start) * t;
  // cosine: starts flat at `start`, ends flat at `end`.
  return schedule.end + (schedule.start - schedule.end) * 0.5 * (1 + Math.cos(Math.PI * t));
}
