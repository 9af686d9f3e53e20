/**
 * The host ↔ webview protocol of the latent-space panel (and of the standalone report).
 *
 * Shape follows vscode-hexeditor's shared/protocol.ts: one file, a discriminated union per
 * direction, validated on receipt on both sides. The webview is a pure view of state: it sends
 * `ready` and *pulls* its whole state as one `snapshot` (so a hidden, reloaded or restored panel
 * catches up without `retainContextWhenHidden`), then receives small incremental events.
 *
 * Every message travels in the one envelope of src/protocol/rpc.ts (`Endpoint`): `ready` and
 * `requestProjection` are requests (answered by `snapshot` and `projected`, or an error reply),
 * everything else is an event. The messages themselves carry no ids.
 *
 * Large numeric arrays are typed arrays (and the decoder weights an ArrayBuffer) inside the
 * message: VS Code's `webview.postMessage` carries them as binary in both directions, with no
 * base64 and no JSON number arrays. Only the standalone report, which embeds its snapshot in the
 * page as text, encodes them (`toJsonSafe` / `fromJsonSafe` of rpc.ts).
 *
 * This file imports neither `vscode` nor Node's `fs`/`Buffer`: it runs in the extension host,
 * the trainer and the browser.
 */
import { z } from './zod';
import { CONTROL_ACTIONS, ChangeLine, EpochMetrics, LiveValues, ProjectionMethod, RunConfig, RunStatus, StepMetrics } from './runFormat';

export { ProjectionMethod };

export const VIEW_PROTOCOL_VERSION = 1;

// ───────────────────────────── pieces ─────────────────────────────

// Binary payloads: typed arrays of this realm (structured clone makes them so on arrival).
const typed = <T>(Ctor: abstract new (...args: never[]) => T, name: string) =>
  z.custom<T>((v) => v instanceof Ctor, { message: `expected a ${name}` });
export const F32 = typed<Float32Array>(Float32Array, 'Float32Array');
export const U8 = typed<Uint8Array>(Uint8Array, 'Uint8Array');
export const U16 = typed<Uint16Array>(Uint16Array, 'Uint16Array');
export const U32 = typed<Uint32Array>(Uint32Array, 'Uint32Array');

/** A 2-D layout of the snapshot's points, in snapshot point order. */
export const ViewProjection = z.object({
  epoch: z.number().int(),
  method: ProjectionMethod,
  /** `count` values each. */
  x: F32,
  y: F32,
});
export type ViewProjection = z.infer<typeof ViewProjection>;

/** μ of every snapshot point (for hover-decode and click-to-decode). */
export const ViewLatents = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  latentDim: z.number().int().min(1),
  /** count × latentDim, row-major, snapshot point order. */
  mu: F32,
});
export type ViewLatents = z.infer<typeof ViewLatents>;

/**
 * The decoder in TensorFlow.js layers format, for decoding inside the webview
 * (`tf.loadLayersModel(tf.io.fromMemory(...))`) so a decode never waits for training.
 */
export const ViewDecoder = z.object({
  step: z.number().int(),
  /** model/decoder/model.json parsed: `{ modelTopology, weightsManifest, format?, ... }`. */
  modelJson: z.record(z.string(), z.unknown()),
  /** The weight files of `weightsManifest`, concatenated in manifest order. */
  weights: typed<ArrayBuffer>(ArrayBuffer, 'ArrayBuffer'),
});
export type ViewDecoder = z.infer<typeof ViewDecoder>;

// Generators (issue 15): the encoder, so the page can encode decoded prior samples again ("where do they land").
/** model/encoder, in the same form as the decoder (image → [μ ‖ log σ²]). */
export const ViewEncoder = ViewDecoder;
export type ViewEncoder = ViewDecoder;

/**
 * The images as the model sees them, for showing the original beside its reconstruction. A
 * snapshot carries every point's pixels only while they are small (`INLINE_PIXELS_BYTES`);
 * beyond, `pixels` is absent and the page asks for the originals it shows (`images` request,
 * at most `MAX_IMAGE_ROWS` per request) — issue 13: 200,000 points at 64×64×3 would be 2.5 GB.
 */
export const ViewImages = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** count × height × width × channels, snapshot point order; absent: on demand. */
  pixels: U8.optional(),
});
export type ViewImages = z.infer<typeof ViewImages>;

/** A snapshot carries its points' pixels up front only up to this many bytes (20,000 images of 28×28 fit). */
export const INLINE_PIXELS_BYTES = 16 * 1024 * 1024;
/** At most this many originals per `images` request (a page of the selection grid is 200). */
export const MAX_IMAGE_ROWS = 256;

/** The reply to `images`: the originals of dataset rows `rows`, in that order (a row the run does not have is left out). */
export const ViewImageRows = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  rows: U32,
  /** rows.length × height × width × channels. */
  pixels: U8,
});
export type ViewImageRows = z.infer<typeof ViewImageRows>;

/**
 * The standalone report's originals (issue 13), when they are too many to carry in its snapshot:
 * the header block `ll-images` says how they are packed, and block k (`ll-images-<k>`, a JSON
 * string) holds points k·chunk … (k+1)·chunk − 1 (snapshot point order) as base64 of their raw
 * deflate (RFC 1951) — the page unpacks only the blocks of the originals it shows
 * (DecompressionStream), so it never holds every image.
 */
export const ReportImagesHeader = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Points per block. */
  chunk: z.number().int().min(1),
  blocks: z.number().int().min(0),
});
export type ReportImagesHeader = z.infer<typeof ReportImagesHeader>;
export const REPORT_IMAGES_ID = 'll-images';

// ── c-inspect (issue 15): per-image quantities of the snapshot's points ──
/** latents/recon.f32, kl.f32, meanvar.f32 at the last epoch end, picked like the latents (snapshot point order). */
export const ViewPerImage = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  /** −log p(x | z = μ), nats, one per point. */
  recon: F32,
  /** KL(q(z|x) ‖ p(z)), nats, one per point. */
  kl: F32,
  /** Mean σ² over the latent dimensions, one per point. */
  meanVar: F32,
});
export type ViewPerImage = z.infer<typeof ViewPerImage>;

export const ViewStatus = z.object({
  status: RunStatus,
  step: z.number().int(),
  epoch: z.number().int(),
  backend: z.string().optional(),
  message: z.string().optional(),
  /** Epochs the run is configured for (for "epoch 3 / 10"). */
  epochs: z.number().int().optional(),
  /** While the trainer decodes the images (status 'starting'): how many of how many (issue 14). */
  loading: z.object({ done: z.number().int().min(0), total: z.number().int().min(0) }).optional(),
});
export type ViewStatus = z.infer<typeof ViewStatus>;

/** A damaged file of the run (src/run/runHealth.ts diagnoseRun): which file, what is wrong, what it breaks. */
export const ViewProblem = z.object({
  /** The file, relative to the run folder (e.g. "latents/mu.f32"). */
  file: z.string(),
  /** src/run/runFileError.ts: damaged (unusable), missing (named but absent), unsafe (refused by the path guard). */
  kind: z.enum(['damaged', 'missing', 'unsafe']),
  /** The whole message: the file and what is wrong. */
  message: z.string(),
  /** What does not work because of it (the rest of the run still does). */
  affects: z.string(),
});
export type ViewProblem = z.infer<typeof ViewProblem>;

/**
 * Epoch replay (history/, docs/run-directory.md): the map of every kept epoch for the snapshot's
 * points, for the panel's timeline. Sent whole in the snapshot (8 bytes per point per epoch:
 * 60k points × 50 epochs is 24 MB) up to HISTORY_SNAPSHOT_BYTES (src/run/runSnapshot.ts), beyond
 * which the epochs are thinned again (first, last, even middle) — one message, and the report
 * embeds the same. Live runs add epochs from `projection` events.
 */
export const ViewHistory = z.object({
  epochs: z.array(z.number().int()),
  /** Per epoch: 'umap', 'pca', or 'pca of μ' (its projection never landed). */
  methods: z.array(z.string()),
  x: z.array(F32),
  y: z.array(F32),
  /** "epochs 1–50, every 3rd kept (18 of 50)". */
  kept: z.string(),
});
export type ViewHistory = z.infer<typeof ViewHistory>;

/**
 * Everything the panel shows, in one message. Points may be a sample of the dataset
 * (`loadRunSnapshot(…, { maxPoints })`); `index` maps each point back to its dataset row.
 */
export const RunSnapshot = z.object({
  version: z.literal(VIEW_PROTOCOL_VERSION),
  /** Display name of the run (its folder name). */
  title: z.string(),
  config: RunConfig.nullable(),
  labels: z.array(z.string()),
  /** Number of points in this snapshot. */
  count: z.number().int().min(0),
  /** Number of images in the dataset (≥ count). */
  totalCount: z.number().int().min(0),
  /** Per point: path relative to the data folder (render as text only). */
  files: z.array(z.string()),
  /** Per point: index into `labels`. */
  labelIndex: U16,
  /** Per point: row in dataset.json / latents (identity when not sampled). */
  index: U32,
  /** Per point: 0 = train, 1 = val. */
  split: U8,
  latents: ViewLatents.nullable(),
  projection: ViewProjection.nullable(),
  /** metrics.jsonl: step lines (klPerDim dropped except on the last one) and epoch lines. */
  steps: z.array(StepMetrics),
  epochs: z.array(EpochMetrics),
  /** Latest KL (nats) of every latent dimension: last epoch line, else last step line. */
  klPerDim: z.array(z.number()),
  /** Active units as the trainer counted them at the last epoch end (src/analysis/collapseRule.ts), if any. */
  activeUnits: z.number().int().nullable(),
  /** The trainer's posterior-collapse verdict at the last epoch end; null before one, or for runs that predate it. */
  collapsed: z.boolean().nullable().optional(),
  status: ViewStatus.nullable(),
  decoder: ViewDecoder.nullable(),
  images: ViewImages.nullable(),
  /** Epoch replay: the kept epochs' maps (null or absent: the run kept no history). */
  history: ViewHistory.nullable().optional(),
  // ── damaged files (issue 14): what is damaged and what still works; absent or [] for a sound run ──
  problems: z.array(ViewProblem).optional(),
  // ── c-inspect (issue 15) ──
  /** Per-image recon / KL / mean σ² (null: the run has not written them yet, or an older run). */
  perImage: ViewPerImage.nullable().optional(),
  /** Generators (issue 15): the encoder; absent in snapshots of older hosts. */
  encoder: ViewEncoder.nullable().optional(),
  /** Live hyperparameters (issue 10): metrics.jsonl's change lines (absent in older reports). */
  changes: z.array(ChangeLine).optional(),
});
export type RunSnapshot = z.infer<typeof RunSnapshot>;

// ── Compare Runs (issue 10): 2–4 runs in one panel; each RunSnapshot as above (no decoder, a smaller sample). ──
export const COMPARE_MAX_RUNS = 4;
export const CompareSnapshot = z.object({ runs: z.array(RunSnapshot).min(1).max(COMPARE_MAX_RUNS) });
export type CompareSnapshot = z.infer<typeof CompareSnapshot>;

/** What the panel's training controls ask for (issue 10); the host adds the id and time of control.jsonl. */
export const PanelControl = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('set'), values: LiveValues }),
  z.object({ kind: z.enum(CONTROL_ACTIONS) }),
]);
export type PanelControl = z.infer<typeof PanelControl>;

// ───────────────────────────── host → webview ─────────────────────────────

export const ToWebviewMessage = z.discriminatedUnion('type', [
  /** The whole state: the reply to `ready`, or an event after a reset (a new trainer started). */
  z.object({ type: z.literal('snapshot'), snapshot: RunSnapshot }),
  /** Compare panel: the reply to `ready`, or an event when one of its runs' files changed. */
  z.object({ type: z.literal('compareSnapshot'), compare: CompareSnapshot }),
  /** One or more new step lines of metrics.jsonl. */
  z.object({ type: z.literal('metrics'), steps: z.array(StepMetrics) }),
  /** An epoch ended (validation ELBO, KL per dimension, active units). */
  z.object({ type: z.literal('epoch'), metrics: EpochMetrics }),
  /** New μ for the snapshot's points (same order and count), with the per-image quantities of that epoch end when there are any. */
  z.object({ type: z.literal('latents'), latents: ViewLatents, perImage: ViewPerImage.nullable().optional() }),
  /** A new 2-D layout for the snapshot's points (same order and count). */
  z.object({ type: z.literal('projection'), projection: ViewProjection, millis: z.number().optional() }),
  /**
   * The reply to `requestProjection`: the trainer wrote a new layout (which itself arrives as a
   * `projection` event, like every layout).
   */
  z.object({ type: z.literal('projected'), epoch: z.number().int(), method: ProjectionMethod, millis: z.number() }),
  /** New decoder weights (and the encoder saved with them, for the generators). */
  z.object({ type: z.literal('decoder'), decoder: ViewDecoder, encoder: ViewEncoder.optional() }),
  z.object({ type: z.literal('status'), status: ViewStatus }),
  // ── live control (issue 10) ──
  /** The trainer applied new training values (a change line of metrics.jsonl). */
  z.object({ type: z.literal('change'), change: ChangeLine }),
  /** The reply to `control`: the request reached the trainer's control file or channel. */
  z.object({ type: z.literal('controlled'), message: z.string() }),
  /** The run's damaged files, found after the snapshot was sent (issue 13: the panel diagnoses after drawing). */
  z.object({ type: z.literal('problems'), problems: z.array(ViewProblem) }),
  /** The reply to `images` (issue 13): originals on demand. */
  z.object({ type: z.literal('images'), images: ViewImageRows }),
  /** Something the host wants the user to see (a failed request is an error reply instead). */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToWebviewMessage = z.infer<typeof ToWebviewMessage>;

// ───────────────────────────── webview → host ─────────────────────────────

export const FromWebviewMessage = z.discriminatedUnion('type', [
  /** Request: the webview is loaded and wants its snapshot (the reply is `snapshot`). */
  z.object({ type: z.literal('ready') }),
  /** Request: recompute the 2-D projection now (the host asks the trainer with `project`; the reply is `projected`). */
  z.object({ type: z.literal('requestProjection') }),
  /** Request (issue 10): pause, continue, one step, stop, or new training values (the reply is `controlled`, or an error naming the value). */
  z.object({ type: z.literal('control'), request: PanelControl }),
  /** Request (issue 13): the originals of these dataset rows (RunSnapshot.index values); the reply is `images`. */
  z.object({ type: z.literal('images'), rows: z.array(z.number().int().min(0)).min(1).max(MAX_IMAGE_ROWS) }),
  /** Open the image of dataset row `index` (RunSnapshot.index value) in the editor. */
  z.object({ type: z.literal('openFile'), index: z.number().int().min(0) }),
  /** The webview hit an error the host should log. */
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  /** Test builds only: the answer on the test channel (src/webview/testHooks.ts), any structured value. */
  z.object({ type: z.literal('test'), id: z.number().int(), result: z.unknown() }),
]);
export type FromWebviewMessage = z.infer<typeof FromWebviewMessage>;

/** Validate a message received from the host; throws an Error naming the offending field. */
export function parseToWebviewMessage(value: unknown): ToWebviewMessage {
  return ToWebviewMessage.parse(value);
}
/** Validate a message received from the webview; throws an Error naming the offending field. */
export function parseFromWebviewMessage(value: unknown): FromWebviewMessage {
  return FromWebviewMessage.parse(value);
}
