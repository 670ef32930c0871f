#!/usr/bin/env node
// Import cycles between src/'s folders (dpdm, in `npm run lint`, finds cycles between files; this finds
// folder-level ones such as activations/ -> backend/ -> activations/). Type-only imports count too.
// docs/ARCHITECTURE.md lists what each folder may import. Exit 1 with the cycle, 0 without.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const folderOf = (file) => relative(root, file).split(sep)[0];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts')) files.push(path);
  }
};
walk(root);

const edges = new Map(); // folder -> Map(folder -> example "file -> import")
for (const file of files) {
  const from = folderOf(file);
  if (from.endsWith('.ts')) continue; // top-level files (index.ts, tf.ts, errors.ts) are leaves or the API
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const to = folderOf(resolve(dirname(file), match[1]));
    if (to === from || to.endsWith('.js') || to.endsWith('.ts')) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${relative(root, file)} imports ${match[1]}`);
  }
}

// Depth-first search for a back edge; report the first cycle found.
const state = new Map();
const stack = [];
function visit(node) {
  state.set(node, 'open');
  stack.push(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (state.get(next) === 'open') {
      const cycle = [...stack.slice(stack.indexOf(next)), next];
      const why = cycle.slice(0, -1).map((f, i) => `  ${edges.get(f).get(cycle[i + 1])}`);
      console.error(`import cycle between src/ folders: ${cycle.join(' -> ')}\n${why.join('\n')}`);
      process.exit(1);
    }
    if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, 'done');
}
for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
console.log(`no import cycles between src/ folders (${edges.size} folders checked)`);
