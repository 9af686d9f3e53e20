/**
 * The words users see about a run — status bar, progress notification, failure message, output
 * channel — built from the Run model's state in one place. No `vscode` here (plain Node tests
 * check these texts).
 */
import type { RunStatus } from '../../protocol/trainerIpc';
import type { RunExit, RunKind, RunState } from './run';

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

/** The epoch to show: 1-based, never above the configured number. */
export function displayEpoch(s: RunState): number {
  return s.epochs > 0 ? Math.min(s.epoch, s.epochs) : s.epoch;
}

/** "epoch 3/10 · step 125 · loss 212.4 · 850 img/s" (and the status when not training). */
export function progressText(s: RunState, kind: RunKind = 'train'): string {
  if (s.status === 'starting') return STATUS_WORDS.starting;
  if (kind === 'encode') return s.status === 'training' ? 'encoding…' : `encoding ${STATUS_WORDS[s.status]}`;
  const parts: string[] = [`epoch ${displayEpoch(s)}/${s.epochs || '?'}`];
  if (s.stepsPerEpoch) parts.push(`step ${s.step}`);
  if (s.loss !== undefined) parts.push(`loss ${s.loss.toFixed(1)}`);
  if (s.imagesPerSec !== undefined && s.status === 'training') parts.push(`${Math.round(s.imagesPerSec)} img/s`);
  if (s.status !== 'training') parts.push(STATUS_WORDS[s.status]);
  return parts.join(' · ');
}

/** The status bar item's text: icon, "VAE", progress. */
export function statusBarText(s: RunState, kind: RunKind = 'train'): string {
  return `${STATUS_ICON[s.status]} VAE ${progressText(s, kind)}`;
}

/** The status bar item's tooltip (Markdown). */
export function statusTooltip(runName: string, s: RunState): string {
  const backend = s.backend ? ` · backend ${s.backend}` : '';
  const failure = s.failure ? `\n\n${s.failure.message}` : '';
  return `**Latent Lens** — ${runName}\n\n${STATUS_HINT[s.status]}${backend}${failure}\n\nClick to show the latent space.`;
}

/** The progress notification's title. */
export function progressTitle(kind: RunKind, name: string): string {
  return kind === 'encode' ? `Encoding ${name}` : kind === 'resume' ? `Resuming VAE run ${name}` : `Training VAE on ${name}`;
}

/** The error message when a trainer ended unexpectedly. */
export function failureMessage(runName: string, exit: Pick<RunExit, 'message' | 'stderrTail'>): string {
  const tail = exit.stderrTail ? ` Last output: ${exit.stderrTail.split('\n').slice(-2).join(' ').slice(0, 300)}` : '';
  return `Latent Lens: training of ${runName} ended unexpectedly — ${exit.message}.${tail}`;
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
