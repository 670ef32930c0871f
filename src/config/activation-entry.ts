/**
 * One entry of the config's `activations` list: a name, `{name, ...params}`, or `{module: <file>,
 * ...params}` for a user's activation (its path made absolute and the module loaded by loadConfig).
 * The activation's descriptor says which parameter, if any, varies: a list sweeps it (one grid entry
 * per value) and `{start, end, schedule}` anneals it. That parameter is taken out of the params and
 * becomes the run's `varied` ({param, schedule, start, end}); the rest is validated by the activations registry.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import {
  activationByModule,
  activationModule,
  activationNames,
  findActivation,
  type ActivationDescriptor,
} from '../activations/registry.js';
import { variedParam, type NumberParam } from '../activations/descriptor.js';
import { normalizeParams } from '../activations/param-validation.js';
import { errorMessage } from '../errors.js';
import type { ActivationSetting, ParamSchedule, VariedParam } from './types.js';
import { configErrorMap, describeValue, issuesToProblems, suggest, type Problem } from './messages.js';

/** An entry resolved: the activation with its params (the varied one excluded), one schedule per grid entry. */
export interface ResolvedActivation {
  setting: ActivationSetting;
  /** `[null]` for activations without a varied parameter; otherwise the parameter, once per sweep value. */
  varied: (VariedParam | null)[];
  /** Non-default params for run ids, e.g. `alpha0.1` (empty when all are defaults). */
  paramTag: string;
  /** Run-id prefix of the varied parameter's value (`s` for N-ReLU's sigma). */
  variedTag: string;
}

function numberSchema(def: NumberParam) {
  let schema = z.number();
  if (def.min !== undefined) schema = schema.min(def.min);
  if (def.max !== undefined) schema = schema.max(def.max);
  return schema;
}

/** A varied parameter as written -> one schedule per grid entry, or problems (paths relative to `key`). */
export function parseVaried(
  value: unknown,
  key: string,
  def: NumberParam,
): { schedules: ParamSchedule[]; problems: Problem[] } {
  const at = (path: PropertyKey[], message: string): Problem => ({ path: [key, ...path], message });
  const fail = (problems: Problem[]) => ({ schedules: [], problems });
  const one = numberSchema(def);
  const forms = ['a number'];
  if (def.sweep === true) forms.push('a list of them');
  if (def.schedule === true) forms.push('{start, end, schedule}');
  const bound = def.min === undefined ? '' : ` >= ${def.min}`;
  if (typeof value === 'number' || (Array.isArray(value) && def.sweep === true)) {
    const parsed = (typeof value === 'number' ? one : z.array(one).min(1)).safeParse(value, { error: configErrorMap });
    if (!parsed.success) return fail(issuesToProblems(parsed.error.issues, [key]));
    const values = typeof value === 'number' ? [value] : (parsed.data as number[]);
    const problems = values.flatMap((v, i) => (values.indexOf(v) < i ? [at([i], `${v} is listed twice`)] : []));
    return { schedules: values.map((v) => ({ schedule: 'constant', start: v, end: v })), problems };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || def.schedule !== true) {
    forms[0] = `a number${bound}`;
    const list = forms.length === 1 ? forms[0] : `${forms.slice(0, -1).join(', ')}, or ${forms[forms.length - 1]}`;
    return fail([at([], `must be ${list}; got ${describeValue(value)}`)]);
  }
  const parsed = z
    .strictObject({
      start: one.optional(),
      end: one.optional(),
      value: one.optional(),
      schedule: z.enum(['constant', 'linear', 'cosine']).default('constant'),
    })
    .safeParse(value, { error: configErrorMap });
  if (!parsed.success) return fail(issuesToProblems(parsed.error.issues, [key]));
  const { start, end, value: constant, schedule } = parsed.data;
  if (constant !== undefined) {
    if (start !== undefined || end !== undefined)
      return fail([at(['value'], 'use either value or start/end, not both')]);
    if (schedule !== 'constant') return fail([at(['value'], `a ${schedule} schedule needs start and end, not value`)]);
    return { schedules: [{ schedule, start: constant, end: constant }], problems: [] };
  }
  if (start === undefined) return fail([at(['start'], 'is required')]);
  if (schedule === 'constant') {
    if (end !== undefined && end !== start) {
      return fail([at(['end'], 'differs from start; set schedule: linear or cosine to anneal')]);
    }
    return { schedules: [{ schedule, start, end: start }], problems: [] };
  }
  if (end === undefined) return fail([at(['end'], `is required for a ${schedule} schedule`)]);
  return { schedules: [{ schedule, start, end }], problems: [] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Compact, filename-safe number: `0.1`, `1em7` for 1e-7, `m0.5` for -0.5. */
export function formatNumber(n: number): string {
  return String(n).replace('e+', 'e').replace('e-', 'em').replace(/^-/, 'm');
}

/** `alpha0.1-approximate_tanh`: params that differ from the descriptor's defaults, sorted by key. */
function paramTag(params: ActivationSetting['params'], descriptor: ActivationDescriptor): string {
  return Object.keys(params)
    .sort()
    .filter((key) => params[key] !== descriptor.params[key]?.default)
    .map((key) => {
      const v = params[key];
      const text = typeof v === 'number' ? formatNumber(v) : `_${String(v).replace(/[^A-Za-z0-9.]+/g, '_')}`;
      return `${key.replace(/[^A-Za-z0-9_]+/g, '_')}${text}`;
    })
    .join('-');
}

/** The descriptor an entry names (by name, or by its module's absolute path), or a problem. */
function descriptorOf(entry: unknown): {
  descriptor?: ActivationDescriptor;
  rest: Record<string, unknown>;
  problems: Problem[];
} {
  const fail = (path: PropertyKey[], message: string) => ({ rest: {}, problems: [{ path, message }] });
  if (typeof entry !== 'string' && !isPlainObject(entry)) {
    return fail(
      [],
      `must be an activation name, {name, ...params} or {module: <file>, ...params}; got ${describeValue(entry)}`,
    );
  }
  if (isPlainObject(entry) && entry.module !== undefined) {
    const { module, name, ...rest } = entry;
    if (typeof module !== 'string')
      return fail(['module'], `must be a path to a .js or .mjs file, got ${describeValue(module)}`);
    if (!isAbsolute(module))
      return fail(
        ['module'],
        `${module}: not loaded (a config read with loadConfig resolves module paths against its folder)`,
      );
    const descriptor = activationByModule(module);
    if (!descriptor)
      return fail(['module'], `${module}: not loaded (a config read with loadConfig loads its activation modules)`);
    if (name !== undefined && name !== descriptor.name)
      return fail(
        ['name'],
        `is "${String(name)}" but the module's activation is named "${descriptor.name}"; drop name or make them agree`,
      );
    return { descriptor, rest, problems: [] };
  }
  let name: string;
  let rest: Record<string, unknown> = {};
  if (typeof entry === 'string') {
    name = entry;
  } else {
    if (typeof entry.name !== 'string') {
      return fail(
        ['name'],
        entry.name === undefined
          ? 'is required (or module: <file> for your own activation)'
          : `must be a string, got ${describeValue(entry.name)}`,
      );
    }
    ({ name, ...rest } = entry as { name: string });
  }
  const descriptor = findActivation(name);
  if (!descriptor) {
    const known = activationNames();
    const near = suggest(name, known);
    return fail(
      typeof entry === 'string' ? [] : ['name'],
      `unknown activation "${name}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ')}`,
    );
  }
  return { descriptor, rest, problems: [] };
}

function tryNormalize(
  descriptor: ActivationDescriptor,
  given: Record<string, unknown>,
): ActivationSetting['params'] | string {
  try {
    return normalizeParams(descriptor, given);
  } catch (err) {
    return errorMessage(err);
  }
}

/** Validates and resolves one activations entry; problems carry paths relative to the entry. */
export function resolveActivationEntry(entry: unknown): { value?: ResolvedActivation; problems: Problem[] } {
  const { descriptor, rest, problems: found } = descriptorOf(entry);
  if (!descriptor) return { problems: found };
  const name = descriptor.name;
  const module = activationModule(name);
  const withModule = (setting: ActivationSetting): ActivationSetting => (module ? { ...setting, module } : setting);
  const varied = variedParam(descriptor);

  if (!varied) {
    const params = tryNormalize(descriptor, rest);
    if (typeof params === 'string') return { problems: [{ path: [], message: params }] };
    return {
      value: {
        setting: withModule({ name, params }),
        varied: [null],
        paramTag: paramTag(params, descriptor),
        variedTag: '',
      },
      problems: [],
    };
  }

  const [key, def] = varied;
  const value = rest[key] ?? def.default;
  if (value === undefined) {
    return {
      problems: [
        {
          path: typeof entry === 'string' ? [] : [key],
          message: `${name} needs a ${key}, e.g. {name: ${name}, ${key}: ${def.example ?? 1}}`,
        },
      ],
    };
  }
  const { [key]: _varied, ...others } = rest;
  const { schedules, problems } = parseVaried(value, key, def);
  // Validate the other params with a representative scalar value, even when the varied one is bad.
  const scalar = schedules[0]?.start ?? def.min ?? 0;
  const checked = tryNormalize(descriptor, { ...others, [key]: scalar });
  if (typeof checked === 'string') problems.push({ path: [], message: checked });
  if (problems.length > 0 || typeof checked === 'string') return { problems };
  const { [key]: _scalar, ...params } = checked;
  const tag = paramTag(params, descriptor);
  return {
    value: {
      setting: withModule({ name, params }),
      varied: schedules.map((s) => ({ param: key, ...s })),
      paramTag: tag,
      variedTag: def.tag ?? key,
    },
    problems: [],
  };
}

/** `nrelu-s0.1`, `nrelu-s0.2to0-linear`, `leaky_relu-alpha0.1`: the activation part of a run id. */
export function activationTag(resolved: ResolvedActivation, varied: ParamSchedule | null): string {
  const parts = [resolved.setting.name];
  const t = resolved.variedTag;
  if (varied !== null) {
    parts.push(
      varied.schedule === 'constant'
        ? `${t}${formatNumber(varied.start)}`
        : `${t}${formatNumber(varied.start)}to${formatNumber(varied.end)}-${varied.schedule}`,
    );
  }
  if (resolved.paramTag !== '') parts.push(resolved.paramTag);
  return parts.join('-');
}
