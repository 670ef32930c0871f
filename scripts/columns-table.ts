/** Prints docs/COLUMNS.md's column table from the registry (src/results/columns.ts): `npm run columns`. */
import { columnTable } from '../src/results/columns.js';

process.stdout.write(`${columnTable()}\n`);
