/**
 * Turns validation problems into one short line each, with the path written the way the YAML
 * spells it (`activations[3].sigma`), and gathers them into a single ConfigError.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';

export type ConfigPath = readonly PropertyKey[];

/** One thing wrong with a config, at a YAML path. */
export interface Problem {
  path: ConfigPath;
  message: string;
}

/** `['activations', 3, 'sigma']` -> `activations[3].sigma`; the empty path is the whole file. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** A value as a user would recognise it in a message, kept short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Levenshtein distance, for "did you mean" on typos in keys and names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest known word to `word`, if it is close enough to be a plausible typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
};

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, dir: '>' | '<'): string {
  const op = inclusive === false ? dir : `${dir}=`;
  if (origin === 'array' || origin === 'set') {
    return dir === '>'
      ? `must have at least ${limit} item${limit === 1 ? '' : 's'}`
      : `must have at most ${limit} items`;
  }
  if (origin === 'string') return dir === '>' ? 'must not be empty' : `must be at most ${limit} characters`;
  return `must be ${op} ${limit}`;
}

/** Error map for every safeParse in config/: short messages in the style `must be >= 0`. */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return 'must be a finite number';
      const want = TYPE_NAMES[issue.expected] ?? issue.expected;
      return `must be ${want}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      return bound(issue.origin, issue.minimum, issue.inclusive, '>');
    case 'too_big':
      return bound(issue.origin, issue.maximum, issue.inclusive, '<');
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}; got ${describeValue(issue.input)}`;
    case 'unrecognized_keys': {
      const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
      if (issue.keys.length === 1) {
        const near = suggest(issue.keys[0], known);
        return near ? `unknown key (did you mean "${near}"?)` : `unknown key (known: ${known.join(', ')})`;
      }
      return `unknown keys ${issue.keys.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`;
    }
    default:
      return undefined;
  }
};

/** Zod issues as problems; a single unknown key goes into the path so the line reads `train.epoch: unknown key`. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: ConfigPath = []): Problem[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) path.push(issue.keys[0]);
    return { path, message: issue.message };
  });
}

/** One ConfigError listing every problem, one per line. */
export function problemsError(what: string, problems: readonly Problem[]): ConfigError {
  const lines = problems.map((p) => `  ${formatPath(p.path)}: ${p.message}`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ConfigError(`${what} (${count}):\n${lines.join('\n')}`, {
    hint: 'fix the config file or the override; the README lists every config key',
  });
}
