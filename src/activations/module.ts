/**
 * A user's own activation from a file: an ES module (.js or .mjs; plain JavaScript, no build step)
 * whose default export (or export named `activation`) is a descriptor (descriptor.ts). Loading it
 * registers the descriptor; its absolute path and SHA-256 go into the run settings, so the worker
 * processes of `--jobs N` load the same file and a changed file changes the runs' config hashes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../errors.js';
import { descriptorProblems, type ActivationDescriptor } from './descriptor.js';
import { activationByModule, activationModule, registerActivation, type ActivationModule } from './registry.js';

/**
 * Loads and registers the activation in the module at absolute `path`; returns its descriptor and where it came from.
 * With `expectedSha256`, a file whose content differs is refused before it is imported (its code never runs).
 */
export async function loadActivationModule(
  path: string,
  expectedSha256?: string,
): Promise<{ descriptor: ActivationDescriptor; module: ActivationModule }> {
  if (!isAbsolute(path)) throw new Error(`loadActivationModule needs an absolute path, got ${path}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : errorMessage(err);
    throw new ConfigError(`activation module ${path}: ${why}`, {
      hint: "a module: path in a config file is relative to the file's folder; in an override, to the current folder",
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) throw changedModule(path, sha256, expectedSha256);
  const known = activationByModule(path);
  if (known && activationModule(known.name)?.sha256 === sha256) return { descriptor: known, module: { path, sha256 } };
  let exports: Record<string, unknown>;
  try {
    // The query makes a changed file a new module for Node's cache (the same content, the same module).
    exports = (await import(`${pathToFileURL(path).href}?sha256=${sha256}`)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`activation module ${path}: could not be imported: ${errorMessage(err).split('\n')[0]}`, {
      hint: 'it must be an ES module (.mjs, or .js beside a package.json with "type": "module")',
    });
  }
  const value = exports.default ?? exports.activation;
  if (value === undefined) {
    throw new ConfigError(
      `activation module ${path}: exports no descriptor (export ` +
        `default defineActivation({...}), or export const activation)`,
      {
        hint: 'see examples/ and the README section "Your own activation"',
      },
    );
  }
  const problems = descriptorProblems(value);
  if (problems.length > 0)
    throw new ConfigError(`activation module ${path}: its descriptor is invalid: ${problems.join('; ')}`);
  const descriptor = value as ActivationDescriptor;
  const module = { path, sha256 };
  registerActivation(descriptor, module);
  return { descriptor, module };
}

/**
 * Loads the module of a run's user activation if this process has not (a worker's first run); checks its content is
 * unchanged.
 */
export async function loadRunModule(setting: { name: string; module?: ActivationModule }): Promise<void> {
  if (!setting.module) return;
  const { descriptor, module } = await loadActivationModule(setting.module.path, setting.module.sha256);
  if (descriptor.name !== setting.name) {
    throw new ConfigError(
      `activation module ${module.path} now names its activation "${descriptor.name}", not "${setting.name}"`,
    );
  }
}

function changedModule(path: string, sha256: string, expected: string): ConfigError {
  return new ConfigError(
    `activation module ${path} is not the file the grid was expanded with ` +
      `(sha256 ${sha256.slice(0, 12)}, expected ${expected.slice(0, 12)})`,
    {
      hint: 'it was not imported; restore the file, or run the config again so the runs record the new content',
    },
  );
}
