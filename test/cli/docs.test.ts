/** The README (and docs/SWEEPS.md) and the CLI's help say the same things (each pair here once disagreed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildProgram } from '../../src/cli/main.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
/** Sweeps, shards and merge moved to their own page (issue 35). */
const sweeps = readFileSync(new URL('docs/SWEEPS.md', root), 'utf8');
const quick = readFileSync(new URL('configs/quick.yaml', root), 'utf8');

function help(name?: string): string {
  const program = buildProgram();
  const cmd = name ? program.commands.find((c) => c.name() === name) : program;
  assert.ok(cmd, name);
  let text = '';
  cmd.configureOutput({
    writeOut: (s) => {
      text += s;
    },
  });
  cmd.outputHelp();
  return text;
}

test('README, --help and quick.yaml state the same quick-start time', () => {
  const time = (text: string): string =>
    (/about (\d+ (?:seconds|minutes))/.exec(text) ?? [])[1] ?? `none in: ${text.slice(0, 200)}`;
  const fromReadme = time(readme.slice(readme.indexOf('## Quick start')));
  assert.match(fromReadme, /^\d+ /);
  assert.equal(time(help()), fromReadme);
  assert.equal(time(quick), fromReadme);
});

test('merge --help and docs/SWEEPS.md give the same exit codes', () => {
  const codes = (text: string): string => (/Exit codes: ([^.]*?)\./s.exec(text.replace(/\s+/g, ' ')) ?? [])[1] ?? '';
  const section = sweeps.slice(sweeps.indexOf('nrelu-bench merge results/paper-mlp/shard-*'));
  const readmeCodes = codes(section).replace(/`/g, '');
  assert.match(readmeCodes, /0 merged, 1 a damaged/);
  assert.deepEqual(
    [...codes(help('merge')).matchAll(/\b[012]\b/g)].map((m) => m[0]),
    [...readmeCodes.matchAll(/\b[012]\b/g)].map((m) => m[0]),
  );
});

test('the README documents --jobs auto, the seed range, +key=value and check --jobs/--backend', () => {
  assert.match(readme, /--jobs N\\\|auto/);
  assert.match(help('run'), /--jobs <n\|auto>/);
  assert.match(readme, /seeds` \| list of distinct integers from 0 to 2³²−1/);
  assert.match(readme, /`\+key=value`/);
  assert.match(readme, /check <results-dir> .*--rerun \[--jobs N\] \[--backend B\]/);
  assert.match(help('check'), /--jobs <n\|auto>[\s\S]*--backend <name>/);
});
