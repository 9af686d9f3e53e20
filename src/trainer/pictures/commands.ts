/**
 * The picture commands, each a PNG grid of what the run's decoder makes (the CLI twins of the
 * panel's generators, issue 15):
 *   recon        2 rows × n: originals, their reconstructions (--n, default 8, evenly spaced; or --image)
 *   samples      decoded z ~ N(0, T² I), ⌈√n⌉ columns (--n 64, --temperature 1, --seed 0)
 * A conditional model (issue 12) decodes with --label (required for samples, and for traverse
 * without --image); otherwise each picture uses its dataset image's own label. --json prints the
 * grid's layout (where tile t is) as one JSON line.
 *   traverse     rows = dimensions sorted by KL (all, or the top --n), columns = --steps values
 *                from −3σ to +3σ (default 9), from the μ of --image (default z = 0)
 *   interpolate  --steps images (default 10) from the μ of --from to the μ of --to (--spherical)
 */
import path from 'node:path';
import type { BackendName } from '../../protocol/runFormat';
import { interpolate, priorSamples, traversalGrid, traversalValues } from '../../analysis/latentWalks';
import { PictureInputError, type PictureFlags, pngOut, positiveNumber, wholeNumber } from './pictureArgs';
import { decodeZ, dimsByKl, encodeMu, openPictureRun, resolveImageRow, type PictureRun } from './pictureRun';
import { writePngGrid } from './pngGrid';
import { modelLabelIndex, pictureLabel } from './samples';
import { modelKind } from '../../protocol/config';

export const PICTURE_COMMANDS = ['recon', 'samples', 'traverse', 'interpolate'] as const;
export type PictureCommand = (typeof PICTURE_COMMANDS)[number];

export const PICTURES_USAGE = `  latent-lens recon <runDir> --out <file.png> [--n 8 | --image <index|path>]
  latent-lens samples <runDir> --out <file.png> [--n 64] [--temperature 1] [--seed 0] [--label <name>]
  latent-lens traverse <runDir> --out <file.png> [--image <index|path>] [--steps 9] [--n <dims>] [--label <name>]
  latent-lens interpolate <runDir> --out <file.png> --from <index|path> --to <index|path> [--steps 10] [--spherical] [--label <name>]
      (a conditional model decodes with --label, else with the image's own label; --json prints the grid's layout)`;

const MAX_IMAGES = 4096;

interface Grid { pixels: Float32Array | Uint8Array; count: number; rows: number; cols: number; what: string; label?: string | null; seed?: number }

/** What `--json` prints: the grid's layout and what was decoded. */
export interface PictureResult {
  file: string;
  command: PictureCommand;
  count: number;
  rows: number;
  columns: number;
  tileHeight: number;
  tileWidth: number;
  channels: 1 | 3;
  /** Pixels between tiles and around the grid: tile t is at x = gap + (t mod columns)·(tileWidth + gap), y likewise by row. */
  gap: number;
  /** Size of the PNG in pixels. */
  width: number;
  height: number;
  /** The label a conditional model decoded with (null: none, or each image's own). */
  label: string | null;
  model: string;
  seed: number | null;
  what: string;
}

const GAP = 2;
const labelName = (run: PictureRun, i: number | undefined) => (i === undefined ? null : run.model.labels![i]);
/** One label index per image, or undefined (an unconditional model). */
const each = (i: number | undefined, n: number) => (i === undefined ? undefined : new Array<number>(n).fill(i));

async function recon(run: PictureRun, f: PictureFlags): Promise<Grid> {
  let found;
  if (f.image !== undefined) {
    if (f.n !== undefined) throw new PictureInputError('recon takes --n or --image, not both');
    found = [await resolveImageRow(run, 'image', f.image)];
  } else {
    const n = wholeNumber('n', f.n, 8, 1, MAX_IMAGES);
    if (!run.files.length) throw new PictureInputError('recon needs the run\'s images (data/pixels.u8), and this run has none: pass --image <path>');
    const rows = Array.from({ length: Math.min(n, run.files.length) }, (_, i) => Math.floor((i * run.files.length) / Math.min(n, run.files.length)));
    found = await Promise.all(rows.map((r) => resolveImageRow(run, 'n', String(r))));
  }
  const images = found.map((x) => x.pixels);
  // A conditional model encodes and decodes each image with its own label (or --label).
  const labels = run.model.conditional ? found.map((x) => pictureLabel(run.model, run.rowLabels, f.label, x.row, 'recon of an image outside the dataset')!) : undefined;
  const n = images.length;
  const size = images[0].length;
  const out = new Float32Array(2 * n * size);
  images.forEach((im, i) => { for (let k = 0; k < size; k++) out[i * size + k] = im[k] / 255; });
  out.set(decodeZ(run, encodeMu(run, images, labels), labels), n * size);
  return { pixels: out, count: 2 * n, rows: 2, cols: n, what: `${n} originals above their reconstructions`, label: f.label ?? null };
}

function samples(run: PictureRun, f: PictureFlags): Grid {
  const n = wholeNumber('n', f.n, 64, 1, MAX_IMAGES);
  const temperature = positiveNumber('temperature', f.temperature, 1, 10);
  const seed = wholeNumber('seed', f.seed, 0, 0, 2 ** 31 - 1);
  const label = modelLabelIndex(run.model, f.label);
  const cols = Math.ceil(Math.sqrt(n));
  return {
    pixels: decodeZ(run, priorSamples(n, run.latentDim, temperature, seed), each(label, n)), count: n, rows: Math.ceil(n / cols), cols,
    what: `${n} prior samples (temperature ${temperature}, seed ${seed}${label === undefined ? '' : `, decoded as ${JSON.stringify(labelName(run, label))}`})`, label: labelName(run, label), seed,
  };
}

async function traverse(run: PictureRun, f: PictureFlags): Promise<Grid> {
  const steps = wholeNumber('steps', f.steps, 9, 2, 64);
  const nDims = wholeNumber('n', f.n, run.latentDim, 1, run.latentDim);
  const image = f.image === undefined ? null : await resolveImageRow(run, 'image', f.image);
  const label = pictureLabel(run.model, run.rowLabels, f.label, image?.row ?? null, image ? 'traverse from an image outside the dataset' : 'traverse from z = 0');
  const base = image === null ? new Float32Array(run.latentDim) : encodeMu(run, [image.pixels], each(label, 1));
  const dims = dimsByKl(run.klPerDim, run.latentDim).slice(0, nDims);
  const z = traversalGrid(base, dims, traversalValues(steps));
  return { pixels: decodeZ(run, z, each(label, dims.length * steps)), count: dims.length * steps, rows: dims.length, cols: steps, what: `dimensions ${dims.join(', ')} (by KL) × ${steps} values from −3σ to +3σ`, label: labelName(run, label) };
}

async function interpolation(run: PictureRun, f: PictureFlags): Promise<Grid> {
  if (f.from === undefined || f.to === undefined) throw new PictureInputError('interpolate needs --from <index|path> and --to <index|path>');
  const steps = wholeNumber('steps', f.steps, 10, 2, 256);
  const ends = [await resolveImageRow(run, 'from', f.from), await resolveImageRow(run, 'to', f.to)];
  // A conditional model: each end encoded with its own label; the steps decoded with --label, else A's label.
  const endLabels = run.model.conditional ? ends.map((e) => pictureLabel(run.model, run.rowLabels, f.label, e.row, 'interpolate between images outside the dataset')!) : undefined;
  const mu = encodeMu(run, ends.map((e) => e.pixels), endLabels);
  const D = run.latentDim;
  const z = interpolate(mu.subarray(0, D), mu.subarray(D), steps, f.spherical === true);
  const label = endLabels?.[0];
  return { pixels: decodeZ(run, z, each(label, steps)), count: steps, rows: 1, cols: steps, what: `${steps} ${f.spherical ? 'spherical' : 'linear'} steps${label === undefined ? '' : `, decoded as ${JSON.stringify(labelName(run, label))}`}`, label: labelName(run, label) };
}

/** Runs one picture command; prints what it wrote. Bad values: PictureInputError (exit 1). */
export async function picturesCommand(command: PictureCommand, positionals: string[], flags: PictureFlags & { backend?: BackendName }): Promise<number> {
  if (positionals.length !== 1) throw new PictureInputError(`${command} needs exactly one run directory`);
  const out = pngOut(command, flags.out);
  // Values are checked before the model loads, so a bad flag fails fast.
  if (command === 'samples') { wholeNumber('n', flags.n, 64, 1, MAX_IMAGES); positiveNumber('temperature', flags.temperature, 1, 10); wholeNumber('seed', flags.seed, 0, 0, 2 ** 31 - 1); }
  if (command !== 'samples') wholeNumber('n', flags.n, 1, 1, MAX_IMAGES);
  if (command === 'traverse' || command === 'interpolate') wholeNumber('steps', flags.steps, 9, 2, command === 'traverse' ? 64 : 256);
  const { initBackend } = await import('../../backend/backendInit');
  await initBackend(flags.backend ?? 'auto', () => undefined);
  const run = await openPictureRun(positionals[0]);
  const make = { recon, samples, traverse, interpolate: interpolation }[command];
  const g = await make(run, flags);
  const size = await writePngGrid(path.resolve(out), { pixels: g.pixels, count: g.count, ...run.shape }, { rows: g.rows, cols: g.cols, gap: GAP });
  const result: PictureResult = {
    file: path.resolve(out), command, count: g.count, rows: g.rows, columns: g.cols, tileHeight: run.shape.height, tileWidth: run.shape.width,
    channels: run.shape.channels, gap: GAP, ...size, label: g.label ?? null, model: modelKind(run.model), seed: g.seed ?? null, what: g.what,
  };
  console.log(flags.json ? JSON.stringify(result) : `wrote ${result.file} (${size.width}×${size.height}: ${g.rows} × ${g.cols} images of ${run.shape.width}×${run.shape.height}; ${g.what})`);
  return 0;
}
