/**
 * The picture commands, each a PNG grid of what the run's decoder makes (the CLI twins of the
 * panel's generators, issue 15):
 *   recon        2 rows × n: originals, their reconstructions (--n, default 8, evenly spaced; or --image)
 *   samples      decoded z ~ N(0, T² I), ⌈√n⌉ columns (--n 64, --temperature 1, --seed 0)
 *   traverse     rows = dimensions sorted by KL (all, or the top --n), columns = --steps values
 *                from −3σ to +3σ (default 9), from the μ of --image (default z = 0)
 *   interpolate  --steps images (default 10) from the μ of --from to the μ of --to (--spherical)
 */
import path from 'node:path';
import type { BackendName } from '../../protocol/runFormat';
import { interpolate, priorSamples, traversalGrid, traversalValues } from '../../analysis/latentWalks';
import { PictureInputError, type PictureFlags, pngOut, positiveNumber, wholeNumber } from './pictureArgs';
import { decodeZ, dimsByKl, encodeMu, openPictureRun, resolveImage, type PictureRun } from './pictureRun';
import { writePngGrid } from './pngGrid';

export const PICTURE_COMMANDS = ['recon', 'samples', 'traverse', 'interpolate'] as const;
export type PictureCommand = (typeof PICTURE_COMMANDS)[number];

export const PICTURES_USAGE = `  latent-lens recon <runDir> --out <file.png> [--n 8 | --image <index|path>]
  latent-lens samples <runDir> --out <file.png> [--n 64] [--temperature 1] [--seed 0]
  latent-lens traverse <runDir> --out <file.png> [--image <index|path>] [--steps 9] [--n <dims>]
  latent-lens interpolate <runDir> --out <file.png> --from <index|path> --to <index|path> [--steps 10] [--spherical]`;

const MAX_IMAGES = 4096;

interface Grid { pixels: Float32Array | Uint8Array; count: number; rows: number; cols: number; what: string }

async function recon(run: PictureRun, f: PictureFlags): Promise<Grid> {
  let images: Uint8Array[];
  if (f.image !== undefined) {
    if (f.n !== undefined) throw new PictureInputError('recon takes --n or --image, not both');
    images = [await resolveImage(run, 'image', f.image)];
  } else {
    const n = wholeNumber('n', f.n, 8, 1, MAX_IMAGES);
    if (!run.files.length) throw new PictureInputError('recon needs the run\'s images (data/pixels.u8), and this run has none: pass --image <path>');
    const rows = Array.from({ length: Math.min(n, run.files.length) }, (_, i) => Math.floor((i * run.files.length) / Math.min(n, run.files.length)));
    images = await Promise.all(rows.map((r) => resolveImage(run, 'n', String(r))));
  }
  const n = images.length;
  const size = images[0].length;
  const out = new Float32Array(2 * n * size);
  images.forEach((im, i) => { for (let k = 0; k < size; k++) out[i * size + k] = im[k] / 255; });
  out.set(decodeZ(run, encodeMu(run, images)), n * size);
  return { pixels: out, count: 2 * n, rows: 2, cols: n, what: `${n} originals above their reconstructions` };
}

function samples(run: PictureRun, f: PictureFlags): Grid {
  const n = wholeNumber('n', f.n, 64, 1, MAX_IMAGES);
  const temperature = positiveNumber('temperature', f.temperature, 1, 10);
  const seed = wholeNumber('seed', f.seed, 0, 0, 2 ** 31 - 1);
  const cols = Math.ceil(Math.sqrt(n));
  return { pixels: decodeZ(run, priorSamples(n, run.latentDim, temperature, seed)), count: n, rows: Math.ceil(n / cols), cols, what: `${n} prior samples (temperature ${temperature}, seed ${seed})` };
}

async function traverse(run: PictureRun, f: PictureFlags): Promise<Grid> {
  const steps = wholeNumber('steps', f.steps, 9, 2, 64);
  const nDims = wholeNumber('n', f.n, run.latentDim, 1, run.latentDim);
  const base = f.image === undefined ? new Float32Array(run.latentDim) : encodeMu(run, [await resolveImage(run, 'image', f.image)]);
  const dims = dimsByKl(run.klPerDim, run.latentDim).slice(0, nDims);
  const z = traversalGrid(base, dims, traversalValues(steps));
  return { pixels: decodeZ(run, z), count: dims.length * steps, rows: dims.length, cols: steps, what: `dimensions ${dims.join(', ')} (by KL) × ${steps} values from −3σ to +3σ` };
}

async function interpolation(run: PictureRun, f: PictureFlags): Promise<Grid> {
  if (f.from === undefined || f.to === undefined) throw new PictureInputError('interpolate needs --from <index|path> and --to <index|path>');
  const steps = wholeNumber('steps', f.steps, 10, 2, 256);
  const mu = encodeMu(run, [await resolveImage(run, 'from', f.from), await resolveImage(run, 'to', f.to)]);
  const D = run.latentDim;
  const z = interpolate(mu.subarray(0, D), mu.subarray(D), steps, f.spherical === true);
  return { pixels: decodeZ(run, z), count: steps, rows: 1, cols: steps, what: `${steps} ${f.spherical ? 'spherical' : 'linear'} steps` };
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
  const size = await writePngGrid(path.resolve(out), { pixels: g.pixels, count: g.count, ...run.shape }, { rows: g.rows, cols: g.cols });
  console.log(`wrote ${path.resolve(out)} (${size.width}×${size.height}: ${g.rows} × ${g.cols} images of ${run.shape.width}×${run.shape.height}; ${g.what})`);
  return 0;
}
