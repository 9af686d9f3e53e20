/**
 * What a training run is asked for, in every form it arrives, all derived from the table of
 * ./config (PARAMS):
 *  - `parseField(name, text, { arch })`: one field from text (the quick-pick wizard, a CLI flag),
 *    with strict decimal numbers ("0x10" is not 16), the bounds, and for the image size the
 *    arch's rule (conv: the stage rule, with the nearest valid sizes; mlp: any size in bounds);
 *  - `TrainRequest`: the one validated object the extension hands the trainer
 *    (`latent-lens train <folder> --out <runDir> --request <json>`, `trainCommandArgs`);
 *  - `requestFromFlags`, `trainFlagOptions`, `trainUsage`: the `latent-lens train` flags;
 *  - `requestFromSettings`: the `latentLens.*` settings;
 *  - `configFromRequest`: TrainRequest → the RunConfig written to config.json.
 * Contracts only: no I/O, no `node:*`, no `vscode`.
 */
import { describeIssues, z } from './zod';
import {
  PARAMS, PRESETS, DEFAULT_MODEL, DEFAULT_TRAINING, MLP_LATENT_DEFAULT, TRAIN_PARAM_NAMES,
  checkImageSize, defaultFilters, describeRange, paramSchema, paramSpec, stagesFor,
  type Arch, type ParamName, type TrainParamName,
} from './config';
import type { RunConfig } from './runFormat';

/** A configuration value the user gave that cannot be used; the message names it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ───────────────────────────── one field from text ─────────────────────────────

/** Plain decimal notation only: no hex (0x10), binary, octal, Infinity, or empty text. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const IMAGE_SIZE = /^(\d+)(?:\s*[x×]\s*(\d+))?$/i;

/** An image size as the settings and the wizard write it: N (square) or "HxW". */
export type ImageSizeValue = number | string;

/** The value of each parameter once parsed. */
export type ParamValue<K extends ParamName> =
  K extends 'imageSize' ? ImageSizeValue :
  K extends 'channels' ? 'auto' | 1 | 3 :
  (typeof PARAMS)[K]['default'] extends number ? number :
  (typeof PARAMS)[K]['default'] extends boolean ? boolean : string;

export type FieldResult<T> = { value: T; error?: undefined } | { error: string; value?: undefined };

/** Height and width of an image size value; undefined when it is not N or HxW. */
export function imageSizeOf(v: ImageSizeValue): { height: number; width: number } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? { height: v, width: v } : undefined;
  const m = IMAGE_SIZE.exec(v.trim());
  return m ? { height: Number(m[1]), width: Number(m[2] ?? m[1]) } : undefined;
}

/** What a field's validity may depend on: the image size's rule depends on the arch (absent: conv, the stricter). */
export interface FieldContext { arch?: Arch }

/**
 * One field from text, as typed in the wizard or given to a CLI flag. `{ value }` when it is
 * usable, else `{ error }`: `"0x10" is not valid: a number ≥ 0`, `"9" is not valid: image size 9
 * is not usable: each side must be even …; nearest valid sizes: 8, 10` (with `{ arch: 'mlp' }`, 9 is usable).
 */
export function parseField<K extends ParamName>(name: K, text: string, context: FieldContext = {}): FieldResult<ParamValue<K>> {
  const s = paramSpec(name);
  const t = text.trim();
  const bad = (why: string = describeRange(name)) => ({ error: `${JSON.stringify(text)} is not valid: ${why}` });
  const ok = (value: unknown) => ({ value: value as ParamValue<K> });
  switch (s.kind) {
    case 'imageSize': {
      const size = imageSizeOf(t);
      if (!size) return bad();
      const why = checkImageSize(size.height, size.width, context.arch);
      if (why) return bad(why);
      return ok(size.height === size.width ? size.height : `${size.height}x${size.width}`);
    }
    case 'int':
    case 'number': {
      if (!(s.kind === 'int' ? INTEGER : DECIMAL).test(t)) return bad();
      const n = Number(t);
      return paramSchema(name).safeParse(n).success ? ok(n) : bad();
    }
    case 'enum': {
      if (!s.choices!.includes(t)) return bad();
      return ok(name === 'channels' && t !== 'auto' ? Number(t) : t);
    }
    case 'boolean':
      return t === 'true' || t === 'false' ? ok(t === 'true') : bad();
    case 'string':
      return ok(text);
  }
}

// ───────────────────────────── TrainRequest ─────────────────────────────

// The image size alone: N or HxW, each side in bounds (the MLP's rule). The conv arch's stage rule
// needs the arch, so the whole request checks it (`archSizeRule` below).
const imageSizeSchema = z.union([z.number().int(), z.string()]).superRefine((v, ctx) => {
  const size = imageSizeOf(v);
  const why = size ? checkImageSize(size.height, size.width, 'mlp') : `${JSON.stringify(v)} is not N or HxW (e.g. 28, 64, 32x48)`;
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

/** The arch a request trains: its own, else its preset's, else conv. */
export function requestArch(r: { arch?: string; preset?: string }): Arch {
  return (r.arch ?? (r.preset ? PRESETS[r.preset]?.model.arch : undefined) ?? 'conv') as Arch;
}

function requestField(name: TrainParamName): z.ZodType {
  const s = paramSpec(name);
  if (name === 'imageSize') return imageSizeSchema;
  if (name === 'channels') return z.union([z.literal('auto'), z.literal(1), z.literal(3)]);
  if (name === 'preset') return z.enum(Object.keys(PRESETS) as [string, ...string[]]);
  if (s.kind === 'enum') return z.enum(s.choices as readonly string[] as [string, ...string[]]);
  if (s.kind === 'boolean') return z.boolean();
  return paramSchema(name);
}

/**
 * What the extension hands the trainer: every training parameter, each optional (absent = the
 * preset's or the default value), unknown keys refused. Validated by the trainer on arrival.
 */
export const TrainRequest = z.strictObject(
  Object.fromEntries(TRAIN_PARAM_NAMES.map((k) => [k, requestField(k).optional()])) as { [K in TrainParamName]: z.ZodOptional<z.ZodType<ParamValue<K>>> },
).superRefine((r, ctx) => {
  // The image size's rule depends on the arch: the conv arch's stride-2 stages need even sides.
  const size = r.imageSize === undefined ? undefined : imageSizeOf(r.imageSize);
  const why = size && checkImageSize(size.height, size.width, requestArch(r));
  if (why) ctx.addIssue({ code: 'custom', path: ['imageSize'], message: why });
});
export type TrainRequest = { [K in TrainParamName]?: ParamValue<K> };

/** Validate a TrainRequest; throws a ConfigError naming every bad key. */
export function parseTrainRequest(value: unknown): TrainRequest {
  const parsed = TrainRequest.safeParse(value);
  if (!parsed.success) throw new ConfigError(`invalid train request: ${describeIssues(parsed.error)}`);
  return parsed.data as TrainRequest;
}

/** A TrainRequest from its JSON text (the `--request` flag). */
export function parseTrainRequestJson(text: string): TrainRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--request is not valid JSON: ${(e as Error).message}`);
  }
  return parseTrainRequest(value);
}

/** The trainer's command line for a request (what the extension forks). */
export function trainCommandArgs(folder: string, runDir: string, request: TrainRequest): string[] {
  return ['train', folder, '--out', runDir, '--request', JSON.stringify(parseTrainRequest(request))];
}

/** A TrainRequest from the `latentLens.*` settings; `get(setting)` reads one (e.g. `(k) => config.get(k)`). */
export function requestFromSettings(get: (setting: string) => unknown): TrainRequest {
  const out: Record<string, unknown> = {};
  for (const name of TRAIN_PARAM_NAMES) {
    const setting = paramSpec(name).setting;
    if (!setting) continue;
    const v = get(setting);
    if (v === undefined || v === null) continue;
    out[name] = v;
  }
  return parseTrainRequest(out);
}

/** The run configuration a request asks for. `dataDir` should be absolute; channels 'auto' is resolved by the trainer. */
export function configFromRequest(dataDir: string, request: TrainRequest): { config: RunConfig; channels: 1 | 3 | 'auto' } {
  const r = parseTrainRequest(request);
  const preset = r.preset;
  const base = preset ? PRESETS[preset] : { model: DEFAULT_MODEL, training: {} };
  const size = r.imageSize !== undefined ? imageSizeOf(r.imageSize)! : { height: base.model.imageHeight, width: base.model.imageWidth };
  const channels = r.channels ?? (preset ? base.model.channels : 'auto');
  const sizeChanged = size.height !== base.model.imageHeight || size.width !== base.model.imageWidth;
  const training = { ...DEFAULT_TRAINING, ...base.training };
  const pick = <K extends keyof typeof training & TrainParamName>(k: K) => (r[k] ?? training[k]) as (typeof training)[K];
  const arch = (r.arch ?? base.model.arch ?? 'conv') as 'conv' | 'mlp';
  // The MLP's own latent size (20) when the MLP is asked for on top of a conv base and no size is given.
  const latentDefault = arch === 'mlp' && (base.model.arch ?? 'conv') !== 'mlp' ? MLP_LATENT_DEFAULT : base.model.latentDim;
  const config: RunConfig = {
    version: 1,
    dataDir,
    ...(preset ? { preset } : {}),
    model: {
      imageHeight: size.height, imageWidth: size.width, channels: channels === 'auto' ? 1 : channels,
      latentDim: r.latentDim ?? latentDefault,
      filters: sizeChanged ? defaultFilters(stagesFor(size.height, size.width)) : base.model.filters,
      likelihood: (r.likelihood ?? base.model.likelihood) as RunConfig['model']['likelihood'],
      arch,
      conditional: r.conditional ?? base.model.conditional ?? false,
    },
    training: {
      epochs: pick('epochs'), batchSize: pick('batchSize'), learningRate: pick('learningRate'), beta: pick('beta'),
      klWarmupSteps: pick('klWarmupSteps'), freeBits: pick('freeBits'), seed: pick('seed'), valSplit: pick('valSplit'),
      maxImages: pick('maxImages'), backend: pick('backend'), logEvery: pick('logEvery'),
    },
  };
  return { config, channels };
}

// ───────────────────────────── `latent-lens train` flags ─────────────────────────────

/** Train parameters that have a flag, in table order. */
const FLAGGED = TRAIN_PARAM_NAMES.filter((k) => paramSpec(k).flag);

/**
 * parseArgs options of every parameter flag: strings validated by parseField, except the
 * switches of boolean parameters (`--conditional`).
 */
export function trainFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(FLAGGED.map((k) => [paramSpec(k).flag!, { type: paramSpec(k).kind === 'boolean' ? 'boolean' as const : 'string' as const }]));
}

/** Validate one flag's value; throws a ConfigError `--<flag> "<value>" is not valid: …`. */
export function parseFlag<K extends TrainParamName>(name: K, text: string, context: FieldContext = {}): ParamValue<K> {
  const r = parseField(name, text, context);
  if (r.error !== undefined) throw new ConfigError(`--${paramSpec(name).flag} ${r.error}`);
  return r.value as ParamValue<K>;
}

/** A TrainRequest from parsed flag values (`values` of parseArgs), on top of `base` (e.g. --request). */
export function requestFromFlags(values: Record<string, string | boolean | undefined>, base: TrainRequest = {}): TrainRequest {
  const out: Record<string, unknown> = { ...base };
  // The arch first: the image size's rule depends on it.
  const archFlag = values[paramSpec('arch').flag!], presetFlag = values[paramSpec('preset').flag!];
  const arch = requestArch({ arch: typeof archFlag === 'string' ? archFlag : base.arch, preset: typeof presetFlag === 'string' ? presetFlag : base.preset });
  for (const k of FLAGGED) {
    const v = values[paramSpec(k).flag!];
    if (typeof v === 'string') out[k] = parseFlag(k, v, { arch });
    else if (typeof v === 'boolean' && paramSpec(k).kind === 'boolean') out[k] = v;
  }
  return parseTrainRequest(out);
}

/** The flag part of the `train` usage, wrapped: `[--epochs N] [--image-size N | HxW] …`. */
export function trainUsage(indent = '        ', width = 100): string {
  const items = FLAGGED.map((k) => {
    const s = paramSpec(k);
    if (s.kind === 'boolean') return `[--${s.flag}]`;
    const meta = s.kind === 'enum' ? (s.choices as readonly string[]).join('|') : s.metavar ?? 'V';
    return `[--${s.flag} ${meta}]`;
  });
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && indent.length + line.length + 1 + item.length > width) { lines.push(indent + line); line = ''; }
    line = line ? `${line} ${item}` : item;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

/** One line per train flag: `--epochs N  Passes over the training images. (a whole number from 1 to 10000; default 10)`. */
export function trainFlagHelp(): string {
  return FLAGGED.map((k) => {
    const s = paramSpec(k);
    const def = s.default === '' ? '' : `; default ${s.default}`;
    if (s.kind === 'boolean') return `  --${s.flag}  ${s.description} (a switch; default off)`;
    return `  --${s.flag}  ${s.description} (${describeRange(k)}${def})`;
  }).join('\n');
}
