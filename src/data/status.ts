/** What `nrelu-bench info` reports per dataset: is it on disk, verified, and where. */
import { datasetEntries, fileList, isPinned, type RemoteDataset } from './catalog.js';
import { datasetDir, findLocal } from './cache.js';
import { resolvePackageData } from './package-data.js';

export interface DatasetStatus {
  name: string;
  /** Loadable without network. */
  available: boolean;
  detail: string;
}

async function remoteStatus(name: string, remote: RemoteDataset, dataDir?: string): Promise<DatasetStatus> {
  const specs = fileList(remote.files);
  for (const sys of remote.systemDirs) {
    const found = await Promise.all(specs.map((s) => findLocal(sys, s)));
    if (found.every((f) => f.state === 'ok'))
      return { name, available: true, detail: `system package folder ${sys} (4/4 files verified)` };
  }
  const dir = datasetDir(name, dataDir);
  const found = await Promise.all(specs.map((s) => findLocal(dir, s)));
  const ok = found.filter((f) => f.state === 'ok').length;
  const bad = found.filter((f) => f.state === 'mismatch').length;
  if (ok === specs.length) return { name, available: true, detail: `cached in ${dir} (4/4 files verified)` };
  for (const pkg of remote.packages) {
    const resolved = resolvePackageData(pkg);
    if (!resolved) continue;
    const inPkg = await Promise.all(specs.map((s) => findLocal(resolved.dir, s)));
    const okPkg = inPkg.filter((f) => f.state === 'ok').length;
    if (okPkg === specs.length) {
      const digests = inPkg.map((f) => (f.state === 'ok' ? f.sha256.slice(0, 12) : '')).join(' ');
      return {
        name,
        available: true,
        detail:
          `npm package ${resolved.name} ${resolved.version} ` +
          `in ${resolved.dir} (4/4 files verified, SHA-256 ${digests}…)`,
      };
    }
  }
  const badNote = bad > 0 ? `, ${bad} with a wrong SHA-256` : '';
  return {
    name,
    available: false,
    detail:
      `not cached (${ok}/4 files verified in ${dir}${badNote}); ` + `downloaded on first use from ${remote.mirrors[0]}`,
  };
}

/**
 * The catalog's datasets and whether each can be loaded offline. Verifies checksums, so it reads the
 * files (a few hundred ms for a cached MNIST).
 */
export async function datasetStatus(options: { dataDir?: string } = {}): Promise<DatasetStatus[]> {
  const out: DatasetStatus[] = [];
  for (const entry of datasetEntries()) {
    out.push(
      isPinned(entry)
        ? await remoteStatus(entry.name, entry, options.dataDir)
        : { name: entry.name, ...entry.status() },
    );
  }
  return out;
}
