/**
 * Starting trainer processes: train, resume from a checkpoint, encode with a saved model. Each
 * becomes a Run in the registry (which the status bar, the output channel and the panels follow),
 * then optionally gets its panel and its progress notification.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainRequest } from '../../protocol/trainRequest';
import { isRunFolder } from '../../run/runDir';
import { requestFromCommandArgs } from '../runs/launchRequest';
import { Run, type RunKind } from '../runs/run';
import type { RunRegistry } from '../runs/registry';
import { progressTitle } from '../runs/runText';
import { TrainerProcess, encodeArgs, resumeArgs, trainArgs } from '../runs/trainerProcess';
import { newRunName, readTrainSettings, runsRoot } from '../settings';
import { nativeBackendEnv } from './installNativeBackend';
import { showRunProgress } from '../ui/progressNotification';
import { requireTrust, untrustedError } from '../ui/trust';

/**
 * Arguments of `latentLens.trainOnFolder` when called programmatically (tests, other extensions):
 * the folder, where to write, and any training parameter of the schema (a TrainRequest key:
 * epochs, imageSize, beta, …) over the settings. An unknown key is an error.
 */
export interface TrainCommandArgs extends TrainRequest {
  folder: string;
  /** Default: `<runs directory>/<folder name>-<timestamp>`. */
  runDir?: string;
  /** Ask for confirmation of the key settings (default: false when called with arguments). */
  confirm?: boolean;
  /** Open the run's panel (default true). */
  showPanel?: boolean;
  /** Show the cancellable progress notification (default true). */
  showProgress?: boolean;
}

/** Arguments of `latentLens.loadModel` when called programmatically (tests, other extensions): no pickers. */
export interface LoadModelCommandArgs {
  /** A run folder, its model/ folder, or any folder with encoder/ and decoder/ (TensorFlow.js layers format). */
  modelDir: string;
  /** The images to encode; without it, a folder picker (or, if cancelled, the model's own run). */
  folder?: string;
  /** Default: `<runs directory>/<folder name>-<timestamp>-encoded`. */
  runDir?: string;
  /** Default: the latentLens.backend setting. */
  backend?: string;
}

export interface ShowOptions {
  /** Open the run's panel (default true). */
  showPanel?: boolean;
  /** Show the cancellable progress notification (default true). */
  showProgress?: boolean;
}

export interface LauncherDeps {
  /** dist/cli.js. */
  cliPath: string;
  /** The extension's folder (the trainer's working directory). */
  extensionPath: string;
  runs: RunRegistry;
  log(line: string): void;
  showPanel(runDir: string, preserveFocus: boolean): void;
}

export class RunLauncher {
  constructor(private readonly deps: LauncherDeps) {}

  /** Train a new run (settings fill what `args` leaves out). Throws on a bad folder, a bad value or an untrusted workspace. */
  async train(args: TrainCommandArgs): Promise<Run> {
    if (!requireTrust('train a model')) throw untrustedError();
    const request = requestFromCommandArgs(args, readTrainSettings());
    const folder = path.resolve(args.folder);
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`Latent Lens: ${folder} is not a folder`);
    const runDir = path.resolve(args.runDir ?? path.join(runsRoot(undefined, folder), newRunName(folder)));
    if (this.deps.runs.get(runDir)?.running) throw new Error(`Latent Lens: a run is already training into ${runDir}`);
    fs.mkdirSync(path.dirname(runDir), { recursive: true });
    this.deps.log(`▶ Training on ${folder}\n  run folder: ${runDir}\n  request: ${JSON.stringify(request)}`);
    return this.start('train', runDir, trainArgs(folder, runDir, request), progressTitle('train', path.basename(folder)), args);
  }

  /** Resume a run folder from its last checkpoint (the live Run if it is still training). */
  async resume(runDir: string, opts: ShowOptions = {}): Promise<Run> {
    if (!requireTrust('resume training')) throw untrustedError();
    runDir = path.resolve(runDir);
    const live = this.deps.runs.get(runDir);
    if (live?.running) return live;
    if (!isRunFolder(runDir)) throw new Error(`Latent Lens: ${runDir} is not a run folder`);
    this.deps.log(`▶ Resuming ${runDir}`);
    return this.start('resume', runDir, resumeArgs(runDir, { backend: readTrainSettings().backend }), progressTitle('resume', path.basename(runDir)), opts);
  }

  /** Encode `folder` with the model in `modelDir` into a new run folder. */
  encode(modelDir: string, folder: string, runDir: string, backend: string): Run {
    this.deps.log(`▶ Encoding ${folder} with ${modelDir}\n  run folder: ${runDir}`);
    return this.start('encode', runDir, encodeArgs(modelDir, folder, runDir, backend), progressTitle('encode', path.basename(folder)), {});
  }

  private start(kind: RunKind, runDir: string, args: string[], title: string, show: ShowOptions): Run {
    const trainer = new TrainerProcess({
      cliPath: this.deps.cliPath, args,
      cwd: this.deps.extensionPath,
      // Inside the Electron build of VS Code, process.execPath is Electron: run it as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...nativeBackendEnv() },
    });
    const run = new Run(trainer, { runDir: path.resolve(runDir), kind });
    this.deps.runs.add(run);
    if (show.showPanel ?? true) this.showPanelOnceStarted(run);
    if (show.showProgress ?? true) showRunProgress(run, title, (line) => this.deps.log(line));
    return run;
  }

  /**
   * A run's panel opens once the trainer has started (the run folder then holds its config and
   * dataset): a run that never starts (a bad argument, a folder without images) leaves no empty
   * panel behind, only its one error message. A resumed run's folder already is a run: at once.
   */
  private showPanelOnceStarted(run: Run): void {
    if (run.kind === 'resume' && isRunFolder(run.runDir)) { this.deps.showPanel(run.runDir, true); return; }
    const sub = run.onDidReceiveEvent((e) => {
      if (e.type !== 'started') return;
      sub.dispose();
      this.deps.showPanel(run.runDir, true);
    });
    void run.exited.then(() => sub.dispose());
  }
}
