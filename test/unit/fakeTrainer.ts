/**
 * A fake trainer process for the extension's unit tests: a TrainerChannel that emits the same
 * TrainerEvents as the real one (each checked with the protocol's own parser), records the
 * commands it is sent (events and requests), obeys pause / resume / stop the way src/trainer
 * does, and answers the `project` request with the `projection` event it then emits.
 */
import { EventEmitter } from 'node:events';
import {
  parseTrainerEvent, type EpochMetrics, type RunConfig, type StepMetrics, type TrainerCommand, type TrainerEvent,
  type TrainerReplies, type TrainerRequest,
} from '../../src/protocol/trainerIpc';
import type { TrainerChannel, TrainerChannelEvents } from '../../src/extension/runs/trainerProcess';

export function runConfig(epochs: number): RunConfig {
  return {
    version: 1,
    dataDir: '/data/fashion',
    model: { imageHeight: 28, imageWidth: 28, channels: 1, latentDim: 2, filters: [32, 64], likelihood: 'bernoulli' },
    training: { epochs, batchSize: 128, learningRate: 0.001, beta: 1, klWarmupSteps: 0, freeBits: 0, seed: 1, valSplit: 0.1, maxImages: 0, backend: 'wasm', logEvery: 10 },
  };
}

export class FakeTrainer extends EventEmitter<TrainerChannelEvents> implements TrainerChannel {
  readonly sent: TrainerCommand[] = [];
  readonly signals: NodeJS.Signals[] = [];
  ended = false;
  /** Answer stop/pause/resume like the real trainer (default true). */
  obey = true;
  epochs = 3;
  stepsPerEpoch = 50;
  step = 0;

  request<C extends TrainerRequest>(cmd: C): Promise<TrainerReplies[C['type']]> {
    if (this.ended) return Promise.reject(new Error('the trainer process has ended'));
    this.sent.push(cmd);
    if (!this.obey) return new Promise(() => undefined);
    return new Promise((resolve) => queueMicrotask(() => {
      const projection = { type: 'projection', epoch: Math.floor(this.step / this.stepsPerEpoch), method: 'umap', millis: 5 } as const;
      this.event(projection);
      resolve(projection);
    }));
  }

  send(cmd: Exclude<TrainerCommand, TrainerRequest>): boolean {
    if (this.ended) return false;
    this.sent.push(cmd);
    if (this.obey) {
      if (cmd.type === 'pause') queueMicrotask(() => this.event({ type: 'status', status: 'paused' }));
      if (cmd.type === 'resume') queueMicrotask(() => this.event({ type: 'status', status: 'training' }));
      if (cmd.type === 'stop') {
        queueMicrotask(() => {
          this.event({ type: 'checkpoint', step: this.step, epoch: Math.floor(this.step / this.stepsPerEpoch) });
          this.event({ type: 'done', status: 'stopped', message: `stopped at step ${this.step}` });
          this.exit(0, null);
        });
      }
    } else if (cmd.type === 'stop') {
      // A real trainer that ignores `stop` is a live child process, which keeps the event loop
      // alive until it ends (Run.stop's grace timer is unref'd and would not).
      this.alive ??= setTimeout(() => undefined, 60_000);
    }
    return true;
  }

  private alive: ReturnType<typeof setTimeout> | undefined;

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.ended) return false;
    this.signals.push(signal);
    queueMicrotask(() => this.exit(null, signal));
    return true;
  }

  /** Emit an event, validated exactly as TrainerProcess validates what arrives over IPC. */
  event(e: TrainerEvent): void {
    this.emit('event', parseTrainerEvent(e));
  }

  started(opts: { epochs?: number; stepsPerEpoch?: number; step?: number; backend?: string } = {}): void {
    this.epochs = opts.epochs ?? this.epochs;
    this.stepsPerEpoch = opts.stepsPerEpoch ?? this.stepsPerEpoch;
    this.step = opts.step ?? 0;
    this.event({
      type: 'started', runDir: '/runs/r', backend: opts.backend ?? 'wasm', config: runConfig(this.epochs),
      dataset: { images: 100, trainImages: 90, valImages: 10, labels: ['a', 'b'], skipped: 0 }, step: this.step, stepsPerEpoch: this.stepsPerEpoch,
    });
  }

  /** One training step in the given 1-based epoch (as src/trainer/train.ts counts it). */
  trainStep(epoch: number, loss = 200): void {
    this.step++;
    const metrics: StepMetrics = { kind: 'step', step: this.step, epoch, loss, recon: loss - 10, kl: 10, klPerDim: [5, 5], klWeight: 1, imagesPerSec: 850.4, time: Date.now() };
    this.event({ type: 'step', metrics, stepsPerEpoch: this.stepsPerEpoch });
  }

  /** The end of the given 1-based epoch. */
  epochEnd(epoch: number): void {
    const metrics: EpochMetrics = { kind: 'epoch', epoch, step: this.step, valNegElbo: 190, valRecon: 180, valKl: 10, klPerDim: [5, 5], activeUnits: 2, time: Date.now() };
    this.event({ type: 'epochEnd', metrics });
    this.event({ type: 'checkpoint', step: this.step, epoch });
  }

  /** Train whole epochs like the real loop: steps, epoch end, checkpoint. */
  trainEpochs(from: number, to: number): void {
    for (let epoch = from; epoch <= to; epoch++) {
      while (this.step < epoch * this.stepsPerEpoch) this.trainStep(epoch);
      this.epochEnd(epoch);
    }
  }

  complete(): void {
    this.event({ type: 'status', status: 'completed' });
    this.event({ type: 'done', status: 'completed', message: `trained ${this.epochs} epochs` });
    this.exit(0, null);
  }

  log(line: string, isErr = false): void {
    this.emit('log', line, isErr);
  }

  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.alive);
    this.emit('exit', code, signal);
  }
}
