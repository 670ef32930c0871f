/** The requirement helper: a missing requirement skips with a reason, and fails under CI=true. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const helper = fileURLToPath(new URL('../helpers/requires.ts', import.meta.url));
const file = join(mkdtempSync(join(tmpdir(), 'nrelu-requires-')), 'x.test.ts');
writeFileSync(
  file,
  `import { test } from 'node:test';
import { available, requires } from ${JSON.stringify(helper)};
test('needs a unicorn', requires('a unicorn', 'no unicorn here: apt-get install unicorn'), () => {});
test('has a horse', requires('a horse', null), () => {});
test('checks a pony when there is one', (t) => { if (available(t, 'a pony', 'no pony: buy one')) throw new Error('unreachable'); });
`,
);

function run(ci: string | undefined): { status: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.CI;
  delete env.NODE_TEST_CONTEXT; // else the child thinks it runs inside this test run
  if (ci !== undefined) env.CI = ci;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
    env,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('on a developer machine: skips, saying what is missing and why; passes', () => {
  const r = run(undefined);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /ok 1 - needs a unicorn # SKIP needs a unicorn: no unicorn here: apt-get install unicorn/);
  assert.match(r.out, /ok 2 - has a horse\n/);
  assert.match(r.out, /# skipped the a pony checks: no pony: buy one/);
});

test('under CI=true: each missing requirement is a failure naming it', () => {
  const r = run('true');
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /not ok \d+ - CI requires a unicorn[\s\S]*CI=true, and a unicorn is missing: no unicorn here/);
  assert.match(r.out, /not ok \d+ - checks a pony when there is one[\s\S]*CI=true, and a pony is missing: no pony/);
  assert.match(r.out, /ok \d+ - has a horse\n/);
});

test('.ci/run refuses a Node.js older than package.json engines, in one line', () => {
  const check = fileURLToPath(new URL('../../.ci/check-node.cjs', import.meta.url));
  const engines = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }
  ).engines.node;
  const want = engines.replace(/^>=\s*/, '');
  const [major, minor] = want.split('.').map(Number);
  for (const [version, ok] of [
    [`v${major}.${minor}.0`, true],
    [`v${major + 1}.0.0`, true],
    [`v${major}.${minor - 1}.9`, false],
    ['v18.20.4', false],
  ] as const) {
    const r = spawnSync(process.execPath, [check, version], { encoding: 'utf8' });
    assert.equal(r.status, ok ? 0 : 1, `${version}: ${r.stderr}`);
    if (!ok)
      assert.equal(
        r.stderr,
        `error: Node.js ${version} is older than the required ${want} (package.json engines); install Node.js ${want} or newer\n`,
      );
  }
  assert.equal(spawnSync(process.execPath, [check]).status, 0, 'this Node.js is new enough');
  assert.match(
    readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8'),
    /^node \.ci\/check-node\.cjs$/m,
    '.ci/run runs the check',
  );
});
