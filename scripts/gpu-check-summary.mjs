#!/usr/bin/env node
// The one-screen summary of a scripts/gpu-check.sh folder: the steps' verdicts, the adapter, the step
// benches as ms per step (webgpu, wasm, their ratio, PyTorch on CUDA), N-ReLU's cost against ReLU, and
// check's verdict. Plain Node.js (it runs on the bundle's binary, with no packages).
//
//   node scripts/gpu-check-summary.mjs RESULTS_DIR
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = (file) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : '');
const jsonl = (file) =>
  read(file)
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '-');

const lines = ['== nrelu-bench GPU check'];
lines.push(
  ...read('steps.txt')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `  ${l}`),
);
lines.push(
  `adapter: ${
    read('adapter.txt')
      .trim()
      .replace(/^\s*yes\s+webgpu\s+/, '') || 'none'
  }`,
);
const gpu = read('nvidia-smi.txt').trim().split('\n')[0];
if (gpu) lines.push(`nvidia-smi: ${gpu}`);

const bench = jsonl('bench-steps.jsonl');
const torch = jsonl('torch.jsonl');
if (bench.length > 0) {
  const at = (backend, model, activation) =>
    bench.find((b) => b.backend === backend && b.model === model && b.activation.startsWith(activation))
      ?.step_ms_median ?? NaN;
  const torchAt = (model) => median(Object.values(torch.find((t) => t.model === model)?.step_ms ?? {}).flat());
  lines.push(
    `step (ms, median, batch ${bench[0].batch_size}) | webgpu | wasm | wasm/webgpu | torch cuda | webgpu/torch`,
  );
  for (const model of ['mlp', 'cnn']) {
    for (const activation of ['relu', 'nrelu']) {
      const [w, c, t] = [
        at('webgpu', model, activation),
        at('wasm', model, activation),
        activation === 'relu' ? torchAt(model) : NaN,
      ];
      lines.push(
        `  ${model} ${activation.padEnd(5)} | ${ms(w)} | ${ms(c)} | ${ratio(c, w)} | ${ms(t)} | ${ratio(w, t)}`,
      );
    }
    lines.push(`  ${model} nrelu/relu on webgpu: ${ratio(at('webgpu', model, 'nrelu'), at('webgpu', model, 'relu'))}`);
  }
}
const check = read('ci-check.txt').trim().split('\n');
const verdict = check.find((l) => /^(OK|DIFFERENT)/.test(l));
if (verdict) lines.push(`ci.yaml webgpu vs wasm: ${verdict.replaceAll(`${dir.replace(/\/$/, '')}/`, '')}`);
const moved = check.find((l) => /moved within --count-tolerance/.test(l));
if (moved) lines.push(`  ${moved}`);
const took = read('environment.txt').match(/took (\d+) s/);
if (took) lines.push(`took ${took[1]} s`);
console.log(lines.join('\n'));
