#!/usr/bin/env node
// Thin entry: all logic lives in the compiled CLI (npm install runs the build through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
