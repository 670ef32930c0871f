/**
 * Imports an optional package by name at run time. The specifier is a variable so that neither
 * tsc nor a bundler requires the package: a missing one becomes a message, not a crash at load.
 * The bundle (scripts/bundle.mjs) swaps this file for one that imports
 * @tensorflow/tfjs-backend-webgpu literally, so that it is bundled with nrelu-bench's one copy
 * of @tensorflow/tfjs-core (a second copy would register the backend where nrelu-bench never looks).
 */
export function importOptional(name: string): Promise<unknown> {
  return import(name);
}
