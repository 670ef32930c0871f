/**
 * An activation descriptor: everything the harness knows about one activation, in one object.
 * Each activation file exports one (`export const nrelu = defineActivation({...})`); the registry
 * (registry.ts) is the list of them, and config validation, run ids, the grid, the trainer's
 * schedules, the comparison's order, `bench` and `--help` all read it. A user's own activation is a
 * module whose default export is a descriptor (see examples/ and the README).
 *
 * Parameters: each has a type, a default (none: required) and its validation; at most one may vary
 * over the grid (`sweep`: a list gives one grid entry per value) or over training (`schedule`:
 * `{start, end, schedule}` anneals it every step). That one is the run's "sigma" (the `sigma` field
 * of a run and the `sigma` CSV column, named after N-ReLU's, the first such parameter).
 */
import type { tf } from '../tf.js';

export type ParamValue = number | string | boolean;
export type ActivationParams = Record<string, ParamValue>;

interface ParamBase {
  /** One line for `--help` and error messages. */
  doc?: string;
}

export interface NumberParam extends ParamBase {
  type: 'number';
  /** Absent: the parameter is required. */
  default?: number;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** A list of values sweeps: one grid entry per value. */
  sweep?: boolean;
  /**
   * `{start, end, schedule: linear | cosine}` anneals the value every step; the layer must implement
   * `SchedulableLayer`.
   */
  schedule?: boolean;
  /** Prefix in run ids (default: the parameter's name), e.g. N-ReLU's `s` in `nrelu-s0.1`. */
  tag?: string;
  /** A value shown in the message for a missing required parameter (default 1). */
  example?: number;
}

export interface BooleanParam extends ParamBase {
  type: 'boolean';
  default?: boolean;
}

export interface ChoiceParam extends ParamBase {
  type: 'choice';
  choices: readonly string[];
  default?: string;
}

export type ParamDef = NumberParam | BooleanParam | ChoiceParam;

export interface CreateLayerOptions {
  /** Seed of a stochastic layer's stream (an unsigned 32-bit integer derived from the run seed). */
  seed: number;
  /** Layer name, e.g. `act_1` (undefined: TF.js's generated name). */
  name?: string;
}

export interface ActivationDescriptor {
  /** Lower-case letters, digits and `_`; it names the activation in configs, run ids and CSVs. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** How reports name it in prose when it is the comparison's baseline (`ReLU`); default: its name. */
  readonly title?: string;
  /** The parameters, in the order of a run's params (and so of its id's parameter tags). */
  readonly params: Readonly<Record<string, ParamDef>>;
  /** True: its layer draws random numbers in training mode and implements `StochasticLayer`. */
  readonly stochastic: boolean;
  /** Checks between parameters after each is valid; returns a message (naming the parameters) or nothing. */
  check?(params: ActivationParams): string | undefined;
  /** The layer for validated, default-filled params. Inference mode unless called with `{training: true}`. */
  create(params: ActivationParams, options: CreateLayerOptions): tf.layers.Layer;
}

/** Types a descriptor (and keeps its name's literal type); returns it unchanged. */
export function defineActivation<const D extends ActivationDescriptor>(descriptor: D): D {
  return descriptor;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** The one parameter that may vary over the grid or over training, if any. */
export function variedParam(descriptor: ActivationDescriptor): [string, NumberParam] | null {
  for (const [key, def] of Object.entries(descriptor.params)) {
    if (def.type === 'number' && (def.sweep === true || def.schedule === true)) return [key, def];
  }
  return null;
}

/** Problems of a descriptor's shape (for a user's module), or an empty list. */
export function descriptorProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return ['it is not an object'];
  const d = value as Partial<ActivationDescriptor>;
  const problems: string[] = [];
  if (typeof d.name !== 'string' || !NAME.test(d.name))
    problems.push('"name" must be lower-case letters, digits and _ (starting with a letter)');
  if (typeof d.summary !== 'string') problems.push('"summary" must be a string');
  if (typeof d.stochastic !== 'boolean') problems.push('"stochastic" must be true or false');
  if (typeof d.create !== 'function') problems.push('"create" must be a function (params, {seed, name}) => layer');
  if (d.check !== undefined && typeof d.check !== 'function') problems.push('"check" must be a function');
  if (d.params === null || typeof d.params !== 'object') {
    problems.push('"params" must be an object (empty for none)');
    return problems;
  }
  let varied = 0;
  for (const [key, def] of Object.entries(d.params as Record<string, ParamDef>)) {
    if (!NAME.test(key) || key === 'name' || key === 'module')
      problems.push(`parameter "${key}": names are lower-case letters, digits and _, not "name" or "module"`);
    if (def === null || typeof def !== 'object' || !['number', 'boolean', 'choice'].includes(def.type)) {
      problems.push(`parameter "${key}": "type" must be number, boolean or choice`);
      continue;
    }
    if (def.type === 'choice' && (!Array.isArray(def.choices) || def.choices.some((c) => typeof c !== 'string'))) {
      problems.push(`parameter "${key}": "choices" must be a list of strings`);
    }
    if (def.type === 'number' && (def.sweep === true || def.schedule === true)) varied += 1;
  }
  if (varied > 1) problems.push('at most one parameter may have sweep or schedule');
  return problems;
}
