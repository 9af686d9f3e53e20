/**
 * Turns TrainerEvents into terminal output: a one-line progress bar (epoch, step, loss,
 * images/s, ETA) redrawn in place on a TTY, plain log lines otherwise (CI, pipes, the
 * extension's output channel). While the images load, "decoding images 4,000 / 10,000" the same
 * way (on a pipe at most one line every 2 s, and the last one).
 */
import type { TrainerEvent } from '../protocol/trainerIpc';
import { decodingImagesText } from '../protocol/images';

export class ProgressPrinter {
  private stepsPerEpoch = 1;
  private totalEpochs = 1;
  private startStep = 0;
  private startTime = Date.now();
  private barShown = false;
  private lastLoadingLine = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly tty = Boolean(out.isTTY)) {}

  private line(text: string): void {
    if (this.barShown) { this.out.write('\r\x1b[2K'); this.barShown = false; }
    this.out.write(text + '\n');
  }

  handle(e: TrainerEvent): void {
    switch (e.type) {
      case 'log':
        this.line(e.level === 'info' ? e.message : `${e.level}: ${e.message}`);
        break;
      case 'loading': {
        const text = decodingImagesText(e.done, e.total);
        if (this.tty) {
          this.out.write(`\r\x1b[2K${text}`);
          this.barShown = true;
          if (e.done >= e.total) this.line(text);
        } else if (e.done >= e.total || Date.now() - this.lastLoadingLine >= 2000) {
          this.lastLoadingLine = Date.now();
          this.line(text);
        }
        break;
      }
      case 'started':
        this.stepsPerEpoch = e.stepsPerEpoch;
        this.totalEpochs = e.config.training.epochs;
        this.startStep = e.step;
        this.startTime = Date.now();
        break;
      case 'step': {
        const m = e.metrics;
        const total = this.stepsPerEpoch * this.totalEpochs;
        const done = m.step - this.startStep;
        const perStep = (Date.now() - this.startTime) / Math.max(1, done);
        const eta = formatDuration(perStep * Math.max(0, total - m.step));
        const stepInEpoch = m.step - (m.epoch - 1) * this.stepsPerEpoch;
        const text = `epoch ${m.epoch}/${this.totalEpochs} step ${stepInEpoch}/${this.stepsPerEpoch} loss ${m.loss.toFixed(2)} (recon ${m.recon.toFixed(2)}, KL ${m.kl.toFixed(2)}) ${m.imagesPerSec.toFixed(0)} img/s ETA ${eta}`;
        if (this.tty) {
          const width = 20, filled = Math.round((width * m.step) / Math.max(1, total));
          this.out.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
          this.barShown = true;
        } else {
          this.line(text);
        }
        break;
      }
      case 'checkpoint':
      case 'latents':
      case 'decoderSaved':
      case 'status':
        break;
      case 'projection':
        this.line(`epoch ${e.epoch}: ${e.method.toUpperCase()} map of μ in ${(e.millis / 1000).toFixed(1)} s`);
        break;
      case 'epochEnd':
        break; // the trainer logs its own summary line
      case 'done':
        this.line(e.message);
        break;
    }
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
