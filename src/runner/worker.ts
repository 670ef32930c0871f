/**
 * A worker process's entry (started by worker-process.ts with child_process.fork): selects the
 * backend, loads the dataset, then trains the runs the parent sends, one at a time, reporting
 * epochs and results over IPC. It writes no files. It exits when the parent disconnects (the grid
 * is done, or the parent died), so a worker never outlives its runner.
 *
 * Ctrl-C on a terminal reaches the whole process group: a worker ignores SIGINT and lets the parent
 * decide (it forwards a `stop`; on a second Ctrl-C it exits, and so its workers). SIGTERM (e.g.
 * Slurm's time limit, sent to every process of the job) stops the current run after its batch; a
 * second SIGTERM exits at once.
 */
import { selectBackend } from '../backend/select.js';
import { provokeWebGpuValidationError } from '../backend/webgpu-errors.js';
import { loadDataset, type Dataset } from '../data/datasets.js';
import { toDeviceData, type DeviceData } from '../train/device-data.js';
import { trainRun } from '../train/trainer.js';
import { modelFiles, type SavedModelFiles } from '../models/saved.js';
import { errorMessage, isUserError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { RunSpec } from '../config/types.js';
import {
  FAIL_ENV,
  HEARTBEAT_ENV,
  HOLD_ENV,
  WEBGPU_FAULT_ENV,
  WORKER_ENV,
  type FromWorker,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';

let dataset: Dataset | null = null;
let saveModels = false;
const deviceCache = new Map<string, DeviceData>();
let stopRequested = false;
let busy: Promise<void> = Promise.resolve();

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) {
      resolve();
      return;
    }
    process.send(message, undefined, undefined, () => resolve());
  });
}

async function init(options: WorkerInit): Promise<void> {
  try {
    saveModels = options.saveModels ?? false;
    const backend = await selectBackend(options.backend);
    dataset = await loadDataset(options.dataset, { dataDir: options.dataDir, standardize: options.standardize });
    await send({ type: 'ready', backend, dataset: { name: dataset.name, source: dataset.source } });
  } catch (err) {
    // The worker reports the problem's kind, not an exit code: the parent maps it (exit-codes.ts).
    const user = isUserError(err);
    await send({
      type: 'init-failed',
      message: errorMessage(err),
      hint: user ? err.hint : undefined,
      kind: user ? err.kind : undefined,
    });
  }
}

function deviceData(spec: RunSpec): DeviceData {
  const key = `${spec.train.trainSamples ?? ''}/${spec.train.testSamples ?? ''}`;
  let data = deviceCache.get(key);
  if (!data) {
    if (!dataset) throw new Error('the worker received a run before its dataset was loaded');
    data = toDeviceData(dataset, { train: spec.train.trainSamples, test: spec.train.testSamples });
    deviceCache.set(key, data);
  }
  return data;
}

/** Never resolves; keeps the process busy until it is killed (see HOLD_ENV). */
function hold(): Promise<void> {
  return new Promise(() => {
    setInterval(() => undefined, 60_000);
  });
}

async function run(spec: RunSpec): Promise<void> {
  stopRequested = false;
  let model: SavedModelFiles | undefined;
  try {
    const result = await trainRun(spec, deviceData(spec), {
      onCompleted: saveModels
        ? async (m) => {
            model = await modelFiles(m);
          }
        : undefined,
      shouldStop: () => stopRequested,
      onBatch: (progress) => {
        void send({ type: 'batch', id: spec.id, progress });
      },
      onEpoch: async (r) => {
        await send({ type: 'epoch', id: spec.id, result: r });
        // Test-only hooks (protocol.ts): never set outside the tests.
        if (r.epoch === 1 && process.env[HOLD_ENV] === spec.id) await hold();
        if (r.epoch === 1 && process.env[FAIL_ENV] === spec.id)
          throw new Error(`${FAIL_ENV}: failing ${spec.id} on purpose`);
        if (r.epoch === 1 && process.env[WEBGPU_FAULT_ENV] === spec.id) provokeWebGpuValidationError();
      },
    });
    await send({ type: 'done', id: spec.id, status: result.status, message: result.message, result, model });
  } catch (err) {
    await send({ type: 'done', id: spec.id, status: 'failed', message: errorMessage(err), result: null });
  }
}

function onSigterm(): void {
  if (stopRequested) process.exit(EXIT.terminated);
  stopRequested = true;
}

if (!process.env[WORKER_ENV] || !process.send) {
  process.stderr.write("this module is nrelu-bench's worker process; it is started by `nrelu-bench run --jobs N`\n");
  process.exit(2);
}

// The heartbeat tells the parent this process still runs; a frozen or stopped one falls silent and is
// killed (worker-process.ts). unref: it never keeps the process alive on its own.
const heartbeatMs = Number(process.env[HEARTBEAT_ENV]);
if (heartbeatMs > 0)
  setInterval(() => {
    void send({ type: 'heartbeat' });
  }, heartbeatMs).unref();

process.on('SIGINT', () => undefined);
process.on('SIGTERM', onSigterm);
process.on('disconnect', () => {
  for (const d of deviceCache.values()) d.dispose();
  process.exit(0);
});
process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    stopRequested = true;
    return;
  }
  // Runs are sent one at a time, but chain them anyway so two never train at once.
  busy = busy.then(() => (message.type === 'init' ? init(message.init) : run(message.spec)));
});
