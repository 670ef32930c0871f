/**
 * The numbers of results/README.md come from committed commands (issue 34). A block of the page between
 * `<!-- numbers: COMMAND -->` (one such line per command) and `<!-- /numbers -->` quotes numbers that those commands
 * print: this test reruns each command on the committed folders and checks that every decimal number of the block's
 * text (not its inline code, links or comments) is among the numbers of their output. `npx tsx scripts/...` runs the
 * script and `npx nrelu-bench stats ...` the command (from source); `npx nrelu-bench report DIR` is read from DIR/comparison.md, which test/report/committed-comparisons.test.ts
 * holds to what `report` rebuilds, and from DIR/comparison.csv and comparison-layers.csv, the same numbers unrounded (a quote of one of those
 * matches when the value rounds to it at the quote's decimals). A number quoted with a sign must match in sign; one
 * without matches either sign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = join(ROOT, 'results', 'README.md');
const CLI_ENTRY = join(ROOT, 'test', 'helpers', 'cli-entry.ts');

interface Block {
  line: number;
  commands: string[];
  text: string;
}

/** The page's checked blocks, in order. */
export function blocks(page: string): Block[] {
  const out: Block[] = [];
  const lines = page.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('<!-- numbers: ')) continue;
    const start = i;
    const commands: string[] = [];
    for (; i < lines.length && lines[i].startsWith('<!-- numbers: '); i++) {
      commands.push(/^<!-- numbers: (.*) -->$/.exec(lines[i])?.[1] ?? '');
    }
    const body: string[] = [];
    for (; i < lines.length && lines[i] !== '<!-- /numbers -->'; i++) body.push(lines[i]);
    assert.ok(i < lines.length, `results/README.md:${start + 1}: a numbers block without <!-- /numbers -->`);
    out.push({ line: start + 1, commands, text: body.join('\n') });
  }
  return out;
}

/** Shell-like words: single-quoted parts kept whole, the quotes removed. */
function words(command: string): string[] {
  return (command.match(/(?:'[^']*'|[^\s'])+/g) ?? []).map((w) => w.replace(/'/g, ''));
}

interface Output {
  /** Printed at the precision quoted. */
  text: string;
  /** Printed unrounded (comparison.csv): quoted at fewer decimals. */
  unrounded: number[];
}

const outputs = new Map<string, Output>();

/** What a block's command prints (cached: several blocks name the same command). */
function output(command: string): Output {
  const cached = outputs.get(command);
  if (cached !== undefined) return cached;
  const argv = words(command);
  let text: string;
  let unrounded: number[] = [];
  if (argv[0] === 'npx' && argv[1] === 'nrelu-bench' && argv[2] === 'report' && argv.length === 4) {
    text = readFileSync(join(ROOT, argv[3], 'comparison.md'), 'utf8');
    unrounded = ['comparison.csv', 'comparison-layers.csv']
      .flatMap((f) => readFileSync(join(ROOT, argv[3], f), 'utf8').split(/[,\n]/))
      .map(Number)
      .filter((v) => Number.isFinite(v));
  } else if (
    (argv[0] === 'npx' && argv[1] === 'tsx' && /^scripts\/[\w-]+\.ts$/.test(argv[2])) ||
    (argv[0] === 'npx' && argv[1] === 'nrelu-bench' && argv[2] === 'stats')
  ) {
    // A script runs as itself; `nrelu-bench stats` from source, as the bin runs the compiled CLI.
    const run = argv[1] === 'tsx' ? argv.slice(2) : [CLI_ENTRY, ...argv.slice(2)];
    const r = spawnSync(process.execPath, ['--import', 'tsx', ...run], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(r.status, 0, `${command}: ${r.stderr}`);
    text = r.stdout;
  } else {
    throw new Error(`not a command this test runs: ${command}`);
  }
  outputs.set(command, { text, unrounded });
  return { text, unrounded };
}

const NUMBER = /([−+-]?)(\d+\.\d+)/g;

/** Decimal numbers of a text, with the sign as written ('' when none). */
function numbers(text: string): { sign: string; value: number; raw: string }[] {
  return [...text.matchAll(NUMBER)].map((m) => ({
    sign: m[1] === '−' ? '-' : m[1],
    value: Number(m[2]),
    raw: m[0],
  }));
}

const INTERVAL = /([−+-]?\d+(?:\.\d+)?)%? \[([−+-]?\d+(?:\.\d+)?)%?, ([−+-]?\d+(?:\.\d+)?)%?\]/g;

/** Intervals `x [low, high]` of a text, each number with its sign as written. */
function intervals(text: string): { raw: string; parts: { sign: string; value: number }[] }[] {
  return [...text.matchAll(INTERVAL)].map((m) => ({
    raw: m[0],
    parts: [m[1], m[2], m[3]].map((x) => ({
      sign: x[0] === '−' ? '-' : /^[+-]/.test(x) ? x[0] : '',
      value: Number(x.replace(/^[−+-]/, '')),
    })),
  }));
}

/** A quoted number (sign as written, '' for none) against a printed one. */
const matches = (q: { sign: string; value: number }, p: number): boolean =>
  q.sign === '-' ? p === -q.value : q.sign === '+' ? p === q.value : Math.abs(p) === q.value;

/** The prose of a block: inline code, link targets and HTML comments left out. */
function quoted(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/`[^`]*`/g, ' ')
    .replace(/\]\([^)]*\)/g, '] ');
}

/** The quoted numbers of one block that its commands do not print. */
function unprinted(b: Block): string[] {
  const out: string[] = [];
  const all = b.commands.map(output);
  const printed = numbers(all.map((o) => o.text).join('\n')).map((n) => (n.sign === '-' ? -n.value : n.value));
  const unrounded = all.flatMap((o) => o.unrounded);
  const quotes = numbers(quoted(b.text));
  if (quotes.length === 0) out.push(`results/README.md:${b.line}: a numbers block that quotes no number`);
  for (const q of quotes) {
    const decimals = q.raw.length - q.raw.indexOf('.') - 1;
    const same = (p: number): boolean => matches(q, p);
    const ok = printed.some(same) || unrounded.some((v) => same(Number(v.toFixed(decimals))));
    if (!ok) out.push(`results/README.md:${b.line}: ${q.raw} is not printed by ${b.commands.join(' ; ')}`);
  }
  // An interval is quoted whole: its estimate and both ends must be printed together, as one interval.
  const printedIntervals = intervals(all.map((o) => o.text).join('\n')).map((i) =>
    i.parts.map((x) => (x.sign === '-' ? -x.value : x.value)),
  );
  for (const q of intervals(quoted(b.text))) {
    if (!printedIntervals.some((p) => q.parts.every((x, k) => matches(x, p[k])))) {
      out.push(`results/README.md:${b.line}: ${q.raw} is not printed as one interval by ${b.commands.join(' ; ')}`);
    }
  }
  return out;
}

/** The quoted numbers of the page's blocks that their commands do not print: [] when every number is printed. */
export function missing(page: string): string[] {
  return blocks(page).flatMap(unprinted);
}

test("every number in a numbers block of results/README.md is printed by the block's commands", () => {
  const page = readFileSync(PAGE, 'utf8');
  assert.ok(blocks(page).length >= 10, 'results/README.md has its numbers blocks');
  assert.deepEqual(missing(page), []);
});

test('a wrong number planted in a numbers block fails the check', () => {
  const page = readFileSync(PAGE, 'utf8');
  const plant = (from: string, to: string): string[] => {
    assert.ok(page.includes(from), `results/README.md quotes ${from}`);
    return missing(page.replace(from, to));
  };
  // The issue's own example: ReLU's test loss after epoch 1 quoted as 0.069 instead of the printed 0.0685.
  assert.ok(plant('0.0685)', '0.069)').some((m) => m.includes(' 0.069 is not printed')));
  // An estimate changed inside its interval, to a number printed elsewhere (+0.26): the interval is checked whole.
  assert.ok(
    plant('+0.25 [+0.14, +0.36] pp, in 8 of 8', '+0.26 [+0.14, +0.36] pp, in 8 of 8').some((m) =>
      m.includes('+0.26 [+0.14, +0.36] is not printed as one interval'),
    ),
  );
  // A one-digit change to a number of each block (the first whose changed value the commands do not also print).
  for (const b of blocks(page)) {
    const caught = numbers(quoted(b.text)).some((q) =>
      [1, 2, 3, 4, 5, 6, 7, 8, 9].some((k) => {
        const wrong = q.raw.replace(/\d$/, (d) => String((Number(d) + k) % 10));
        return unprinted({ ...b, text: b.text.replace(q.raw, wrong) }).some((m) => m.includes(`${wrong} is not`));
      }),
    );
    assert.ok(caught, `a changed number in the block at line ${b.line} is caught`);
  }
});

/** GitHub's heading anchor: lower case, punctuation dropped (letters of any script kept), spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

test("the README's Findings: a verdict and one bullet per claim, each linking to its section, the numbers left to results/README.md", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const findings = readme.slice(readme.indexOf('**Findings**'), readme.indexOf('\n## Quick start'));
  const bullets = findings.split('\n- ').slice(1);
  assert.deepEqual(
    bullets.map((b) => /^\*\*([^*:]+):\*\*/.exec(b)?.[1]),
    ['Accuracy', 'Stability', 'Dead units', 'Mechanism'],
  );
  const anchors = new Set(
    readFileSync(PAGE, 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );
  for (const b of bullets) {
    const links = [...b.matchAll(/\]\(results\/README\.md#([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0, `a link to its section in: ${b.slice(0, 40)}`);
    for (const l of links) assert.ok(anchors.has(l), `results/README.md has a section #${l}`);
  }
  // Only the settings' own numbers (sigma, the ±0.2 pp margin) are quoted; results stay in results/README.md.
  const quotedNumbers = numbers(quoted(findings)).map((n) => n.value);
  assert.deepEqual(
    quotedNumbers.filter((v) => ![0.05, 0.1, 0.2].includes(v)),
    [],
  );
});
