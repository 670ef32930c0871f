/** The terminal progress bars: the grid bar shows an estimated time left, as the README promises. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { BarProgress } from '../../src/runner/progress.js';

/** A stream that looks like a terminal to cli-progress and keeps what is written. */
function fakeTty(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as Writable & {
    text: string;
    isTTY: boolean;
    columns: number;
    cursorTo: () => boolean;
    clearLine: () => boolean;
    moveCursor: () => boolean;
  };
  Object.assign(stream, {
    text: '',
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return stream;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('the grid bar shows the ETA once runs finish', async () => {
  const out = fakeTty();
  const p = new BarProgress(out);
  p.startGrid(4, 0);
  for (const id of ['a', 'b']) {
    p.startRun(id, 1);
    await sleep(150);
    p.endRun(id, 'completed');
  }
  await sleep(150);
  p.stop();
  assert.doesNotMatch(out.text, /\{eta/, 'no unexpanded placeholder');
  // Two of four runs took ~0.3 s: about 0.3 s left, shown as cli-progress formats it.
  assert.match(out.text, /grid .* 2\/4 runs +ETA [0-9]+s/);
});
