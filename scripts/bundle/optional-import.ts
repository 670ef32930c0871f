/**
 * The bundle's stand-in for src/backend/optional-import.ts (swapped in by scripts/bundle.mjs): it
 * imports @tensorflow/tfjs-backend-webgpu literally, so esbuild bundles it with the same
 * @tensorflow/tfjs-core as the rest. Other names (`webgpu`, Dawn's binding with its dawn.node)
 * stay run-time imports, found in the bundle's own node_modules/.
 */
export function importOptional(name: string): Promise<unknown> {
  if (name === '@tensorflow/tfjs-backend-webgpu') return import('@tensorflow/tfjs-backend-webgpu');
  return import(name);
}
