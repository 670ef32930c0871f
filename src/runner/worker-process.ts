/**
 * The parent's handle on one worker process: forks worker.ts (or the compiled worker.js) next to
 * this module with the parent's own Node flags (so `--import tsx` under the tests carries over),
 * sends it runs, and turns its messages into callbacks. If the process dies (a signal such as an
 * out-of-memory kill, a native abort, a non-zero exit, a lost IPC channel), the run it was training
 * ends as `failed` with a message naming the signal or exit code; nothing else is affected.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, isProblemKind } from '../errors.js';
import type { RunSpec } from '../config/types.js';
import type { BatchProgress, EpochResult, RunResult } from '../train/trainer.js';
import type { SavedModelFiles } from '../models/saved.js';
import {
  DEFAULT_WORKER_TIMEOUT_S,
  HEARTBEAT_ENV,
  WORKER_ENV,
  type BackendInfo,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';

const HERE = fileURLToPath(import.meta.url);
/** worker.js in dist/, worker.ts when running from the sources under tsx. */
export const WORKER_MODULE = join(dirname(HERE), `worker${extname(HERE)}`);
/** Set by the bundle's entry (scripts/bundle-entry.ts): the one-file bundle is its own worker module. */
export const WORKER_MODULE_ENV = 'NRELU_BENCH_WORKER_MODULE';
const workerModule = (): string => process.env[WORKER_MODULE_ENV] ?? WORKER_MODULE;

/** Node test-runner flags that take their value as the next argument. */
const TEST_FLAGS_WITH_VALUE = new Set([
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-shard',
  '--test-concurrency',
  '--test-timeout',
]);

/** The parent's Node flags a worker should share: loaders yes (tsx), test-runner and watch flags no. */
export function workerExecArgv(execArgv: string[] = process.execArgv, module = workerModule()): string[] {
  const args: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i];
    if (a.startsWith('--test') || a.startsWith('--watch')) {
      if (TEST_FLAGS_WITH_VALUE.has(a)) i++;
      continue;
    }
    args.push(a);
  }
  if (module.endsWith('.ts') && !args.some((a) => a.includes('tsx'))) args.push('--import', 'tsx');
  return args;
}

export interface RunOutcome {
  status: RunResult['status'] | 'failed';
  message?: string;
  result: RunResult | null;
  /** The final model's files, when the grid saves models and the run completed. */
  model?: SavedModelFiles;
}

export interface RunCallbacks {
  onEpoch(r: EpochResult): void;
  onBatch(p: BatchProgress): void;
}

export interface ReadyInfo {
  backend: BackendInfo;
  dataset: { name: string; source: unknown };
}

function describeExit(
  pid: number | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
  tail: string,
): string {
  const who = `worker process ${pid ?? '?'}`;
  let what: string;
  if (signal === 'SIGKILL') what = `${who} was killed by signal SIGKILL (out of memory, or killed by hand)`;
  else if (signal) what = `${who} was killed by signal ${signal}`;
  else if (code === 134) what = `${who} aborted (exit code 134, SIGABRT)`;
  else what = `${who} exited with code ${code ?? '?'} before the run finished`;
  return tail ? `${what}: ${tail}` : what;
}

export class WorkerProcess {
  readonly child: ChildProcess;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;
  private stderrTail: string[] = [];
  private current: { id: string; callbacks: RunCallbacks; resolve: (o: RunOutcome) => void } | null = null;
  private pendingInit: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;

  private lastHeard = Date.now();
  /** Why the parent killed the process, when it did (a missed heartbeat). */
  private killReason: string | null = null;
  private readonly watchdog: NodeJS.Timeout;

  /**
   * `log` receives the worker's own output (stdout and stderr), line by line. A worker that sends
   * nothing (not even its heartbeat) for `timeoutMs` while it holds a run is killed, and the run fails.
   */
  constructor(
    private readonly log: (line: string) => void,
    private readonly timeoutMs = DEFAULT_WORKER_TIMEOUT_S * 1000,
  ) {
    const heartbeatMs = Math.max(50, Math.min(5000, Math.floor(timeoutMs / 4)));
    this.child = fork(workerModule(), [], {
      execArgv: workerExecArgv(),
      env: { ...process.env, [WORKER_ENV]: '1', [HEARTBEAT_ENV]: String(heartbeatMs) },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const streamsEnded = [this.child.stdout, this.child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          let buffer = '';
          stream?.on('data', (d: Buffer) => {
            buffer += d.toString();
            const lines = buffer.split('\n');
            buffer = lines.pop() ?? '';
            for (const line of lines) this.output(line);
          });
          const end = (): void => {
            if (buffer) this.output(buffer);
            buffer = '';
            resolve();
          };
          stream?.on('end', end);
          stream?.on('close', end);
          if (!stream) resolve();
        }),
    );
    // The IPC channel closes after its last message was read: a result sent just before the process
    // died still counts.
    const channelClosed = new Promise<void>((resolve) => this.child.once('disconnect', resolve));
    this.child.on('message', (m: FromWorker) => {
      this.lastHeard = Date.now();
      this.onMessage(m);
    });
    this.watchdog = setInterval(() => this.checkHeartbeat(), heartbeatMs).unref();
    // 'error' covers a failed spawn and a failed send; the process may still be alive: end it.
    this.child.on('error', (err) => {
      this.log(`worker process ${this.pid ?? '?'}: ${err.message}`);
      this.kill();
    });
    // Not 'close': Node never emits it for a forked child whose IPC channel the parent disconnected.
    // After 'exit', the last output and messages are read (a grandchild holding the pipes gets 2 s).
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const grace = new Promise<void>((r) => setTimeout(r, 2000).unref());
        const drained = Promise.all([...streamsEnded, this.child.connected ? channelClosed : Promise.resolve()]);
        clearInterval(this.watchdog);
        void Promise.race([drained, grace]).then(() => {
          this.exitInfo = { code, signal };
          this.onExit();
          resolve();
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  private output(line: string): void {
    if (!line.trim()) return;
    this.stderrTail = [...this.stderrTail.slice(-19), line];
    this.log(`${this.current ? `${this.current.id} ` : ''}[worker ${this.pid ?? '?'}] ${line}`);
  }

  private send(message: ToWorker): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  /**
   * Selects the backend and loads the dataset in the worker. A UserError there is re-thrown here with its kind (the CLI
   * maps it to an exit code).
   */
  init(init: WorkerInit): Promise<ReadyInfo> {
    return new Promise((resolve, reject) => {
      this.pendingInit = { resolve, reject };
      this.lastHeard = Date.now();
      this.send({ type: 'init', init });
    });
  }

  /** Trains one run; resolves with its outcome, also when the process dies on the way. */
  run(spec: RunSpec, callbacks: RunCallbacks): Promise<RunOutcome> {
    return new Promise((resolve) => {
      if (!this.alive) {
        resolve({ status: 'failed', message: this.deathMessage(), result: null });
        return;
      }
      this.current = { id: spec.id, callbacks, resolve };
      this.lastHeard = Date.now();
      this.send({ type: 'run', spec });
    });
  }

  /** Asks the current run to stop after its current batch. */
  stop(): void {
    this.send({ type: 'stop' });
  }

  /** Lets the worker exit (it exits when its IPC channel closes) and waits until it has. */
  async close(): Promise<void> {
    if (this.alive && this.child.connected) this.child.disconnect();
    await this.exited;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** Kills a worker that holds a run (or is loading) but has been silent for longer than the timeout. */
  private checkHeartbeat(): void {
    if (!this.alive || (!this.current && !this.pendingInit)) return;
    const silent = Date.now() - this.lastHeard;
    if (silent <= this.timeoutMs) return;
    this.killReason =
      `worker process ${this.pid ?? '?'} sent no heartbeat for ${(silent / 1000).toFixed(1)} s (frozen or stopped; ` +
      `the limit is --worker-timeout ${this.timeoutMs / 1000} s) and was killed`;
    this.log(this.killReason);
    this.kill();
  }

  private deathMessage(): string {
    if (this.killReason) return this.killReason;
    const tail = this.stderrTail.filter((l) => /error|abort|memory|fatal|killed/i.test(l)).slice(-1)[0] ?? '';
    return describeExit(this.pid, this.exitInfo?.code ?? null, this.exitInfo?.signal ?? null, tail.trim());
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'heartbeat':
        break;
      case 'ready':
        this.pendingInit?.resolve({ backend: m.backend, dataset: m.dataset });
        this.pendingInit = null;
        break;
      case 'init-failed':
        this.pendingInit?.reject(
          isProblemKind(m.kind)
            ? new UserError(m.kind, m.message, { hint: m.hint })
            : new Error(`worker process ${this.pid ?? '?'} could not start: ${m.message}`),
        );
        this.pendingInit = null;
        break;
      case 'batch':
        if (this.current?.id === m.id) this.current.callbacks.onBatch(m.progress);
        break;
      case 'epoch':
        if (this.current?.id === m.id) this.current.callbacks.onEpoch(m.result);
        break;
      case 'done': {
        const current = this.current;
        if (current?.id !== m.id) break;
        this.current = null;
        current.resolve({ status: m.status, message: m.message, result: m.result, model: m.model });
        break;
      }
    }
  }

  private onExit(): void {
    const message = this.deathMessage();
    this.pendingInit?.reject(new Error(`${message} while loading the backend and dataset`));
    this.pendingInit = null;
    const current = this.current;
    this.current = null;
    current?.resolve({ status: 'failed', message, result: null });
  }
}
