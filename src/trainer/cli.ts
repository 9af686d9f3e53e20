/**
 * `latent-lens` — the trainer process and command-line tool.
 *
 *   latent-lens train <folder> --out <runDir> [options]   train a VAE on a folder of images
 *   latent-lens train <folder> --out <runDir> --request <json>   the same, options as one TrainRequest (the extension)
 *   latent-lens resume <runDir> [--epochs N]               continue from the last checkpoint
 *   latent-lens eval <runDir> --data <folder> [--json]     negative ELBO of a trained model on a folder
 *   latent-lens bench [--json]                             training throughput of the canonical model
 *   latent-lens report <runDir> --out <file.html>          a self-contained HTML view of a run
 *   latent-lens report <runA> <runB> … --out <file.html>   2–4 runs side by side (Compare Runs)
 *   latent-lens encode <modelDir> <folder> --out <runDir>  a saved encoder/decoder applied to a folder, as a run
 *   latent-lens sweep <folder> --out <sweepDir> --grid …   a grid of runs, locally or on Slurm (./sweep/command.ts)
 *   latent-lens export <runDir> --format tsv|csv|parquet --out <dir|file>  one row per image, for other tools
 *   latent-lens replay <runDir> --out map.gif [--samples]  the map (or decoded fixed z) over epochs as a GIF (./replay/command.ts)
 *   latent-lens project <runDir> [--json]                  the 2-D map of μ once more (./projectCommand.ts)
 *   latent-lens recon|samples|traverse|interpolate <runDir> --out <file.png> [...]  PNG grids (./pictures/commands.ts)
 *   latent-lens set <runDir> --beta 4 --lr 3e-4 / control <runDir> pause|continue|step|stop   live control (./controlCommand.ts)
 *
 * Forked by the VS Code extension with an IPC channel, it sends every TrainerEvent and obeys
 * TrainerCommands (pause, resume, stop; `project` is a request with a reply) in the one message
 * envelope (./ipc.ts); the same events drive the terminal output.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendName, RunConfig } from '../protocol/runFormat';
import {
  ConfigError, configFromRequest, parseFlag, parseTrainRequestJson, requestFromFlags, trainFlagHelp, trainFlagOptions, trainUsage,
} from '../protocol/trainRequest';
import { disconnectHost, listen, makeEmitter, sendToHost } from './ipc';
import { SWEEP_USAGE, sweepMain } from './sweep/command';
import { PICTURES_USAGE, PICTURE_COMMANDS, type PictureCommand } from './pictures/commands';
import { CONTROL_USAGE, controlMain } from './controlCommand';
import { TrainControl, train, type Projector } from './train';

// Every parameter flag, its bounds and its help come from the table of src/protocol/config.ts.
const USAGE = `usage:
  latent-lens train <folder> --out <runDir> [--request <json>]
${trainUsage()}
  latent-lens resume <runDir> [--epochs N] [--backend B]
  latent-lens eval <runDir> --data <folder> [--json] [--backend B]
  latent-lens bench [--json] [--backend B] [--batch-size N] [--steps N] [model flags: --preset, --image-size, --channels, --arch, --conditional …]
  latent-lens report <runDir> --out <file.html>
  latent-lens report <runA> <runB> [<runC> <runD>] --out <compare.html>
  latent-lens encode <modelDir> <folder> --out <runDir> [--backend B]
${SWEEP_USAGE}
  latent-lens export <runDir> --format tsv|csv|parquet --out <dir|file>
  latent-lens replay <runDir> --out <map.gif|map.webp> [--samples] [--fps N] [--size PX]
  latent-lens project <runDir> [--json]
${PICTURES_USAGE}
${CONTROL_USAGE}

train options (--request <json>: a TrainRequest object with these keys in camelCase; flags override it):
${trainFlagHelp()}`;

/** An error the user caused: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** `--steps`, a bench-only count. */
function positiveCount(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`--${flag} ${JSON.stringify(value)} is not valid: a whole number ≥ 1`);
  return Number(value);
}

const backendOption = (value: string | undefined): BackendName => (value === undefined ? 'auto' : parseFlag('backend', value) as BackendName);

const options = {
  ...trainFlagOptions(),
  out: { type: 'string' }, format: { type: 'string' }, request: { type: 'string' }, json: { type: 'boolean' }, data: { type: 'string' }, steps: { type: 'string' }, help: { type: 'boolean' },
  // The picture commands (./pictures/commands.ts); --seed and --steps are shared.
  n: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, image: { type: 'string' }, temperature: { type: 'string' }, spherical: { type: 'boolean' },
  label: { type: 'string' }, count: { type: 'string' },
} as const;

/** The run configuration a `train` command line asks for (--request, then flags on top). */
export function configFromArgs(folder: string, v: Record<string, string | boolean | undefined>): { config: RunConfig; channels: 1 | 3 | 'auto'; noCache: boolean } {
  const base = typeof v.request === 'string' ? parseTrainRequestJson(v.request) : {};
  const request = requestFromFlags(v, base);
  return { ...configFromRequest(path.resolve(folder), request), noCache: request.noCache === true };
}

async function projector(): Promise<Projector> {
  const { projectLatents } = await import('./projection');
  return (mu, count, dim, previous, onPca) => projectLatents(mu, count, dim, previous, { onPca });
}

async function runTraining(args: { config?: RunConfig; channels?: 1 | 3 | 'auto'; noCache?: boolean; runDir: string; resumeEpochs?: number; backend: BackendName; resume: boolean }): Promise<number> {
  const emit = makeEmitter(false);
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message });
  const control = new TrainControl();
  listen(control, log);
  const { initBackend, backendLabel } = await import('../backend/backendInit');
  const backend = backendLabel(await initBackend(args.backend, log));
  const outcome = await train({
    runDir: args.runDir, config: args.config, channels: args.channels, noCache: args.noCache, backend, emit, control, project: await projector(),
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
  if (command === 'sweep') return sweepMain(rest);
  if (command === 'replay') { const r = await import('./replay/command'); return r.replayMain(rest).catch((e: Error) => { throw e instanceof r.ReplayUsageError ? new UsageError(e.message) : e; }); }
  if (command === 'set' || command === 'control') return controlMain(command, rest);
  const { values: v, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  /** A parameter flag's text (the parameter flags are derived, so parseArgs cannot type them). */
  const flag = (name: string) => (v as Record<string, string | boolean | undefined>)[name] as string | undefined;
  switch (command) {
    case 'train': {
      if (positionals.length !== 1) throw new UsageError('train needs exactly one image folder');
      if (!v.out) throw new UsageError('train needs --out <runDir>, the folder the run is written to');
      const { config, channels, noCache } = configFromArgs(positionals[0], v);
      (await import('../run/runDir')).assertNewRunFolder(v.out); // before the backend starts (train() checks again)
      return runTraining({ config, channels, noCache, runDir: path.resolve(v.out), backend: config.training.backend, resume: false });
    }
    case 'resume': {
      if (positionals.length !== 1) throw new UsageError('resume needs exactly one run directory');
      const { readConfig } = await import('../run/runDir');
      const config = await readConfig(positionals[0]);
      const epochs = flag('epochs') === undefined ? undefined : parseFlag('epochs', flag('epochs')!);
      return runTraining({ runDir: path.resolve(positionals[0]), resumeEpochs: epochs, backend: flag('backend') ? backendOption(flag('backend')) : config.training.backend, resume: true });
    }
    case 'eval': {
      if (positionals.length !== 1 || !v.data) throw new UsageError('eval needs a run directory and --data <folder>');
      const { evaluateRun } = await import('./evaluate');
      const { initBackend } = await import('../backend/backendInit');
      const log = (m: string) => process.stderr.write(m + '\n');
      await initBackend(backendOption(flag('backend')), log);
      const result = await evaluateRun(positionals[0], v.data, log);
      console.log(v.json ? JSON.stringify(result) : `test −ELBO ${result.test_neg_elbo} nats (recon ${result.test_recon}, KL ${result.test_kl}) on ${result.images} images`);
      return 0;
    }
    case 'bench': {
      const { runBench } = await import('./bench');
      const { initBackend } = await import('../backend/backendInit');
      const log = (m: string) => process.stderr.write(m + '\n');
      const backend = await initBackend(backendOption(flag('backend')), log);
      const result = await runBench({ backend, batchSize: flag('batch-size') === undefined ? 128 : parseFlag('batchSize', flag('batch-size')!), steps: positiveCount('steps', v.steps, 10), log, request: requestFromFlags(v) });
      console.log(v.json ? JSON.stringify(result) : `${result.train_images_per_s} training images/s on ${result.backend}${result.native_kernels ? ' with the native kernels' : ''} (${result.model} ${result.shape.join('×')}, batch ${result.batch_size})`);
      return 0;
    }
    case 'encode': {
      if (positionals.length !== 2 || !v.out) throw new UsageError('encode needs a model folder (with encoder/ and decoder/, or a run), an image folder and --out <runDir>');
      const emit = makeEmitter(false);
      const { initBackend } = await import('../backend/backendInit');
      const backend = await initBackend(backendOption(flag('backend')), (message) => emit({ type: 'log', level: 'info', message }));
      const { encodeFolder } = await import('./encode');
      const message = await encodeFolder({ modelDir: positionals[0], dataDir: positionals[1], runDir: path.resolve(v.out), backend, emit, project: await projector() });
      emit({ type: 'done', status: 'completed', message });
      return 0;
    }
    case 'samples':
      // --count is kept as another name of --n (the first form of `samples --label`, issue 12).
      if (v.count !== undefined && v.n !== undefined) throw new UsageError('samples takes --n or --count, not both');
      return (await import('./pictures/commands')).picturesCommand('samples', positionals, { ...v, n: v.n ?? v.count, seed: flag('seed'), backend: backendOption(flag('backend')) });
    case 'report': {
      if (positionals.length < 1 || positionals.length > 4 || !v.out) throw new UsageError('report needs a run directory (or 2–4 to compare) and --out <file.html>');
      const { writeReport, writeCompareReport } = await import('./report');
      await (positionals.length > 1 ? writeCompareReport(positionals, v.out) : writeReport(positionals[0], v.out));
      console.log(`wrote ${path.resolve(v.out)}`);
      return 0;
    }
    case 'project': {
      if (positionals.length !== 1) throw new UsageError('project needs exactly one run directory');
      const r = await (await import('./projectCommand')).projectRun(positionals[0]);
      console.log(v.json ? JSON.stringify(r) : `wrote the ${r.method.toUpperCase()} map of μ of ${r.count} images (epoch ${r.epoch}) in ${(r.millis / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'export':
      return (await import('./export/index')).exportCommand(positionals, { format: v.format, out: v.out });
    default:
      if ((PICTURE_COMMANDS as readonly string[]).includes(command)) {
        return (await import('./pictures/commands')).picturesCommand(command as PictureCommand, positionals, { ...v, seed: flag('seed'), backend: backendOption(flag('backend')) });
      }
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
  disconnectHost();
  setTimeout(() => process.exit(code), 1500).unref();
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => exitSoon(code),
    (e: Error) => {
      const usage = e instanceof UsageError || e instanceof ConfigError || (e as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS');
      process.stderr.write(`latent-lens: ${e.message}\n${usage ? `\n${USAGE}\n` : ''}`);
      sendToHost({ type: 'done', status: 'failed', message: e.message });
      exitSoon(usage ? 2 : 1);
    },
  );
}
