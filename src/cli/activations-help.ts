/** The activations section of `run --help` and `bench --help`, from the registry's descriptors. */
import { activationDescriptors } from '../activations/registry.js';
import type { ParamDef } from '../activations/descriptor.js';

function paramText(key: string, def: ParamDef): string {
  if (def.default === undefined) return `${key} (required)`;
  const value = typeof def.default === 'number' ? Number(def.default.toPrecision(4)) : def.default;
  return `${key}=${String(value)}`;
}

export function activationsHelp(): string {
  const descriptors = activationDescriptors();
  const width = Math.max(...descriptors.map((d) => d.name.length));
  const lines = descriptors.map((d) => {
    const params = Object.entries(d.params)
      .map(([k, def]) => paramText(k, def))
      .join(', ');
    return `  ${d.name.padEnd(width)}  ${d.summary}${params ? ` [${params}]` : ''}`;
  });
  return (
    `Activations (a name, {name, ...params}, or {module: ` +
    `./my-activation.mjs, ...params} for your own):\n${lines.join('\n')}`
  );
}
