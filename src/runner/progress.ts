/**
 * Progress for a grid: on a terminal, two cli-progress bars (the grid, and the current run's
 * batches); elsewhere (CI logs, pipes) one plain line per epoch and per run.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, EpochResult } from '../train/trainer.js';

export interface ProgressReporter {
  startGrid(total: number, skipped: number): void;
  startRun(id: string, epochs: number): void;
  batch(p: BatchProgress): void;
  epoch(id: string, r: EpochResult, epochs: number): void;
  endRun(id: string, status: string, message?: string): void;
  log(line: string): void;
  stop(): void;
}

const fmt = (v: number, digits = 4): string => v.toFixed(digits);

function epochLine(id: string, r: EpochResult, epochs: number): string {
  const dead = r.dead ? ` dead ${r.dead.dead}/${r.dead.units}` : '';
  const sigma = r.sigma === null ? '' : ` sigma ${Number(r.sigma.toPrecision(4))}`;
  return `${id} epoch ${r.epoch}/${epochs}: train loss ${fmt(r.trainLoss)} acc ${fmt(r.trainAcc)} | test loss ${fmt(r.testLoss)} acc ${fmt(r.testAcc)}${dead}${sigma} | ${r.epochSeconds.toFixed(1)} s, ${Math.round(r.samplesPerSecond)} samples/s`;
}

/** Plain lines on a stream: for logs and pipes. */
export class LineProgress implements ProgressReporter {
  private done = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WritableStream = process.stderr) {}
  startGrid(total: number, skipped: number): void {
    this.total = total;
    this.done = skipped;
    this.out.write(`grid: ${total} runs${skipped ? `, ${skipped} already done (resuming)` : ''}\n`);
  }
  startRun(id: string): void {
    this.out.write(`[${this.done + 1}/${this.total}] ${id}\n`);
  }
  batch(): void {}
  epoch(id: string, r: EpochResult, epochs: number): void {
    this.out.write(`  ${epochLine(id, r, epochs)}\n`);
  }
  endRun(id: string, status: string, message?: string): void {
    this.done += 1;
    this.out.write(`  ${id}: ${status}${message ? ` (${message})` : ''}\n`);
  }
  log(line: string): void {
    this.out.write(`${line}\n`);
  }
  stop(): void {}
}

/** Two bars on a terminal. */
export class BarProgress implements ProgressReporter {
  private readonly multi = new cliProgress.MultiBar({
    clearOnComplete: false,
    hideCursor: true,
    format: '{label} |{bar}| {value}/{total} {info}',
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  private grid: cliProgress.SingleBar | null = null;
  private run: cliProgress.SingleBar | null = null;
  private epochs = 0;

  startGrid(total: number, skipped: number): void {
    this.grid = this.multi.create(total, skipped, { label: 'grid', info: 'runs  ETA {eta_formatted}' });
    this.grid.update(skipped, { label: 'grid', info: skipped ? `runs (${skipped} resumed)` : 'runs' });
  }
  startRun(id: string, epochs: number): void {
    this.epochs = epochs;
    this.run?.stop();
    if (this.run) this.multi.remove(this.run);
    this.run = this.multi.create(1, 0, { label: id, info: '' });
  }
  batch(p: BatchProgress): void {
    this.run?.setTotal(p.batches);
    this.run?.update(p.batch, { info: `epoch ${p.epoch}/${this.epochs} loss ${fmt(p.loss)} acc ${fmt(p.acc)}` });
  }
  epoch(id: string, r: EpochResult, epochs: number): void {
    this.multi.log(`${epochLine(id, r, epochs)}\n`);
  }
  endRun(id: string, status: string, message?: string): void {
    this.grid?.increment(1);
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
