/**
 * `latent-lens` — the trainer process and command-line tool.
 *
 *   latent-lens train <folder> --out <runDir> [options]   train a VAE on a folder of images
 *   latent-lens resume <runDir> [--epochs N]               continue from the last checkpoint
 *   latent-lens eval <runDir> --data <folder> [--json]     negative ELBO of a trained model on a folder
 *   latent-lens bench [--json]                             training throughput of the canonical model
 *   latent-lens report <runDir> --out <file.html>          a self-contained HTML view of a run
 *   latent-lens encode <modelDir> <folder> --out <runDir>  a saved encoder/decoder applied to a folder, as a run
 *
 * Forked by the VS Code extension with an IPC channel, it sends every TrainerEvent with
 * process.send and obeys TrainerCommands (pause, resume, stop, project); the same events
 * drive the terminal output.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, parseTrainerCommand, type BackendName, type RunConfig, type TrainerEvent } from '../protocol/trainerIpc';
import { DEFAULT_MODEL, DEFAULT_TRAINING, PRESETS, defaultFilters, stagesFor } from '../protocol/config';
import { ProgressPrinter } from './progress';
import { TrainControl, train, type Projector } from './train';

const USAGE = `usage:
  latent-lens train <folder> --out <runDir> [--preset canonical] [--epochs N] [--batch-size N]
        [--latent-dim N] [--image-size N | HxW] [--channels auto|1|3] [--likelihood bernoulli|gaussian]
        [--beta B] [--kl-warmup STEPS] [--free-bits NATS] [--lr LR] [--seed N]
        [--backend ${BACKENDS.join('|')}] [--max-images N] [--val-split F] [--log-every N]
  latent-lens resume <runDir> [--epochs N] [--backend B]
  latent-lens eval <runDir> --data <folder> [--json] [--backend B]
  latent-lens bench [--json] [--backend B] [--batch-size N] [--steps N]
  latent-lens report <runDir> --out <file.html>
  latent-lens encode <modelDir> <folder> --out <runDir> [--backend B]`;

/** An error the user caused: printed without a stack, exit code 2. */
export class UsageError extends Error {}

function num(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean = Number.isFinite): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} ${JSON.stringify(value)} is not valid`);
  return n;
}
const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
const nonNegative = (n: number) => n >= 0;

function backendOption(value: string | undefined): BackendName {
  const b = (value ?? 'auto') as BackendName;
  if (!BACKENDS.includes(b)) throw new UsageError(`--backend ${value} is not one of ${BACKENDS.join(', ')}`);
  return b;
}

const trainOptions = {
  out: { type: 'string' }, preset: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
  'latent-dim': { type: 'string' }, 'image-size': { type: 'string' }, channels: { type: 'string' }, likelihood: { type: 'string' },
  beta: { type: 'string' }, 'kl-warmup': { type: 'string' }, 'free-bits': { type: 'string' }, lr: { type: 'string' },
  seed: { type: 'string' }, backend: { type: 'string' }, 'max-images': { type: 'string' }, 'val-split': { type: 'string' },
  'log-every': { type: 'string' }, json: { type: 'boolean' }, data: { type: 'string' }, steps: { type: 'string' }, help: { type: 'boolean' },
} as const;

/** The run configuration a `train` command line asks for. */
export function configFromArgs(folder: string, v: Record<string, string | boolean | undefined>): { config: RunConfig; channels: 1 | 3 | 'auto' } {
  const s = (k: string) => v[k] as string | undefined;
  const preset = s('preset');
  if (preset && !PRESETS[preset]) throw new UsageError(`--preset ${preset} is unknown; presets: ${Object.keys(PRESETS).join(', ')}`);
  const base = preset ? PRESETS[preset] : { model: DEFAULT_MODEL, training: {} };
  let [height, width] = [base.model.imageHeight, base.model.imageWidth];
  if (s('image-size')) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(s('image-size')!);
    if (!m) throw new UsageError(`--image-size ${s('image-size')} is not N or HxW (e.g. 28, 64, 32x48)`);
    height = Number(m[1]); width = Number(m[2] ?? m[1]);
    if (height < 8 || width < 8 || height > 512 || width > 512) throw new UsageError(`--image-size ${s('image-size')}: each side must be between 8 and 512`);
  }
  const channelsArg = s('channels') ?? (preset ? String(base.model.channels) : 'auto');
  if (!['auto', '1', '3'].includes(channelsArg)) throw new UsageError(`--channels ${channelsArg} must be auto, 1 or 3`);
  const channels = channelsArg === 'auto' ? 'auto' : (Number(channelsArg) as 1 | 3);
  const likelihood = s('likelihood') ?? base.model.likelihood;
  if (likelihood !== 'bernoulli' && likelihood !== 'gaussian') throw new UsageError(`--likelihood ${likelihood} must be bernoulli or gaussian`);
  const sizeChanged = height !== base.model.imageHeight || width !== base.model.imageWidth;
  const training = { ...DEFAULT_TRAINING, ...base.training };
  const config: RunConfig = {
    version: 1,
    dataDir: path.resolve(folder),
    ...(preset ? { preset } : {}),
    model: {
      imageHeight: height, imageWidth: width, channels: channels === 'auto' ? 1 : channels,
      latentDim: num('latent-dim', s('latent-dim'), base.model.latentDim, positiveInt),
      filters: sizeChanged ? defaultFilters(stagesFor(height, width)) : base.model.filters,
      likelihood,
    },
    training: {
      epochs: num('epochs', s('epochs'), training.epochs, positiveInt),
      batchSize: num('batch-size', s('batch-size'), training.batchSize, positiveInt),
      learningRate: num('lr', s('lr'), training.learningRate, (n) => n > 0),
      beta: num('beta', s('beta'), training.beta, nonNegative),
      klWarmupSteps: num('kl-warmup', s('kl-warmup'), training.klWarmupSteps, (n) => Number.isInteger(n) && n >= 0),
      freeBits: num('free-bits', s('free-bits'), training.freeBits, nonNegative),
      seed: num('seed', s('seed'), training.seed, Number.isInteger),
      valSplit: num('val-split', s('val-split'), training.valSplit, (n) => n >= 0 && n <= 0.9),
      maxImages: num('max-images', s('max-images'), training.maxImages, (n) => Number.isInteger(n) && n >= 0),
      backend: backendOption(s('backend')),
      logEvery: num('log-every', s('log-every'), training.logEvery, positiveInt),
    },
  };
  return { config, channels };
}

/** Where events go: IPC to the extension host when forked, and the terminal. */
function makeEmitter(jsonOnly: boolean): (e: TrainerEvent) => void {
  const printer = new ProgressPrinter(jsonOnly ? process.stderr : process.stdout);
  return (e) => {
    if (process.send && process.connected) process.send(e);
    printer.handle(e);
  };
}

/** Wire IPC commands and signals to the training control. */
function listen(control: TrainControl, log: (m: string) => void): void {
  process.on('message', (raw) => {
    let cmd;
    try { cmd = parseTrainerCommand(raw); } catch (e) { log(`ignored an invalid command: ${(e as Error).message}`); return; }
    if (cmd.type === 'pause') control.pause();
    else if (cmd.type === 'resume') control.resume();
    else if (cmd.type === 'stop') control.stop();
    else if (cmd.type === 'project') control.projectRequested = true;
  });
  // The extension host going away (window reload) must not kill the run mid-write: stop cleanly.
  process.on('disconnect', () => control.stop());
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(130);
    log(`${sig}: writing a checkpoint, then stopping (press again to quit at once)`);
    control.stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

async function projector(): Promise<Projector> {
  const { projectLatents } = await import('./projection');
  return (mu, count, dim, previous, onPca) => projectLatents(mu, count, dim, previous, { onPca });
}

async function runTraining(args: { config?: RunConfig; channels?: 1 | 3 | 'auto'; runDir: string; resumeEpochs?: number; backend: BackendName; resume: boolean }): Promise<number> {
  const emit = makeEmitter(false);
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message });
  const control = new TrainControl();
  listen(control, log);
  const { initBackend } = await import('../backend/backendInit');
  const backend = await initBackend(args.backend, log);
  const outcome = await train({
    runDir: args.runDir, config: args.config, channels: args.channels, backend, emit, control, project: await projector(),
    resume: args.resume ? { epochs: args.resumeEpochs } : undefined,
  });
  emit({ type: 'done', status: outcome.status, message: outcome.message });
  const { closeProjectionWorker } = await import('./projection');
  await closeProjectionWorker();
  return outcome.status === 'failed' ? 3 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { values: v, positionals } = parseArgs({ args: rest, options: trainOptions, allowPositionals: true, strict: true });
  switch (command) {
    case 'train': {
      if (positionals.length !== 1) throw new UsageError('train needs exactly one image folder');
      if (!v.out) throw new UsageError('train needs --out <runDir>, the folder the run is written to');
      const { config, channels } = configFromArgs(positionals[0], v);
      return runTraining({ config, channels, runDir: path.resolve(v.out), backend: config.training.backend, resume: false });
    }
    case 'resume': {
      if (positionals.length !== 1) throw new UsageError('resume needs exactly one run directory');
      const { readConfig } = await import('../run/runDir');
      const config = await readConfig(positionals[0]);
      const epochs = v.epochs === undefined ? undefined : num('epochs', v.epochs, 1, positiveInt);
      return runTraining({ runDir: path.resolve(positionals[0]), resumeEpochs: epochs, backend: v.backend ? backendOption(v.backend) : config.training.backend, resume: true });
    }
    case 'eval': {
      if (positionals.length !== 1 || !v.data) throw new UsageError('eval needs a run directory and --data <folder>');
      const { evaluateRun } = await import('./evaluate');
      const { initBackend } = await import('../backend/backendInit');
      const log = (m: string) => process.stderr.write(m + '\n');
      await initBackend(backendOption(v.backend), log);
      const result = await evaluateRun(positionals[0], v.data, log);
      console.log(v.json ? JSON.stringify(result) : `test −ELBO ${result.test_neg_elbo} nats (recon ${result.test_recon}, KL ${result.test_kl}) on ${result.images} images`);
      return 0;
    }
    case 'bench': {
      const { runBench } = await import('./bench');
      const { initBackend } = await import('../backend/backendInit');
      const log = (m: string) => process.stderr.write(m + '\n');
      const backend = await initBackend(backendOption(v.backend), log);
      const result = await runBench({ backend, batchSize: num('batch-size', v['batch-size'], 128, positiveInt), steps: num('steps', v.steps, 10, positiveInt), log });
      console.log(v.json ? JSON.stringify(result) : `${result.train_images_per_s} training images/s on ${result.backend} (canonical model, batch ${result.batch_size})`);
      return 0;
    }
    case 'encode': {
      if (positionals.length !== 2 || !v.out) throw new UsageError('encode needs a model folder (with encoder/ and decoder/, or a run), an image folder and --out <runDir>');
      const emit = makeEmitter(false);
      const { initBackend } = await import('../backend/backendInit');
      const backend = await initBackend(backendOption(v.backend), (message) => emit({ type: 'log', level: 'info', message }));
      const { encodeFolder } = await import('./encode');
      const message = await encodeFolder({ modelDir: positionals[0], dataDir: positionals[1], runDir: path.resolve(v.out), backend, emit, project: await projector() });
      emit({ type: 'done', status: 'completed', message });
      return 0;
    }
    case 'report': {
      if (positionals.length !== 1 || !v.out) throw new UsageError('report needs a run directory and --out <file.html>');
      const { writeReport } = await import('./report');
      await writeReport(positionals[0], v.out);
      console.log(`wrote ${path.resolve(v.out)}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * Once the command is done, leave: every file is written by then, and a helper thread that
 * still holds the event loop (wasm pthread workers, the projection worker) must not keep a
 * finished trainer alive. The timer is unref'd, so a process with nothing left exits at once.
 */
function exitSoon(code: number): void {
  process.exitCode = code;
  if (process.send && process.connected) process.disconnect();
  setTimeout(() => process.exit(code), 1500).unref();
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => exitSoon(code),
    (e: Error) => {
      const usage = e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS');
      process.stderr.write(`latent-lens: ${e.message}\n${usage ? `\n${USAGE}\n` : ''}`);
      if (process.send && process.connected) process.send({ type: 'done', status: 'failed', message: e.message } satisfies TrainerEvent);
      exitSoon(usage ? 2 : 1);
    },
  );
}
