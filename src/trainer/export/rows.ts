/**
 * The one table every export format writes (`latent-lens export`): one row per image of a run,
 * in dataset.json order, read from the run directory only (nothing is recomputed). Columns:
 * path, label, split, mu_0…, logvar_0…, x, y (the 2-D map), recon, kl, mean_var.
 */
import { existsSync } from 'node:fs';
import { PER_IMAGE_QUANTITIES, type ImageShape, type ProjectionMethod } from '../../protocol/runFormat';
import {
  RunFileError, readConfig, readDatasetIndex, readLatents, readLatentsIndex, readPerImage, readPixels, readProjection, runPaths, type RunPaths,
} from '../../run/runDir';

export interface StringColumn { name: string; kind: 'string'; values: string[] }
export interface FloatColumn { name: string; kind: 'float32'; values: Float32Array }
export type Column = StringColumn | FloatColumn;

export interface ExportTable {
  runDir: string;
  count: number;
  latentDim: number;
  /** Every column, in the order of the CSV header. */
  columns: Column[];
  /** Epoch end of μ, log σ² and the per-image quantities. */
  epoch: number;
  /** Epoch and method of the 2-D map (it may lag the latents while UMAP runs). */
  projection: { epoch: number; method: ProjectionMethod };
  shape: ImageShape;
}

/** A file the table needs, or a RunFileError naming it. */
function need(p: RunPaths, key: keyof RunPaths, why: string): void {
  if (!existsSync(p[key])) throw new RunFileError(p[key], `is missing: ${why}`);
}

/** Reads a run into the export table; a missing or inconsistent file is a RunFileError naming it. */
export async function readExportTable(runDir: string): Promise<ExportTable> {
  const p = runPaths(runDir);
  const config = await readConfig(runDir);
  const dataset = await readDatasetIndex(runDir);
  if (!dataset) throw new RunFileError(p.dataset, 'is missing: the run has no image list');
  const noLatents = 'the run has no latents yet (they are written at the end of its first epoch)';
  need(p, 'latentsIndex', noLatents);
  const index = (await readLatentsIndex(runDir))!;
  need(p, 'mu', noLatents);
  need(p, 'logVar', noLatents);
  const latents = (await readLatents(runDir, { withLogVar: true }))!;
  const count = index.count, d = index.latentDim;
  if (count !== dataset.images.length) throw new RunFileError(p.latentsIndex, `describes ${count} images, but ${runPaths('').dataset} lists ${dataset.images.length}`);
  const perImage = await readPerImage(runDir);
  if (!perImage) {
    const old = `the run was written before per-image quantities existed; \`latent-lens encode ${runDir} ${config.dataDir} --out <new run>\` writes a run that has them`;
    const missing = PER_IMAGE_QUANTITIES.find((q) => !existsSync(p[q]));
    throw missing ? new RunFileError(p[missing], `is missing: ${old}`) : new RunFileError(p.latentsIndex, `lists no per-image quantities: ${old}`);
  }
  need(p, 'projection', 'the run has no 2-D map yet (it is written after the first epoch end)');
  const projection = (await readProjection(runDir))!;
  if (projection.x.length !== count) throw new RunFileError(p.projection, `holds ${projection.x.length} points for ${count} images`);

  const column = (name: string, values: Float32Array): FloatColumn => ({ name, kind: 'float32', values });
  const strided = (a: Float32Array, j: number) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = a[i * d + j];
    return out;
  };
  const columns: Column[] = [
    { name: 'path', kind: 'string', values: dataset.images.map((im) => im.path) },
    { name: 'label', kind: 'string', values: dataset.images.map((im) => dataset.labels[im.label] ?? String(im.label)) },
    { name: 'split', kind: 'string', values: dataset.images.map((im) => im.split) },
    ...Array.from({ length: d }, (_, j) => column(`mu_${j}`, strided(latents.mu, j))),
    ...Array.from({ length: d }, (_, j) => column(`logvar_${j}`, strided(latents.logVar!, j))),
    column('x', Float32Array.from(projection.x)),
    column('y', Float32Array.from(projection.y)),
    column('recon', perImage.recon),
    column('kl', perImage.kl),
    column('mean_var', perImage.meanVar),
  ];
  const m = config.model;
  const shape = dataset.shape ?? { height: m.imageHeight, width: m.imageWidth, channels: m.channels };
  return { runDir, count, latentDim: d, columns, epoch: index.epoch, projection: { epoch: projection.epoch, method: projection.method }, shape };
}

/** data/pixels.u8 of every image of the table (for the sprite), or a RunFileError naming it. */
export async function readTablePixels(table: ExportTable): Promise<Uint8Array> {
  const { height, width, channels } = table.shape;
  const pixels = await readPixels(table.runDir, table.count * height * width * channels);
  if (!pixels) throw new RunFileError(runPaths(table.runDir).pixels, 'is missing: the sprite is drawn from the run\'s copy of the images');
  return pixels;
}

export function columnByName(table: ExportTable, name: string): Column {
  const c = table.columns.find((col) => col.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/**
 * The shortest decimal text that reads back as the same float32 (at most 9 significant digits),
 * so a CSV or TSV value parsed as float32 equals the value in the run (and in the Parquet file).
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 6; p < 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return String(t);
  }
  return String(Number(f.toPrecision(9)));
}

/** The text of cell `i` of a column (floats: formatFloat32). */
export function cellText(c: Column, i: number): string {
  return c.kind === 'string' ? c.values[i] : formatFloat32(c.values[i]);
}
