/**
 * Parameter validation and defaults, from a descriptor's parameter definitions: the one place they
 * are checked (config validation, createActivation and the layers' constructors all call these).
 * Messages are one line naming the activation and the parameter.
 */
import { ConfigError } from '../errors.js';
import type { ActivationDescriptor, ActivationParams, ParamDef, ParamValue } from './descriptor.js';

export type ActivationSpec = string | { name: string; [param: string]: unknown };
export type ActivationParam = ParamValue;

/** A validated activation: its name and every parameter, defaults filled, in the descriptor's order. */
export interface NormalizedActivation {
  name: string;
  params: ActivationParams;
}

/** Validates one parameter (`undefined`: not given, so its default, or an error if it is required). */
export function checkParam(activation: string, key: string, def: ParamDef, value: unknown): ParamValue {
  const at = `activation "${activation}": parameter "${key}"`;
  const v = value === undefined ? def.default : value;
  switch (def.type) {
    case 'number': {
      const bound = def.min === undefined ? '' : ` >= ${def.min}`;
      if (value === undefined && def.default === undefined) {
        throw new ConfigError(
          `${at} is required (a number${bound}), e.g. {name: ${activation}, ${key}: ${def.example ?? 1}}`,
        );
      }
      if (typeof v !== 'number' || !Number.isFinite(v) || (def.min !== undefined && v < def.min)) {
        throw new ConfigError(`${at} must be a finite number${bound}, got ${describe(v)}`);
      }
      if (def.max !== undefined && v > def.max) throw new ConfigError(`${at} must be <= ${def.max}, got ${v}`);
      return v;
    }
    case 'boolean':
      if (value === undefined && def.default === undefined) throw new ConfigError(`${at} is required (true or false)`);
      if (typeof v !== 'boolean') throw new ConfigError(`${at} must be true or false, got ${describe(v)}`);
      return v;
    case 'choice': {
      const list = def.choices.map((c) => `"${c}"`).join(' or ');
      if (value === undefined && def.default === undefined) throw new ConfigError(`${at} is required (${list})`);
      if (typeof v !== 'string' || !def.choices.includes(v))
        throw new ConfigError(`${at} must be ${list}, got ${describe(v)}`);
      return v;
    }
  }
}

/** Validates `given` against the descriptor and fills defaults; throws a one-line ConfigError. */
export function normalizeParams(descriptor: ActivationDescriptor, given: Record<string, unknown>): ActivationParams {
  const { name, params: defs } = descriptor;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(defs, key)) {
      const valid = Object.keys(defs);
      const hint = valid.length === 0 ? `${name} takes no parameters` : `valid parameters: ${valid.join(', ')}`;
      throw new ConfigError(`activation "${name}": unknown parameter "${key}"; ${hint}`);
    }
  }
  const params: ActivationParams = {};
  for (const [key, def] of Object.entries(defs)) params[key] = checkParam(name, key, def, given[key]);
  const problem = descriptor.check?.(params);
  if (problem !== undefined) throw new ConfigError(`activation "${name}": ${problem}`);
  return params;
}

/** Splits a spec into its name and given parameters; throws a one-line ConfigError for a malformed one. */
export function splitSpec(spec: unknown, known: readonly string[]): { name: string; given: Record<string, unknown> } {
  if (typeof spec === 'string') return { name: spec, given: {} };
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const { name, ...given } = spec as Record<string, unknown>;
    if (typeof name !== 'string') {
      throw new ConfigError(
        `activation spec needs a "name" string (one of ${known.join(', ')}), got ${describe(name)}`,
      );
    }
    return { name, given };
  }
  throw new ConfigError(`activation spec must be a name or an object with a "name", got ${describe(spec)}`);
}

/** A short, one-line rendering of a bad value for error messages. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
