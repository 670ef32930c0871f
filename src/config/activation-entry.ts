/**
 * One entry of the config's `activations` list: a name or `{name, ...params}`. N-ReLU's `sigma`
 * may be a number, a list (a sweep) or a schedule; that is a config concern, so sigma is taken
 * out here and the rest is validated by the activations registry with one scalar sigma.
 */
import { z } from 'zod';
import { ACTIVATION_NAMES, normalizeActivation } from '../activations/registry.js';
import { errorMessage } from '../errors.js';
import type { ActivationSetting, SigmaSchedule } from './types.js';
import { configErrorMap, describeValue, issuesToProblems, suggest, type Problem } from './messages.js';

/** Activations whose `sigma` is a sweep/schedule handled by the config. */
export const SIGMA_ACTIVATIONS: readonly string[] = ['nrelu'];
const KNOWN_NAMES: readonly string[] = ACTIVATION_NAMES;

/** An entry resolved: the activation with its params (sigma excluded), one sigma per grid entry. */
export interface ResolvedActivation {
  setting: ActivationSetting;
  /** `[null]` for activations without sigma; otherwise one schedule per sweep value. */
  sigmas: (SigmaSchedule | null)[];
  /** Non-default params for run ids, e.g. `alpha0.1` (empty when all are defaults). */
  paramTag: string;
}

/** Above this, noise swamps any pre-activation of [0, 1] inputs (the paper uses 0.05-0.2); 1e300 was accepted. */
export const SIGMA_MAX = 100;
const sigmaValue = z.number().min(0).max(SIGMA_MAX);
const sigmaList = z.array(sigmaValue).min(1);
const sigmaObject = z.strictObject({
  start: sigmaValue.optional(),
  end: sigmaValue.optional(),
  value: sigmaValue.optional(),
  schedule: z.enum(['constant', 'linear', 'cosine']).default('constant'),
});

/** Sigma as written -> one schedule per grid entry, or problems (paths relative to `sigma`). */
export function parseSigma(value: unknown): { sigmas: SigmaSchedule[]; problems: Problem[] } {
  const at = (path: PropertyKey[], message: string): Problem => ({ path: ['sigma', ...path], message });
  const fail = (problems: Problem[]) => ({ sigmas: [], problems });
  if (typeof value === 'number' || Array.isArray(value)) {
    const parsed = (typeof value === 'number' ? sigmaValue : sigmaList).safeParse(value, { error: configErrorMap });
    if (!parsed.success) return fail(issuesToProblems(parsed.error.issues, ['sigma']));
    const values = typeof value === 'number' ? [value] : (parsed.data as number[]);
    const problems = values.flatMap((v, i) =>
      values.indexOf(v) < i ? [at([i], `${v} is listed twice`)] : []);
    return { sigmas: values.map((v) => ({ schedule: 'constant', start: v, end: v })), problems };
  }
  if (value === null || typeof value !== 'object') {
    return fail([at([], `must be a number >= 0, a list of them, or {start, end, schedule}; got ${describeValue(value)}`)]);
  }
  const parsed = sigmaObject.safeParse(value, { error: configErrorMap });
  if (!parsed.success) return fail(issuesToProblems(parsed.error.issues, ['sigma']));
  const { start, end, value: constant, schedule } = parsed.data;
  if (constant !== undefined) {
    if (start !== undefined || end !== undefined) return fail([at(['value'], 'use either value or start/end, not both')]);
    if (schedule !== 'constant') return fail([at(['value'], `a ${schedule} schedule needs start and end, not value`)]);
    return { sigmas: [{ schedule, start: constant, end: constant }], problems: [] };
  }
  if (start === undefined) return fail([at(['start'], 'is required')]);
  if (schedule === 'constant') {
    if (end !== undefined && end !== start) {
      return fail([at(['end'], 'differs from start; set schedule: linear or cosine to anneal')]);
    }
    return { sigmas: [{ schedule, start, end: start }], problems: [] };
  }
  if (end === undefined) return fail([at(['end'], `is required for a ${schedule} schedule`)]);
  return { sigmas: [{ schedule, start, end }], problems: [] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function tryNormalize(spec: string | { name: string; [k: string]: unknown }): ActivationSetting | string {
  try {
    return normalizeActivation(spec);
  } catch (err) {
    return errorMessage(err);
  }
}

/** Compact, filename-safe number: `0.1`, `1em7` for 1e-7, `m0.5` for -0.5. */
export function formatNumber(n: number): string {
  return String(n).replace('e+', 'e').replace('e-', 'em').replace(/^-/, 'm');
}

/** `alpha0.1-approximate_tanh`: params that differ from the registry's defaults, sorted by key. */
function paramTag(params: ActivationSetting['params'], defaults: ActivationSetting['params']): string {
  return Object.keys(params)
    .sort()
    .filter((key) => params[key] !== defaults[key])
    .map((key) => {
      const v = params[key];
      const text = typeof v === 'number' ? formatNumber(v) : `_${String(v).replace(/[^A-Za-z0-9.]+/g, '_')}`;
      return `${key.replace(/[^A-Za-z0-9_]+/g, '_')}${text}`;
    })
    .join('-');
}

function withoutSigma(params: ActivationSetting['params']): ActivationSetting['params'] {
  const { sigma: _sigma, ...rest } = params;
  return rest;
}

/** Validates and resolves one activations entry; problems carry paths relative to the entry. */
export function resolveActivationEntry(entry: unknown): { value?: ResolvedActivation; problems: Problem[] } {
  const fail = (path: PropertyKey[], message: string) => ({ problems: [{ path, message }] });
  let name: string;
  let rest: Record<string, unknown> = {};
  if (typeof entry === 'string') {
    name = entry;
  } else if (isPlainObject(entry)) {
    if (typeof entry.name !== 'string') {
      return fail(['name'], entry.name === undefined ? 'is required' : `must be a string, got ${describeValue(entry.name)}`);
    }
    ({ name, ...rest } = entry);
  } else {
    return fail([], `must be an activation name or {name, ...params}; got ${describeValue(entry)}`);
  }
  const namePath = typeof entry === 'string' ? [] : ['name'];
  if (!KNOWN_NAMES.includes(name)) {
    const near = suggest(name, KNOWN_NAMES);
    return fail(namePath, `unknown activation "${name}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${KNOWN_NAMES.join(', ')}`);
  }

  if (!SIGMA_ACTIVATIONS.includes(name)) {
    const setting = tryNormalize(typeof entry === 'string' ? name : { name, ...rest });
    if (typeof setting === 'string') return fail([], setting);
    const defaults = tryNormalize(name);
    const tag = paramTag(setting.params, typeof defaults === 'string' ? {} : defaults.params);
    return { value: { setting, sigmas: [null], paramTag: tag }, problems: [] };
  }

  if (rest.sigma === undefined) return fail(typeof entry === 'string' ? [] : ['sigma'], `${name} needs a sigma, e.g. {name: ${name}, sigma: 0.1}`);
  const { sigma, ...others } = rest;
  const { sigmas, problems } = parseSigma(sigma);
  // Validate the other params with a representative scalar sigma, even when sigma itself is bad.
  const scalar = sigmas[0]?.start ?? 0;
  const setting = tryNormalize({ name, ...others, sigma: scalar });
  if (typeof setting === 'string') problems.push({ path: [], message: setting });
  if (problems.length > 0 || typeof setting === 'string') return { problems };
  const defaults = tryNormalize({ name, sigma: scalar });
  const params = withoutSigma(setting.params);
  const tag = paramTag(params, typeof defaults === 'string' ? {} : withoutSigma(defaults.params));
  return { value: { setting: { name: setting.name, params }, sigmas, paramTag: tag }, problems: [] };
}

/** `nrelu-s0.1`, `nrelu-s0.2to0-linear`, `leaky_relu-alpha0.1`: the activation part of a run id. */
export function activationTag(resolved: ResolvedActivation, sigma: SigmaSchedule | null): string {
  const parts = [resolved.setting.name];
  if (sigma !== null) {
    parts.push(sigma.schedule === 'constant'
      ? `s${formatNumber(sigma.start)}`
      : `s${formatNumber(sigma.start)}to${formatNumber(sigma.end)}-${sigma.schedule}`);
  }
  if (resolved.paramTag !== '') parts.push(resolved.paramTag);
  return parts.join('-');
}
