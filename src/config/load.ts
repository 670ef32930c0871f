/** Reading a config file: YAML -> overrides -> validation with defaults filled. */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, errorMessage } from '../errors.js';
import type { ResolvedConfig } from './types.js';
import { applyOverrideValue, applyOverrides } from './overrides.js';
import { validateConfig } from './schema.js';
import { absoluteModulePaths, resolveActivationModules } from './modules.js';
import { combineSweeps, splitSweepOverrides, sweepCells, sweeps, takeSweepBlock, type SweepPlan } from './sweep.js';

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file's content as parsed, before overrides (for the manifest). */
  raw: unknown;
  /** The overrides applied, in order, as given. */
  overrides: string[];
}

/** Parses YAML text; syntax errors become one ConfigError with `file:line:col` for each. */
export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? `${source}:${pos.line}:${pos.col}` : source;
      // yaml appends " at line L, column C:" and a source excerpt; the position is already in `where`.
      const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return `${where}: ${message}`;
    });
    const head = lines.length === 1 ? 'YAML syntax error in ' : `${lines.length} YAML syntax errors in `;
    throw new ConfigError(`${head}${lines.join('\n  ')}`, { hint: 'fix the YAML at the line and column shown' });
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml refuses an alias that expands too often (a "billion laughs" file) with a ReferenceError.
    throw new ConfigError(`${source}: ${errorMessage(err).split('\n')[0]}`, {
      hint: 'a config needs no more than a few YAML aliases (*name); write the values out',
    });
  }
}

/** A config is a small text file: a device (/dev/zero), a FIFO or a huge file is refused before reading it. */
const MAX_CONFIG_BYTES = 1 << 20;

async function checkConfigFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return; // reading reports a missing file
  }
  if (info.isDirectory()) return;
  if (!info.isFile())
    throw new ConfigError(`config file ${path} is not a regular file`, {
      hint: 'pass a YAML file, e.g. configs/quick.yaml',
    });
  if (info.size > MAX_CONFIG_BYTES) {
    throw new ConfigError(
      `config file ${path} is ${info.size} bytes, too large for a config (at most ${MAX_CONFIG_BYTES})`,
      { hint: 'pass a YAML file, e.g. configs/quick.yaml' },
    );
  }
}

/**
 * Loads, overrides and validates a config file. `name` defaults to the file's basename.
 * Throws a ConfigError for a missing file, bad YAML, a bad override or an
 * invalid config (one message listing every problem).
 */
export async function loadConfig(path: string, overrides: string[] = []): Promise<LoadedConfig> {
  let text: string;
  await checkConfigFile(path);
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a folder' : errorMessage(err);
    throw new ConfigError(`config file ${path}: ${why}`, { hint: 'pass a YAML file, e.g. configs/quick.yaml' });
  }
  const raw = parseYamlText(text, path);
  const { plain, axes: cliAxes } = splitSweepOverrides(overrides);
  // The file's module paths are relative to its folder; what is still relative after the overrides came from the
  // command line, and is relative to the current folder.
  const merged = applyOverrides(absoluteModulePaths(raw, dirname(resolve(path))), plain);
  const plan = combineSweeps(takeSweepBlock(merged), cliAxes, plain);
  const derived = merged !== null && typeof merged === 'object' && !Array.isArray(merged) && !('name' in merged);
  const withName = derived ? { name: basename(path, extname(path)), ...merged } : merged;
  if (derived && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(basename(path, extname(path)))) {
    throw new ConfigError(
      `config ${path}: its name (from the file name '${basename(path)}') ` +
        `must be letters, digits, ".", "_" or "-" (it names the output folder)`,
      {
        hint: 'add a line `name: my-sweep` to the config, pass name=my-sweep, or rename the file',
      },
    );
  }
  const withModules = await resolveActivationModules(withName, process.cwd());
  const source = `config ${path}${overrides.length > 0 ? ' with overrides' : ''}`;
  const config = sweeps(plan) ? validateSweep(withModules, plan, source) : validateConfig(withModules, source);
  return { config, raw, overrides: [...overrides] };
}

/**
 * Validates every cell of a sweep as a config of its own; the result is the first cell's config with the sweep
 * recorded (each cell's config with `seeds` emptied: a cell trains the config's seeds).
 */
function validateSweep(raw: unknown, plan: SweepPlan, source: string): ResolvedConfig {
  const cells = sweepCells(plan).map((cell) => {
    const assigned = cell.assignments.reduce((r, a) => applyOverrideValue(r, a.key, a.value), raw);
    return { ...cell, config: validateConfig(assigned, `${source}, sweep cell ${cell.tag}`) };
  });
  const first = cells[0].config;
  const recorded = cells.map((c) => ({ ...c, config: { ...c.config, seeds: [] } }));
  return { ...first, sweep: { axes: plan.axes, cells: recorded } };
}
