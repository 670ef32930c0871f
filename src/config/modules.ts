/**
 * The `module:` entries of a config's activations (a user's own activation from a file). loadConfig
 * resolves each path written in the file against the file's folder, and each given in an override against the
 * current folder, makes it absolute (so worker processes and
 * Slurm shards, whatever their working folder, load the same file) and loads the module before
 * validation, which then finds the descriptor in the registry. Only a config file the user passes
 * loads modules: a manifest's config (merge, report, check) names them as data (`rebindModules`).
 */
import { isAbsolute, resolve } from 'node:path';
import { loadActivationModule } from '../activations/module.js';
import { activationByModule, activationModule } from '../activations/registry.js';
import { UsageError } from '../errors.js';

function moduleOf(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const module = (entry as Record<string, unknown>).module;
  return typeof module === 'string' ? module : undefined;
}

/**
 * The raw config with each relative activation `module:` made absolute against `baseDir`, nothing loaded: loadConfig
 * does this to the file's own entries before the overrides, so a path written in the file is relative to the file's
 * folder and one given on the command line (an override) to the current folder, as a shell path is.
 */
export function absoluteModulePaths(raw: unknown, baseDir: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = raw as Record<string, unknown>;
  if (!Array.isArray(config.activations)) return raw;
  const activations = config.activations.map((entry) => {
    const module = moduleOf(entry);
    return module === undefined || isAbsolute(module)
      ? entry
      : { ...(entry as object), module: resolve(baseDir, module) };
  });
  return { ...config, activations };
}

/** The raw config with each activation `module:` made absolute (against `baseDir`) and loaded. */
export async function resolveActivationModules(raw: unknown, baseDir: string): Promise<unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const config = raw as Record<string, unknown>;
  if (!Array.isArray(config.activations)) return raw;
  const activations: unknown[] = [];
  for (const entry of config.activations) {
    const module = moduleOf(entry);
    if (module === undefined) {
      activations.push(entry);
      continue;
    }
    const path = isAbsolute(module) ? module : resolve(baseDir, module);
    await loadActivationModule(path);
    activations.push({ ...(entry as object), module: path });
  }
  return { ...config, activations };
}

/** A user activation module as a manifest records it: its activation's name, absolute path and SHA-256. */
export interface RecordedModule {
  name: string;
  path: string;
  sha256: string;
}

/** The activation modules a config read by loadConfig names (already loaded: nothing is imported here). */
export function configModules(config: { activations: unknown[] }): RecordedModule[] {
  const out: RecordedModule[] = [];
  for (const entry of config.activations) {
    const path = moduleOf(entry);
    const name = path === undefined ? undefined : activationByModule(path)?.name;
    const module = name === undefined ? undefined : activationModule(name);
    if (path !== undefined && name !== undefined && module?.path === path) out.push({ name, ...module });
  }
  return out;
}

/**
 * A manifest's config (e.g. the reference of `check --rerun`) with each activation module replaced by
 * the one of the same name from the user's own config (`trusted`, loaded by loadConfig), whose SHA-256
 * must equal the one the manifest recorded. A results folder is data: the paths it names are never
 * imported, so a folder from elsewhere cannot run code by naming a file.
 */
export function rebindModules<C extends { activations: unknown[] }>(
  config: C,
  recorded: RecordedModule[] | undefined,
  trusted: RecordedModule[],
  source: string,
): C {
  const activations = config.activations.map((entry) => {
    const path = moduleOf(entry);
    if (path === undefined) return entry;
    const rec = recorded?.find((m) => m.path === path);
    if (!rec) {
      throw new UsageError(`${source} names activation module ${path} without recording its SHA-256`, {
        hint: 'it was not imported; rerun the grid from its config file with `nrelu-bench run` instead',
      });
    }
    const mine = trusted.find((m) => m.name === rec.name);
    if (!mine) {
      throw new UsageError(
        `${source} uses the activation "${rec.name}" from a module ` +
          `file (${rec.path}); its code is not run from a results folder`,
        {
          hint:
            'pass --config <your config file> whose activations load ' +
            'that module (its SHA-256 must match the recorded one)',
        },
      );
    }
    if (mine.sha256 !== rec.sha256) {
      throw new UsageError(
        `activation "${rec.name}": ${mine.path} (sha256 ${mine.sha256.slice(0, 12)}) ` +
          `is not the module ${source} recorded (sha256 ${rec.sha256.slice(0, 12)})`,
        {
          hint: 'pass the config with the same module file the reference was run with',
        },
      );
    }
    return { ...(entry as object), module: mine.path };
  });
  return { ...config, activations };
}
