/**
 * The one typed protocol of Latent Lens.
 *
 * Three processes talk: the trainer (a forked Node process that owns TensorFlow.js),
 * the extension host (VS Code), and the webview (Chromium). Every message is a member
 * of a discriminated union on `type`, defined once here as a zod schema so that the
 * TypeScript type and the runtime validator can never disagree. Every message that
 * arrives from another process goes through `parse*` before it is used.
 *
 * Every message travels in the one envelope of ./rpc (`Endpoint`), over `process.send` of a
 * fork with `serialization: 'advanced'` (structured clone): `project` is a request (the reply is
 * the `projection` event of the layout it caused, see `TrainerReplies`), the other commands and
 * every trainer message are events.
 *
 * This file holds the trainer ↔ host messages only; the files of the run directory (config.json,
 * metrics lines …) are described in ./runFormat, the configuration table in ./config, the
 * TrainRequest in ./trainRequest.
 */
import { z } from './zod';
import { ChangeLine, EpochMetrics, MetricsLine, ProjectionMethod, RunConfig, RunStatus, StepMetrics } from './runFormat';

// ───────────────────────────── pieces shared with the run directory ─────────────────────────────
// config.json and the metrics lines travel in messages too; their schemas live with the file
// formats (./runFormat) and are re-exported here for the importers of this module.

export {
  BACKENDS, LIKELIHOODS,
} from './config';
export {
  BackendName, Likelihood, ModelConfig, TrainingConfig, RunConfig, StepMetrics, EpochMetrics, MetricsLine,
  SkippedFile, RunStatus,
} from './runFormat';

export const DatasetSummary = z.object({
  images: z.number().int(),
  trainImages: z.number().int(),
  valImages: z.number().int(),
  labels: z.array(z.string()),
  skipped: z.number().int(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

// ───────────────────────────── trainer → host ─────────────────────────────

export const TrainerEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  /** Images decoded so far while the data loads (before `started`; at most about 4 a second). */
  z.object({ type: z.literal('loading'), done: z.number().int().min(0), total: z.number().int().min(0) }),
  z.object({ type: z.literal('started'), runDir: z.string(), backend: z.string(), config: RunConfig, dataset: DatasetSummary, step: z.number().int(), stepsPerEpoch: z.number().int() }),
  z.object({ type: z.literal('step'), metrics: StepMetrics, stepsPerEpoch: z.number().int() }),
  z.object({ type: z.literal('epochEnd'), metrics: EpochMetrics }),
  /** New μ for every image were written to the run directory (latents/). */
  z.object({ type: z.literal('latents'), epoch: z.number().int(), step: z.number().int(), count: z.number().int() }),
  /** A 2-D layout of μ was written to latents/projection.json. */
  z.object({ type: z.literal('projection'), epoch: z.number().int(), method: ProjectionMethod, millis: z.number() }),
  /** Decoder weights were saved to model/decoder (for decoding in the webview). */
  z.object({ type: z.literal('decoderSaved'), step: z.number().int() }),
  z.object({ type: z.literal('checkpoint'), step: z.number().int(), epoch: z.number().int() }),
  z.object({ type: z.literal('status'), status: RunStatus }),
  z.object({ type: z.literal('done'), status: RunStatus, message: z.string() }),
  /** Live hyperparameters (issue 10): the trainer applied a control.jsonl `set` (the same line is in metrics.jsonl). */
  z.object({ type: z.literal('change'), change: ChangeLine }),
]);
export type TrainerEvent = z.infer<typeof TrainerEvent>;

// ───────────────────────────── host → trainer ─────────────────────────────

export const TrainerCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  /** Write a final checkpoint, then exit. */
  z.object({ type: z.literal('stop') }),
  /** Request: recompute the 2-D projection now (the reply: the `projection` event of the layout written). */
  z.object({ type: z.literal('project') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommand>;

/** The reply each request expects; a command not named here is an event (fire and forget). */
export interface TrainerReplies {
  project: Extract<TrainerEvent, { type: 'projection' }>;
}
/** The commands that are requests. */
export type TrainerRequest = Extract<TrainerCommand, { type: keyof TrainerReplies }>;
/** The expected reply's `type` of each request (for checking a reply). */
export const TRAINER_REPLY_TYPE: { [K in keyof TrainerReplies]: TrainerReplies[K]['type'] } = { project: 'projection' };

/** Parse an unknown value; throws an Error naming the offending field. */
export function parseTrainerEvent(value: unknown): TrainerEvent {
  return TrainerEvent.parse(value);
}
export function parseTrainerCommand(value: unknown): TrainerCommand {
  return TrainerCommand.parse(value);
}
export function parseMetricsLine(value: unknown): MetricsLine {
  return MetricsLine.parse(value);
}
