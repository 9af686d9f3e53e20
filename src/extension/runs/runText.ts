/**
 * The words users see about a run — status bar, progress notification, failure message, output
 * channel — built from the Run model's state in one place. No `vscode` here (plain Node tests
 * check these texts).
 */
import type { RunStatus } from '../../protocol/trainerIpc';
import type { RunExit, RunKind, RunState } from './run';
import { decodingImagesText } from '../../protocol/images';

/** One codicon per status: a stopped run is not a completed one, a failed one not a paused one. */
export const STATUS_ICON: Record<RunStatus, string> = {
  starting: '$(loading~spin)',
  training: '$(sync~spin)',
  paused: '$(debug-pause)',
  stopped: '$(debug-stop)',
  failed: '$(error)',
  completed: '$(check)',
};

/** One short phrase per status (the status bar's last word). */
export const STATUS_WORDS: Record<RunStatus, string> = {
  starting: 'starting…',
  training: 'training',
  paused: 'paused',
  stopped: 'stopped',
  failed: 'failed',
  completed: 'completed',
};

/** A sentence per status for the tooltip: what the state means and what the user can do. */
const STATUS_HINT: Record<RunStatus, string> = {
  starting: 'The trainer is loading the data.',
  training: 'Training. Pause or stop it from the command palette (VAE: Pause Training, VAE: Stop Training).',
  paused: 'Paused. VAE: Continue Training goes on from here.',
  stopped: 'Stopped with a final checkpoint. VAE: Resume Run from Last Checkpoint trains on from it.',
  failed: 'Ended unexpectedly. VAE: Show Training Log has the trainer\'s output.',
  completed: 'Training completed.',
};

/** The same for Load Model…'s encoding process: it encodes, it never trains. */
const ENCODE_HINT: Record<RunStatus, string> = {
  starting: 'Loading the model and the images to encode.',
  training: 'Encoding the images with the loaded model.',
  paused: 'Encoding is paused.',
  stopped: 'Encoding was stopped.',
  failed: 'Encoding failed. VAE: Show Training Log has the encoder\'s output.',
  completed: 'Encoding completed.',
};

/** The epoch to show: 1-based, never above the configured number. */
export function displayEpoch(s: RunState): number {
  return s.epochs > 0 ? Math.min(s.epoch, s.epochs) : s.epoch;
}

/** "epoch 3/10 · step 125 · loss 212.4 · 850 img/s" (and the status when not training); "decoding images 4,000 / 10,000" while the data loads. */
export function progressText(s: RunState, kind: RunKind = 'train'): string {
  if (s.status === 'starting') return s.loading ? decodingImagesText(s.loading.done, s.loading.total) : STATUS_WORDS.starting;
  if (kind === 'encode') return s.status === 'training' ? 'encoding…' : `encoding ${STATUS_WORDS[s.status]}`;
  const parts: string[] = [`epoch ${displayEpoch(s)}/${s.epochs || '?'}`];
  if (s.stepsPerEpoch) parts.push(`step ${s.step}`);
  if (s.loss !== undefined) parts.push(`loss ${s.loss.toFixed(1)}`);
  if (s.imagesPerSec !== undefined && s.status === 'training') parts.push(`${Math.round(s.imagesPerSec)} img/s`);
  if (s.status !== 'training') parts.push(STATUS_WORDS[s.status]);
  if (kind === 'follow') parts.unshift('following');
  return parts.join(' · ');
}

/** The status bar item's text: icon, "VAE", progress. */
export function statusBarText(s: RunState, kind: RunKind = 'train'): string {
  return `${STATUS_ICON[s.status]} VAE ${progressText(s, kind)}`;
}

/** The status bar item's tooltip (Markdown). */
export function statusTooltip(runName: string, s: RunState, kind: RunKind = 'train'): string {
  const backend = s.backend ? ` · backend ${s.backend}` : '';
  const failure = s.failure ? `\n\n${s.failure.message}` : '';
  const hint = (kind === 'encode' ? ENCODE_HINT : STATUS_HINT)[s.status];
  return `**Latent Lens** — ${runName}\n\n${hint}${backend}${failure}\n\nClick to show the latent space.`;
}

/** The progress notification's title. */
export function progressTitle(kind: RunKind, name: string): string {
  return kind === 'encode' ? `Encoding ${name}` : kind === 'resume' ? `Resuming VAE run ${name}` : `Training VAE on ${name}`;
}

/** One sentence: trimmed, exactly one final full stop (a message that ends in "." gets no second one). */
export function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return t ? `${t}.` : '';
}

/**
 * The trainer's last stderr lines worth showing beside a failure: without a usage text (the CLI
 * prints one after a bad argument) and without the lines that only repeat `reason`.
 */
export function outputTail(stderrTail: string, reason: string, lines = 2, maxChars = 300): string {
  const all = stderrTail.split('\n');
  const usage = all.findIndex((l) => /^\s*usage:/i.test(l));
  const kept = (usage >= 0 ? all.slice(0, usage) : all)
    .map((l) => l.trim())
    .filter((l) => l && !(reason && l.includes(reason.trim().replace(/[.\s]+$/, ''))));
  return kept.slice(-lines).join(' ').slice(0, maxChars);
}

/** What failed, in words: "training of r1", "resuming r1", "encoding r1". */
function subject(kind: RunKind, runName: string, started: boolean): string {
  if (kind === 'encode') return started ? `encoding of ${runName}` : `encoding ${runName}`;
  if (kind === 'resume' && !started) return `resuming ${runName}`;
  return started ? `training of ${runName}` : `training ${runName}`;
}

/**
 * The one error message when a trainer process ended unexpectedly:
 *  - it never started (a bad argument, a folder without images, a damaged run):
 *    "Latent Lens: training r1 could not start: <the trainer's reason>." — the reason once, no
 *    usage text;
 *  - it failed and said why: "Latent Lens: training of r1 failed: <reason>.";
 *  - it died without a word (killed, out of memory): "… ended unexpectedly: the trainer was killed
 *    by SIGKILL …. Last output: <the last two stderr lines>".
 */
export function failureMessage(runName: string, kind: RunKind, exit: Pick<RunExit, 'message' | 'stderrTail' | 'done'>, started = true): string {
  const said = exit.done?.status === 'failed' ? exit.done.message : undefined;
  const reason = said ?? exit.message;
  const what = subject(kind, runName, started);
  const head = !started ? `Latent Lens: ${what} could not start: ${reason}` : said !== undefined ? `Latent Lens: ${what} failed: ${reason}` : `Latent Lens: ${what} ended unexpectedly: ${reason}`;
  // The trainer's own reason is the whole story; its stderr only repeats it.
  const tail = said === undefined ? outputTail(exit.stderrTail, reason) : '';
  return tail ? `${sentence(head)} Last output: ${tail}` : sentence(head);
}

/** The information message when a run was stopped (Stop, Cancel): where it stands and whether it can go on. */
export function stoppedMessage(runName: string, s: RunState, resumable: boolean): string {
  const at = s.epochs > 0 ? ` at epoch ${displayEpoch(s)}/${s.epochs}, step ${s.step}` : '';
  return `Latent Lens: training of ${runName} stopped${at}${resumable ? ', with a checkpoint to resume from' : ''}.`;
}

/** The information message when a run completed. */
export function completedMessage(runName: string): string {
  return `Latent Lens: training of ${runName} completed.`;
}

/** The output channel's line when a trainer process ended. */
export function exitLine(runName: string, exit: RunExit): string {
  return `${exit.unexpected ? '✖' : '✔'} ${runName}: ${exit.message} (exit code ${exit.code ?? '—'}${exit.signal ? `, ${exit.signal}` : ''})`;
}

/** The question Open Run asks of an interrupted run. */
export function resumeQuestion(runName: string, info: { status?: string; epoch: number; epochs: number }): string {
  return `${runName} is ${info.status ?? 'interrupted'} at epoch ${info.epoch}/${info.epochs}. Resume training from its last checkpoint?`;
}

/** The detail of the modal question before training writes into a folder outside the open workspace. */
export function outsideWorkspaceDetail(runDir: string, kind: 'train' | 'resume'): string {
  const what = kind === 'resume' ? 'Resuming writes checkpoints, metrics, latents and the model into' : 'Training creates and writes the run folder';
  return `${what} ${runDir}, which is outside the open workspace and the runs folder (latentLens.runsDirectory).`;
}

/** What the user can do from the message at the end of a run. */
export type EndAction = 'resume' | 'show' | 'showLog';

export const END_ACTION_LABELS: Record<EndAction, string> = {
  resume: 'Resume from Last Checkpoint',
  show: 'Show Latent Space',
  showLog: 'Show Log',
};

/** The one message at the end of a run, or undefined for none. */
export interface EndNotice {
  severity: 'info' | 'error';
  text: string;
  actions: EndAction[];
}

/**
 * What to tell the user when a run's process ended: a failure (resume offered when a checkpoint
 * is left), a completed training, or a stop (resume one click away, `resumable`: the run folder
 * has a checkpoint). Nothing for a finished encoding, whose panel already shows it.
 */
export function endNotice(runName: string, kind: RunKind, s: RunState, exit: Pick<RunExit, 'message' | 'stderrTail' | 'done'>, resumable: boolean): EndNotice | undefined {
  if (s.failure) {
    return { severity: 'error', text: failureMessage(runName, kind, exit, s.failure.started), actions: s.failure.resumable ? ['resume', 'showLog'] : ['showLog'] };
  }
  if (kind === 'encode') return undefined;
  if (s.status === 'completed') return { severity: 'info', text: completedMessage(runName), actions: ['show'] };
  if (s.status === 'stopped') return { severity: 'info', text: stoppedMessage(runName, s, resumable), actions: resumable ? ['resume', 'show'] : ['show'] };
  return undefined;
}
