#!/usr/bin/env node
// The folder rules of src/, in `npm run lint` (dpdm there finds cycles between files):
// 1. every import from one folder into another is allowed by docs/ARCHITECTURE.md's "may import" table
//    (the table is the rule: its third column's backticked folders), and exit-codes.ts is imported only
//    by cli/ and runner/worker.ts;
// 2. no import cycle between folders (such as activations/ -> backend/ -> activations/).
// Type-only imports count too. Usage: node scripts/check-folder-imports.mjs [src-dir] [architecture.md].
// Exit 1 with the first broken rule, 0 without.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(process.argv[2] ?? join(repo, 'src'));
const doc = resolve(process.argv[3] ?? join(repo, 'docs', 'ARCHITECTURE.md'));

/** folder -> the folders it may import, from the doc's table rows `| \`folder/\` | job | \`a/\`, \`b/\` |`. */
function allowedImports(text) {
  const allowed = new Map();
  for (const line of text.split('\n')) {
    const cells = line.split(' | ');
    const head = /^\| `(\w+)\/` *$/.exec(cells[0] ?? '');
    if (!head || cells.length < 3) continue;
    const may = cells[cells.length - 1];
    allowed.set(head[1], new Set([...may.matchAll(/`(\w+)\/`/g)].map((m) => m[1])));
  }
  return allowed;
}
const allowed = allowedImports(readFileSync(doc, 'utf8'));
const problems = [];
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
    const where = `${relative(root, file)} imports ${match[1]}`;
    if (to === 'exit-codes.js' && from !== 'cli' && relative(root, file) !== join('runner', 'worker.ts')) {
      problems.push(`${where}: only cli/ and runner/worker.ts map errors to exit codes`);
    }
    if (to === from || to.endsWith('.js') || to.endsWith('.ts')) continue;
    if (!allowed.has(from))
      problems.push(`${relative(root, file)}: folder ${from}/ has no row in ${relative(repo, doc)}'s folder table`);
    else if (!allowed.get(from).has(to)) {
      const may = [...allowed.get(from)].map((f) => `${f}/`).join(', ') || 'nothing';
      problems.push(`${where}: ${from}/ may import ${may} (${relative(repo, doc)})`);
    }
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${relative(root, file)} imports ${match[1]}`);
  }
}

if (problems.length > 0) {
  console.error(`imports that break the folder table:\n${[...new Set(problems)].map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
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
console.log(
  `src/ folders import only what ${relative(repo, doc)} allows, without cycles (${edges.size} folders checked)`,
);
