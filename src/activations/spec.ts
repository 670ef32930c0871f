/**
 * Activation specs: validation and defaults. A spec is a name (`'relu'`) or an object
 * (`{name: 'nrelu', sigma: 0.1}`). `normalizeActivation` fills PyTorch's defaults and returns the
 * params in a fixed order, so config code can validate entries and derive stable run ids.
 */
import { UserError } from '../errors.js';
import { checkNumber, describe } from './common.js';
import { GELU_APPROXIMATIONS } from './gelu.js';
import { PRELU_DEFAULTS } from './prelu.js';
import { RRELU_DEFAULTS } from './rrelu.js';

export const ACTIVATION_NAMES = ['relu', 'leaky_relu', 'prelu', 'gelu', 'rrelu', 'nrelu'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export type ActivationSpec = string | { name: string; [param: string]: unknown };
export type ActivationParam = number | string | boolean;

export interface NormalizedActivation {
  name: ActivationName;
  params: Record<string, ActivationParam>;
}

/** PyTorch's LeakyReLU negative_slope (TF.js defaults to 0.3). */
export const LEAKY_RELU_DEFAULT_ALPHA = 0.01;

type ParamDef =
  | { kind: 'number'; default: number }
  | { kind: 'nonNegative'; required: true }
  | { kind: 'boolean'; default: boolean }
  | { kind: 'choice'; choices: readonly string[]; default: string };

// Parameter order here is the order of `params`, and so of run ids.
const PARAMS: Record<ActivationName, Record<string, ParamDef>> = {
  relu: {},
  leaky_relu: { alpha: { kind: 'number', default: LEAKY_RELU_DEFAULT_ALPHA } },
  prelu: {
    shared: { kind: 'boolean', default: PRELU_DEFAULTS.shared },
    init: { kind: 'number', default: PRELU_DEFAULTS.init },
  },
  gelu: { approximate: { kind: 'choice', choices: GELU_APPROXIMATIONS, default: 'none' } },
  rrelu: {
    lower: { kind: 'number', default: RRELU_DEFAULTS.lower },
    upper: { kind: 'number', default: RRELU_DEFAULTS.upper },
  },
  nrelu: { sigma: { kind: 'nonNegative', required: true } },
};

export function isActivationName(name: string): name is ActivationName {
  return (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** Validates `spec` and fills defaults; throws a one-line UserError naming the activation and parameter. */
export function normalizeActivation(spec: unknown): NormalizedActivation {
  let name: string;
  let given: Record<string, unknown> = {};
  if (typeof spec === 'string') {
    name = spec;
  } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const { name: specName, ...rest } = spec as Record<string, unknown>;
    if (typeof specName !== 'string') {
      throw new UserError(`activation spec needs a "name" string (one of ${ACTIVATION_NAMES.join(', ')}), got ${describe(specName)}`);
    }
    name = specName;
    given = rest;
  } else {
    throw new UserError(`activation spec must be a name or an object with a "name", got ${describe(spec)}`);
  }
  if (!isActivationName(name)) {
    throw new UserError(`unknown activation "${name}"; valid activations: ${ACTIVATION_NAMES.join(', ')}`);
  }
  const defs = PARAMS[name];
  for (const key of Object.keys(given)) {
    if (!(key in defs)) {
      const valid = Object.keys(defs);
      const hint = valid.length === 0 ? `${name} takes no parameters` : `valid parameters: ${valid.join(', ')}`;
      throw new UserError(`activation "${name}": unknown parameter "${key}"; ${hint}`);
    }
  }
  const params: Record<string, ActivationParam> = {};
  for (const [key, def] of Object.entries(defs)) params[key] = checkParam(name, key, def, given[key]);
  if (name === 'rrelu' && (params.lower as number) > (params.upper as number)) {
    throw new UserError(`activation "rrelu": parameter "lower" (${params.lower}) must be <= "upper" (${params.upper})`);
  }
  return { name, params };
}

function checkParam(activation: ActivationName, key: string, def: ParamDef, value: unknown): ActivationParam {
  switch (def.kind) {
    case 'number':
      return checkNumber(activation, key, value ?? def.default);
    case 'nonNegative':
      if (value === undefined) {
        throw new UserError(`activation "${activation}": parameter "${key}" is required (a number >= 0), e.g. {name: ${activation}, ${key}: 0.1}`);
      }
      return checkNumber(activation, key, value, true);
    case 'boolean': {
      const v = value ?? def.default;
      if (typeof v !== 'boolean') {
        throw new UserError(`activation "${activation}": parameter "${key}" must be true or false, got ${describe(v)}`);
      }
      return v;
    }
    case 'choice': {
      const v = value ?? def.default;
      if (typeof v !== 'string' || !def.choices.includes(v)) {
        const list = def.choices.map((c) => `"${c}"`).join(' or ');
        throw new UserError(`activation "${activation}": parameter "${key}" must be ${list}, got ${describe(v)}`);
      }
      return v;
    }
  }
}
