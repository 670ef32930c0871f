// One contender for a folder's lock (test/results/lock.test.ts): waits until a shared start time, tries to lock,
// holds the lock a while, and prints what it got as one JSON line.
import { lockFolder } from '../../src/results/lock.js';

const [dir, startAt, holdMs] = process.argv.slice(2);
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
try {
  const lock = lockFolder(dir, 'contender', () => {});
  const start = Date.now();
  await new Promise((r) => setTimeout(r, Number(holdMs)));
  const end = Date.now();
  lock.release();
  process.stdout.write(`${JSON.stringify({ got: true, start, end })}\n`);
} catch {
  process.stdout.write(`${JSON.stringify({ got: false })}\n`);
}
