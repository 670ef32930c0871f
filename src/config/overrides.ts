/**
 * Hydra-style command-line overrides, applied to the raw YAML before validation so that an
 * overridden value is checked exactly like a written one:
 *   train.epochs=2  seeds=[1]  models=[mlp,cnn]  train.learning_rate=1e-2  activations.0=gelu
 *   activations[1]={name: nrelu, sigma: 0.1}   +new.key=1 (the + is optional)   ~data_dir (delete)
 * Values are YAML flow scalars, sequences or maps. Dotted paths create the maps they need.
 */
import { parse as parseYaml } from 'yaml';
import { UserError, ConfigError, errorMessage } from '../errors.js';
import { describeValue, formatPath } from './messages.js';

export type OverridePath = (string | number)[];

export interface Override {
  /** The override as typed. */
  text: string;
  path: OverridePath;
  op: 'set' | 'delete';
  value?: unknown;
}

const EXAMPLE = 'write key=value, e.g. train.epochs=2 or models=[mlp,cnn]';
const SEGMENT = /^([A-Za-z_][A-Za-z0-9_-]*|\d+)((?:\[\d+\])*)$/;

class OverrideProblem extends Error {}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function parseKey(key: string): OverridePath {
  if (key === '') throw new OverrideProblem(`no key before "="; ${EXAMPLE}`);
  const path: OverridePath = [];
  for (const segment of key.split('.')) {
    const m = SEGMENT.exec(segment);
    if (!m) throw new OverrideProblem(`bad key part "${segment}"; keys are letters, digits, "_", "-" and [index]`);
    // These keys reach Object.prototype through plain objects: refused before anything is set.
    if (FORBIDDEN_KEYS.has(m[1]))
      throw new OverrideProblem(`"${m[1]}" is not a config key (it would change every object, not the config)`);
    path.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  return path;
}

/** Parses one `key=value`, `+key=value` or `~key` override; throws a UserError naming it. */
export function parseOverride(text: string): Override {
  try {
    if (text.startsWith('~')) {
      const key = text.slice(1).split('=')[0];
      return { text, path: parseKey(key), op: 'delete' };
    }
    const body = text.replace(/^\+{1,2}/, '');
    const eq = body.indexOf('=');
    if (eq < 0) throw new OverrideProblem(`no "="; ${EXAMPLE}`);
    const path = parseKey(body.slice(0, eq).trim());
    const valueText = body.slice(eq + 1);
    if (valueText.trim() === '') throw new OverrideProblem('no value after "=" (use ~key to remove a key)');
    let value: unknown;
    try {
      value = parseYaml(valueText);
    } catch (err) {
      throw new OverrideProblem(`value is not valid YAML: ${errorMessage(err).split('\n')[0]}`);
    }
    return { text, path, op: 'set', value };
  } catch (err) {
    if (err instanceof OverrideProblem) throw new ConfigError(`bad override "${text}": ${err.message}`);
    throw err;
  }
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function get(container: Container, key: string | number): unknown {
  return Array.isArray(container) ? (typeof key === 'number' ? container[key] : undefined) : container[String(key)];
}

function checkIndex(container: Container, key: string | number, where: string, allowEnd: boolean): void {
  if (!Array.isArray(container)) return;
  if (typeof key !== 'number') throw new OverrideProblem(`${where} is a list; use a number index, not "${key}"`);
  const limit = allowEnd ? container.length : container.length - 1;
  if (key > limit) throw new OverrideProblem(`index ${key} is past the end of ${where} (${container.length} items)`);
}

function applyOne(root: Record<string, unknown>, o: Override): void {
  let container: Container = root;
  for (let i = 0; i < o.path.length - 1; i++) {
    const key = o.path[i];
    const where = formatPath(o.path.slice(0, i + 1));
    checkIndex(container, key, formatPath(o.path.slice(0, i)), o.op === 'set');
    let next = get(container, key);
    if (next === undefined || next === null) {
      if (o.op === 'delete') throw new OverrideProblem(`${where} is not set`);
      next = {}; // dotted paths create the maps they need
      if (Array.isArray(container)) container[key as number] = next;
      else container[String(key)] = next;
    }
    if (!isContainer(next)) throw new OverrideProblem(`${where} is ${describeValue(next)}, not a map or list`);
    container = next;
  }
  const last = o.path[o.path.length - 1];
  const where = formatPath(o.path);
  checkIndex(container, last, formatPath(o.path.slice(0, -1)), o.op === 'set');
  if (o.op === 'set') {
    if (Array.isArray(container)) container[last as number] = o.value;
    else container[String(last)] = o.value;
  } else if (Array.isArray(container)) {
    container.splice(last as number, 1);
  } else {
    if (!(String(last) in container)) throw new OverrideProblem(`${where} is not set`);
    delete container[String(last)];
  }
}

/** A copy of `raw` with the value at a dotted key (`train.learning_rate`, `models.0.hidden`) set: one sweep value. */
export function applyOverrideValue(raw: unknown, key: string, value: unknown): unknown {
  const root: unknown = raw === null || raw === undefined ? {} : structuredClone(raw);
  if (!isContainer(root) || Array.isArray(root)) throw new ConfigError('the config is not a map');
  try {
    applyOne(root, { text: `${key}=...`, path: parseOverride(`${key}=0`).path, op: 'set', value });
  } catch (err) {
    if (err instanceof OverrideProblem) throw new ConfigError(`bad sweep key "${key}": ${err.message}`);
    throw err;
  }
  return root;
}

/**
 * Applies overrides in order to a copy of `raw` (never mutated). An empty config is treated as
 * an empty map. Every bad override is reported in one ConfigError.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  if (overrides.length === 0) return raw;
  const root: unknown = raw === null || raw === undefined ? {} : structuredClone(raw);
  const problems: string[] = [];
  for (const text of overrides) {
    try {
      const o = parseOverride(text);
      if (!isContainer(root) || Array.isArray(root)) throw new OverrideProblem('the config is not a map');
      applyOne(root, o);
    } catch (err) {
      if (err instanceof OverrideProblem) problems.push(`bad override "${text}": ${err.message}`);
      else if (err instanceof UserError) problems.push(err.message);
      else throw err;
    }
  }
  if (problems.length === 1) throw new ConfigError(problems[0], { hint: EXAMPLE });
  if (problems.length > 1)
    throw new ConfigError(`${problems.length} bad overrides:\n  ${problems.join('\n  ')}`, { hint: EXAMPLE });
  return root;
}
