/**
 * The `module:` entries of a config's activations (a user's own activation from a file). loadConfig
 * resolves each path against the config file's folder, makes it absolute (so worker processes and
 * Slurm shards, whatever their working folder, load the same file) and loads the module before
 * validation, which then finds the descriptor in the registry. A resolved config (a manifest's, for
 * merge or check --rerun) holds absolute paths; `loadConfigModules` loads them again in this process.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadActivationModule } from '../activations/module.js';
import type { ActivationModule } from '../activations/registry.js';

function moduleOf(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const module = (entry as Record<string, unknown>).module;
  return typeof module === 'string' ? module : undefined;
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

/** Loads the activation modules a resolved config names (absolute paths); returns each one's path and sha256. */
export async function loadConfigModules(config: { activations: unknown[] }): Promise<ActivationModule[]> {
  const loaded: ActivationModule[] = [];
  for (const entry of config.activations) {
    const module = moduleOf(entry);
    if (module !== undefined && isAbsolute(module)) loaded.push((await loadActivationModule(module)).module);
  }
  return loaded;
}
