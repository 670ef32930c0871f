/**
 * docs/ARCHITECTURE.md's "may import" table is enforced by scripts/check-folder-imports.mjs (in `npm run lint`):
 * the real tree passes, and a planted forbidden import, exit-code import or cycle fails naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../scripts/check-folder-imports.mjs', import.meta.url).pathname;
const doc = new URL('../../docs/ARCHITECTURE.md', import.meta.url).pathname;

function check(files: Record<string, string> | null): { status: number | null; out: string } {
  const args = [script];
  if (files) {
    const src = mkdtempSync(join(tmpdir(), 'folders-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(src, path, '..'), { recursive: true });
      writeFileSync(join(src, path), text);
    }
    args.push(src, doc);
  }
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('the source tree imports only what the architecture table allows', () => {
  const r = check(null);
  assert.equal(r.status, 0, r.out);
});

test('a planted report/ -> config/ import fails, naming the file and what report/ may import', () => {
  const r = check({ 'report/x.ts': "import { a } from '../config/y.js';\n", 'config/y.ts': 'export const a = 1;\n' });
  assert.equal(r.status, 1);
  assert.match(
    r.out,
    /report\/x\.ts imports \.\.\/config\/y\.js: report\/ may import activations\/, results\/, stats\//,
  );
});

test('exit codes outside cli/, and a back edge from results/ to report/, fail', () => {
  assert.match(
    check({ 'results/x.ts': "import { EXIT } from '../exit-codes.js';\n", 'exit-codes.ts': '' }).out,
    /only cli\/ and runner\/worker\.ts/,
  );
  const planted = check({
    'results/a.ts': "import { b } from '../report/b.js';\n",
    'report/b.ts': "import { a } from '../results/a.js';\nexport const b = 1;\n",
  });
  assert.equal(planted.status, 1);
  assert.match(
    planted.out,
    /results\/a\.ts imports \.\.\/report\/b\.js: results\/ may import config\/, metrics\/, models\//,
  );
});

test("results/ -> train/ fails: the file format reads the metrics' record, not the trainer's memory shape", () => {
  const r = check({
    'results/rows.ts': "import type { EpochResult } from '../train/trainer.js';\n",
    'train/trainer.ts': 'export type EpochResult = { epoch: number };\n',
  });
  assert.equal(r.status, 1);
  assert.match(
    r.out,
    /results\/rows\.ts imports \.\.\/train\/trainer\.js: results\/ may import config\/, metrics\/, models\//,
  );
});
