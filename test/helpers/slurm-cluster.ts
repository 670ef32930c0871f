/**
 * A single-node Slurm cluster on localhost for tests (Debian's slurm-wlm and munge): the daemons
 * are started here in a temporary folder, without systemd, and stopped by PID. See
 * `slurmUnavailable` for when a test must skip instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SBIN];
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return null;
}

/** Why a local cluster cannot be started here, or null when it can. */
export function slurmUnavailable(): string | null {
  const missing = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scontrol', 'munged'].filter(
    (p) => !findProgram(p),
  );
  if (missing.length)
    return `Slurm is not installed (${missing.join(', ')} not found): apt-get install slurm-wlm munge`;
  if (process.getuid?.() !== 0) return 'starting slurmd needs root';
  return null;
}

export interface LocalSlurm {
  /** Environment for clients (sbatch, squeue, ...): SLURM_CONF points at the cluster's config. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** The daemons' log files, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, seconds: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`local Slurm: ${what} did not happen within ${seconds} s\n${logs()}`);
    await sleep(200);
  }
}

function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), 'nrelu-slurm-'));
  chmodSync(dir, 0o755);
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
  chmodSync(join(dir, 'munge'), 0o755);
  const key = join(dir, 'munge', 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(dir, 'munge', 'munge.socket.2');
  const node = hostname().split('.')[0];
  const env = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  const daemons: ChildProcess[] = [];
  const logs = (): string =>
    ['munged.log', 'slurmctld.log', 'slurmd.log']
      .map((f) => join(dir, 'log', f))
      .filter((f) => existsSync(f))
      .map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`)
      .join('\n');
  const start = (program: string, args: string[]): void => {
    daemons.push(spawn(findProgram(program) as string, args, { env, stdio: 'ignore' }));
  };
  const stop = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await stopDaemon(d);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    start('munged', [
      '-F',
      `--key-file=${key}`,
      `--socket=${socket}`,
      `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
      `--seed-file=${join(dir, 'munge', 'munged.seed')}`,
      `--log-file=${join(dir, 'log', 'munged.log')}`,
    ]);
    await waitFor('munged socket', () => existsSync(socket), 30, logs);
    writeFileSync(
      env.SLURM_CONF,
      `ClusterName=test
SlurmctldHost=${node}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=${socket}
CredType=cred/munge
StateSaveLocation=${join(dir, 'state')}
SlurmdSpoolDir=${join(dir, 'spool')}
SlurmctldPidFile=${join(dir, 'slurmctld.pid')}
SlurmdPidFile=${join(dir, 'slurmd.pid')}
SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}
SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
`,
    );
    start('slurmctld', ['-D', '-c']);
    start('slurmd', ['-D']);
    const idle = (): boolean => {
      const r = spawnSync(findProgram('sinfo') as string, ['-h', '-o', '%T'], { env, encoding: 'utf8' });
      return r.status === 0 && r.stdout.trim() === 'idle';
    };
    await waitFor('the node becoming idle', idle, 60, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, dir, logs, stop };
}

/** Runs a Slurm client command on the cluster; returns its stdout (throws with stderr on failure). */
export function slurmClient(cluster: LocalSlurm, program: string, args: string[]): string {
  const r = spawnSync(findProgram(program) as string, args, { env: cluster.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
