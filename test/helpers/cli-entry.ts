// The bin's twin for tests: runs the CLI from source (the bin runs the compiled dist/).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
