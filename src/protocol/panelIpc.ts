/**
 * The host ↔ webview protocol of the latent-space panel (and of the standalone report).
 *
 * Shape follows vscode-hexeditor's shared/protocol.ts: one file, a discriminated union per
 * direction, validated on receipt on both sides. The webview is a pure view of state: it sends
 * `ready` and *pulls* its whole state as one `snapshot` (so a hidden, reloaded or restored panel
 * catches up without `retainContextWhenHidden`), then receives small incremental events.
 *
 * Large numeric arrays travel as base64 of little-endian typed arrays (see `encodeF32` /
 * `decodeF32` …) rather than JSON number arrays: 60,000 × 16 floats are 5 MB as base64
 * against ~20 MB as JSON, and decode with no parsing.
 *
 * This file imports neither `vscode` nor Node's `fs`/`Buffer` at module level: it runs in the
 * extension host, the trainer and the browser.
 */
import { z } from './zod';
import { EpochMetrics, ProjectionMethod, RunConfig, RunStatus, StepMetrics } from './runFormat';

export { ProjectionMethod };

export const VIEW_PROTOCOL_VERSION = 1;

// ───────────────────────────── pieces ─────────────────────────────

/** base64 of the bytes of a little-endian typed array. */
export const Base64 = z.string();

/** A 2-D layout of the snapshot's points, in snapshot point order. */
export const ViewProjection = z.object({
  epoch: z.number().int(),
  method: ProjectionMethod,
  /** base64 Float32, `count` values each. */
  x: Base64,
  y: Base64,
});
export type ViewProjection = z.infer<typeof ViewProjection>;

/** μ of every snapshot point (for hover-decode and click-to-decode). */
export const ViewLatents = z.object({
  epoch: z.number().int(),
  step: z.number().int(),
  latentDim: z.number().int().min(1),
  /** base64 Float32, count × latentDim, row-major, snapshot point order. */
  mu: Base64,
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
  /** base64 of the weight files of `weightsManifest`, concatenated in manifest order. */
  weights: Base64,
});
export type ViewDecoder = z.infer<typeof ViewDecoder>;

/** The images as the model sees them, for showing the original beside its reconstruction. */
export const ViewImages = z.object({
  height: z.number().int().min(1),
  width: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** base64 Uint8, count × height × width × channels, snapshot point order. */
  pixels: Base64,
});
export type ViewImages = z.infer<typeof ViewImages>;

export const ViewStatus = z.object({
  status: RunStatus,
  step: z.number().int(),
  epoch: z.number().int(),
  backend: z.string().optional(),
  message: z.string().optional(),
  /** Epochs the run is configured for (for "epoch 3 / 10"). */
  epochs: z.number().int().optional(),
});
export type ViewStatus = z.infer<typeof ViewStatus>;

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
  /** base64 Uint16, per point: index into `labels`. */
  labelIndex: Base64,
  /** base64 Uint32, per point: row in dataset.json / latents (identity when not sampled). */
  index: Base64,
  /** base64 Uint8, per point: 0 = train, 1 = val. */
  split: Base64,
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
});
export type RunSnapshot = z.infer<typeof RunSnapshot>;

// ───────────────────────────── host → webview ─────────────────────────────

export const ToWebviewMessage = z.discriminatedUnion('type', [
  /** The whole state; the answer to `ready` (inReplyTo = its messageId) or sent after a reset. */
  z.object({ type: z.literal('snapshot'), inReplyTo: z.number().int().optional(), snapshot: RunSnapshot }),
  /** One or more new step lines of metrics.jsonl. */
  z.object({ type: z.literal('metrics'), steps: z.array(StepMetrics) }),
  /** An epoch ended (validation ELBO, KL per dimension, active units). */
  z.object({ type: z.literal('epoch'), metrics: EpochMetrics }),
  /** New μ for the snapshot's points (same order and count). */
  z.object({ type: z.literal('latents'), latents: ViewLatents }),
  /** A new 2-D layout for the snapshot's points (same order and count). */
  z.object({ type: z.literal('projection'), inReplyTo: z.number().int().optional(), projection: ViewProjection, millis: z.number().optional() }),
  /** New decoder weights. */
  z.object({ type: z.literal('decoder'), decoder: ViewDecoder }),
  z.object({ type: z.literal('status'), status: ViewStatus }),
  /** Something the host wants the user to see (e.g. a failed request). */
  z.object({ type: z.literal('error'), inReplyTo: z.number().int().optional(), message: z.string() }),
]);
export type ToWebviewMessage = z.infer<typeof ToWebviewMessage>;

// ───────────────────────────── webview → host ─────────────────────────────

export const FromWebviewMessage = z.discriminatedUnion('type', [
  /** The webview is loaded and wants its snapshot (answered by `snapshot`). */
  z.object({ type: z.literal('ready'), messageId: z.number().int() }),
  /** Recompute the 2-D projection now (host relays `{ type: 'project' }` to the trainer). */
  z.object({ type: z.literal('requestProjection'), messageId: z.number().int() }),
  /** Open the image of dataset row `index` (RunSnapshot.index value) in the editor. */
  z.object({ type: z.literal('openFile'), index: z.number().int().min(0) }),
  /** The webview hit an error the host should log. */
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
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

// ───────────────────────────── base64 typed arrays (Node and browser) ─────────────────────────────

type BufferLike = { from(a: ArrayBufferLike | string, o?: number | string, l?: number): { toString(enc: string): string; buffer: ArrayBufferLike; byteOffset: number; byteLength: number } };
const NodeBuffer: BufferLike | undefined = (globalThis as unknown as { Buffer?: BufferLike }).Buffer;

/** base64 of the bytes of any typed array. */
export function encodeBytes(view: ArrayBufferView): string {
  if (NodeBuffer) return NodeBuffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return btoa(s);
}

/** The bytes of a base64 string, in a fresh (aligned) ArrayBuffer. */
export function decodeBytes(b64: string): Uint8Array {
  if (NodeBuffer) {
    const b = NodeBuffer.from(b64, 'base64');
    const out = new Uint8Array(b.byteLength);
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    return out;
  }
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export const encodeF32 = (a: Float32Array): string => encodeBytes(a);
export const decodeF32 = (b64: string): Float32Array => { const b = decodeBytes(b64); return new Float32Array(b.buffer, 0, b.byteLength >> 2); };
export const encodeU16 = (a: Uint16Array): string => encodeBytes(a);
export const decodeU16 = (b64: string): Uint16Array => { const b = decodeBytes(b64); return new Uint16Array(b.buffer, 0, b.byteLength >> 1); };
export const encodeU32 = (a: Uint32Array): string => encodeBytes(a);
export const decodeU32 = (b64: string): Uint32Array => { const b = decodeBytes(b64); return new Uint32Array(b.buffer, 0, b.byteLength >> 2); };
export const encodeU8 = (a: Uint8Array): string => encodeBytes(a);
export const decodeU8 = (b64: string): Uint8Array => decodeBytes(b64);
