#!/usr/bin/env node
// Thin entry: all logic lives in the compiled CLI (npm install runs the build through `prepare`).
import { main } from '../dist/cli/main.js';

// Output piped into a reader that stops early (`nrelu-bench list x.yaml | head`): stop quietly, as Unix tools do.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
