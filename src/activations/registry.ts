/**
 * The activation registry: the list of descriptors (one per activation file, PyTorch's defaults,
 * not TF.js's), plus any a user's module registered (module.ts). Config validation, run ids, the
 * grid, the trainer, the comparison's order, `bench` and `--help` read this list.
 *
 * Adding an activation that ships with the harness: its file (its pure function and
 * `elementwiseActivation(...)`, kit.ts), and its entry in BUILTIN below (docs/ARCHITECTURE.md).
 */
import { tf } from '../tf.js';
import { UsageError, ConfigError } from '../errors.js';
import type { ActivationDescriptor } from './descriptor.js';
import { type ActivationSpec, type NormalizedActivation, normalizeParams, splitSpec } from './param-validation.js';
import { isSchedulableLayer, isStochasticLayer } from './stochastic.js';
import { relu } from './relu.js';
import { leakyRelu } from './leaky-relu.js';
import { prelu } from './prelu.js';
import { gelu } from './gelu.js';
import { rrelu } from './rrelu.js';
import { nrelu } from './nrelu.js';
import { silu } from './silu.js';
import { elu } from './elu.js';
// One-pass gradients for ReLU, LeakyReLU and PReLU on cpu and wasm (registered on import).
import './fused-gradients.js';

/** The activations that ship with the harness, in the paper's order (the comparison's and the help's). */
const BUILTIN = [relu, leakyRelu, prelu, gelu, rrelu, nrelu, silu, elu] as const;

export type ActivationName = (typeof BUILTIN)[number]['name'];
export const ACTIVATION_NAMES: readonly ActivationName[] = BUILTIN.map((d) => d.name);

/** Where a registered user activation came from (recorded in manifest.json and, its sha256, in the run's hash). */
export interface ActivationModule {
  /** Absolute path of the module file. */
  path: string;
  /** SHA-256 (hex) of its content. */
  sha256: string;
}

const fromModules = new Map<string, { descriptor: ActivationDescriptor; module: ActivationModule }>();

/** Every activation: the built-in ones, then those registered from modules. */
export function activationDescriptors(): readonly ActivationDescriptor[] {
  return [...BUILTIN, ...[...fromModules.values()].map((m) => m.descriptor)];
}

/** The names of every activation, built-in first. */
export function activationNames(): string[] {
  return activationDescriptors().map((d) => d.name);
}

export function findActivation(name: string): ActivationDescriptor | undefined {
  return activationDescriptors().find((d) => d.name === name);
}

/** The module a user activation was registered from (undefined for a built-in one). */
export function activationModule(name: string): ActivationModule | undefined {
  return fromModules.get(name)?.module;
}

/** The descriptor registered from the module at absolute `path`, if any. */
export function activationByModule(path: string): ActivationDescriptor | undefined {
  return [...fromModules.values()].find((m) => m.module.path === path)?.descriptor;
}

/** Registers a user's descriptor; its name must be new (the same file registered again replaces its entry). */
export function registerActivation(descriptor: ActivationDescriptor, module: ActivationModule): void {
  for (const [name, entry] of fromModules) if (entry.module.path === module.path) fromModules.delete(name);
  const known = fromModules.get(descriptor.name);
  if (known || BUILTIN.some((d) => d.name === descriptor.name)) {
    const where = known ? `the activation module ${known.module.path}` : 'a built-in activation';
    throw new ConfigError(
      `activation module ${module.path}: its name "${descriptor.name}" is already taken by ${where}`,
      {
        hint: 'give the descriptor another name',
      },
    );
  }
  fromModules.set(descriptor.name, { descriptor, module });
}

/** Validates a spec and fills defaults; throws a one-line ConfigError naming the activation and parameter. */
export function normalizeActivation(spec: unknown): NormalizedActivation {
  const { name, given } = splitSpec(spec, activationNames());
  const descriptor = findActivation(name);
  if (!descriptor)
    throw new ConfigError(`unknown activation "${name}"; valid activations: ${activationNames().join(', ')}`);
  return { name, params: normalizeParams(descriptor, given) };
}

export interface CreateActivationOptions {
  /** Seed of a stochastic layer's noise stream (default 0). Give each layer of a model its own. */
  seed?: number;
  /** Layer name (default: TF.js's generated name). */
  name?: string;
}

/**
 * Builds the activation layer for `spec`. Stochastic layers are in inference mode unless called with `{training:
 * true}`.
 */
export function createActivation(spec: ActivationSpec, options: CreateActivationOptions = {}): tf.layers.Layer {
  const { name: activation, params } = normalizeActivation(spec);
  const descriptor = findActivation(activation) as ActivationDescriptor;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new UsageError(`activation "${activation}": seed must be an integer, got ${seed}`);
  const layer = descriptor.create(params, { seed, name: options.name });
  if (!(layer instanceof tf.layers.Layer)) {
    throw new ConfigError(
      `activation "${activation}": create() must return a tf.layers.Layer ` +
        `of nrelu-bench's TF.js (import { tf } from 'nrelu-bench')`,
    );
  }
  let stochastic: boolean;
  try {
    stochastic = isStochasticLayer(layer);
  } catch (err) {
    throw new ConfigError(`activation "${activation}": ${(err as Error).message}`);
  }
  if (stochastic !== descriptor.stochastic) {
    throw new ConfigError(
      descriptor.stochastic
        ? `activation "${activation}" is marked stochastic but its layer does not ` +
            `implement StochasticLayer (stochastic = true, seed, getStep(), setStep())`
        : `activation "${activation}" is not marked stochastic but ` +
            `its layer says it is; set stochastic: true in the descriptor`,
    );
  }
  const scheduled = Object.entries(descriptor.params).find(([, def]) => def.type === 'number' && def.schedule === true);
  if (scheduled && !isSchedulableLayer(layer)) {
    throw new ConfigError(
      `activation "${activation}": parameter "${scheduled[0]}" is ` +
        `schedulable but the layer has no setScheduled(param, value)`,
    );
  }
  return layer;
}

export type { ActivationDescriptor } from './descriptor.js';
export type { ActivationParam, ActivationSpec, NormalizedActivation } from './param-validation.js';
export { GELU } from './gelu.js';
export { NReLU } from './nrelu.js';
export { TorchPReLU } from './prelu.js';
export { RReLU } from './rrelu.js';
