/**
 * Progress for a grid: on a terminal, cli-progress bars (the grid, and one per run in progress:
 * with --jobs N several runs train at once); elsewhere (CI logs, pipes) one plain line per epoch
 * and per run.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, EpochResult } from '../train/trainer.js';

export interface ProgressReporter {
  startGrid(total: number, skipped: number): void;
  /** `detail` says where the run trains, e.g. `worker 1234` (its process id). */
  startRun(id: string, epochs: number, detail?: string): void;
  /** `id`: which run the batch belongs to (several may train at once). */
  batch(p: BatchProgress, id?: string): void;
  epoch(id: string, r: EpochResult, epochs: number): void;
  endRun(id: string, status: string, message?: string): void;
  log(line: string): void;
  stop(): void;
}

const fmt = (v: number, digits = 4): string => v.toFixed(digits);

function epochLine(id: string, r: EpochResult, epochs: number): string {
  // The unit probe's counts, as the CSVs name them; nothing on epochs without a probe.
  const units = r.probe?.results.units as { dead: { dead: number; units: number } } | undefined;
  const dead = units ? ` dead ${units.dead.dead}/${units.dead.units}` : '';
  const varied = r.varied === null ? '' : ` ${r.varied.param} ${Number(r.varied.value.toPrecision(4))}`;
  return (
    `${id} epoch ${r.epoch}/${epochs}: train loss ${fmt(r.trainLoss)} acc ${fmt(r.trainAcc)} ` +
    `| test loss ${fmt(r.testLoss)} acc ${fmt(r.testAcc)}${dead}${varied} ` +
    `| ${r.epochSeconds.toFixed(1)} s, ${Math.round(r.samplesPerSecond)} samples/s`
  );
}

/** Plain lines on a stream: for logs and pipes. */
export class LineProgress implements ProgressReporter {
  private started = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}
  startGrid(total: number, skipped: number): void {
    this.total = total;
    this.started = skipped;
    this.out.write(`grid: ${total} runs${skipped ? `, ${skipped} already done (resuming)` : ''}\n`);
  }
  startRun(id: string, _epochs: number, detail?: string): void {
    this.started += 1;
    this.out.write(`[${this.started}/${this.total}] ${id}${detail ? ` (${detail})` : ''}\n`);
  }
  batch(): void {}
  epoch(id: string, r: EpochResult, epochs: number): void {
    this.out.write(`  ${epochLine(id, r, epochs)}\n`);
  }
  endRun(id: string, status: string, message?: string): void {
    this.out.write(`  ${id}: ${status}${message ? ` (${message})` : ''}\n`);
  }
  log(line: string): void {
    this.out.write(`${line}\n`);
  }
  stop(): void {}
}

/** Bars on a terminal: the grid, and one per run in progress. */
export class BarProgress implements ProgressReporter {
  private readonly multi: cliProgress.MultiBar;
  private grid: cliProgress.SingleBar | null = null;
  private readonly runs = new Map<string, { bar: cliProgress.SingleBar; epochs: number }>();
  private last: string | null = null;

  constructor(stream: NodeJS.WritableStream = process.stderr) {
    this.multi = new cliProgress.MultiBar(
      {
        clearOnComplete: false,
        hideCursor: true,
        format: '{label} |{bar}| {value}/{total} {info}',
        stream,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  startGrid(total: number, skipped: number): void {
    // The ETA must be in the bar's format: cli-progress does not expand placeholders inside payload values.
    this.grid = this.multi.create(
      total,
      skipped,
      { label: 'grid', info: skipped ? `runs (${skipped} resumed)` : 'runs' },
      { format: '{label} |{bar}| {value}/{total} {info}  ETA {eta_formatted}' },
    );
  }
  startRun(id: string, epochs: number): void {
    this.runs.set(id, { bar: this.multi.create(1, 0, { label: id, info: '' }), epochs });
    this.last = id;
  }
  batch(p: BatchProgress, id?: string): void {
    const run = this.runs.get(id ?? this.last ?? '');
    run?.bar.setTotal(p.batches);
    run?.bar.update(p.batch, { info: `epoch ${p.epoch}/${run.epochs} loss ${fmt(p.loss)} acc ${fmt(p.acc)}` });
  }
  epoch(id: string, r: EpochResult, epochs: number): void {
    this.multi.log(`${epochLine(id, r, epochs)}\n`);
  }
  endRun(id: string, status: string, message?: string): void {
    this.grid?.increment(1);
    const run = this.runs.get(id);
    if (run) {
      run.bar.stop();
      this.multi.remove(run.bar);
      this.runs.delete(id);
    }
    if (status !== 'completed') this.multi.log(`${id}: ${status}${message ? ` (${message})` : ''}\n`);
  }
  log(line: string): void {
    this.multi.log(`${line}\n`);
  }
  stop(): void {
    this.multi.stop();
  }
}

export function createProgress(): ProgressReporter {
  return process.stderr.isTTY ? new BarProgress() : new LineProgress();
}
