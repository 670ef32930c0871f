/**
 * No function in src/ over 80 lines (issue 35): ESLint's max-lines-per-function, set in eslint.config.js, counts every
 * line from the signature to the closing brace, blank and comment lines included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A function of `lines` lines in all: signature, statements padded with comment and blank lines, closing brace. */
function functionOf(lines: number): string {
  const filler = Array.from({ length: lines - 4 }, (_, i) =>
    i % 3 === 0 ? `  total += ${i};` : i % 3 === 1 ? '  // a comment line counts' : '',
  );
  return ['export function long(): number {', '  let total = 0;', ...filler, '  return total;', '}', ''].join('\n');
}

async function lengthErrors(path: string, text: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(text, { filePath: `${ROOT}${path}` });
  return result.messages.filter((m) => m.ruleId === 'max-lines-per-function').map((m) => m.message);
}

test('a function of 80 lines in src/ passes lint; one of 81, blank and comment lines counted, fails naming it', async () => {
  assert.equal(functionOf(81).split('\n').length - 1, 81);
  assert.deepEqual(await lengthErrors('src/report/planted.ts', functionOf(80)), []);
  const errors = await lengthErrors('src/report/planted.ts', functionOf(81));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /Function 'long' has too many lines \(81\)\. Maximum allowed is 80/);
});
