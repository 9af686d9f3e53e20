/**
 * `latent-lens export <runDir> --format tsv|csv|parquet --out <dir|file>`: what a run learned,
 * as data for other tools — one row per image (./rows), read from the run directory only:
 *   tsv      the TensorBoard projector files, in the folder --out (./tsv)
 *   csv      one CSV file (./csv); --out an existing folder → <folder>/latents.csv
 *   parquet  one Parquet file (./parquet); --out an existing folder → <folder>/latents.parquet
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../protocol/trainRequest';
import { readExportTable } from './rows';
import { writeCsv } from './csv';
import { writeParquet } from './parquet';
import { writeProjectorFiles } from './tsv';

export const EXPORT_FORMATS = ['tsv', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_USAGE = `latent-lens export <runDir> --format ${EXPORT_FORMATS.join('|')} --out <dir|file>`;

/** --format's value, or a ConfigError naming it (a bad command line: exit code 2). */
export function parseExportFormat(text: string | undefined): ExportFormat {
  if (text === undefined) throw new ConfigError(`export needs --format ${EXPORT_FORMATS.join('|')}`);
  const f = text.trim().toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new ConfigError(`--format ${JSON.stringify(text)} is not valid: one of ${EXPORT_FORMATS.join(', ')}`);
  return f as ExportFormat;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export interface ExportResult { rows: number; files: string[]; notes: string[]; epoch: number; projection: string }

/** Writes the export of a run; a missing or damaged run file is a RunFileError naming it (exit code 1). */
export async function exportRun(runDir: string, format: ExportFormat, out: string): Promise<ExportResult> {
  const table = await readExportTable(runDir);
  const base = { rows: table.count, epoch: table.epoch, projection: `${table.projection.method} of epoch ${table.projection.epoch}` };
  if (format === 'tsv') {
    if (existsSync(out) && !isDir(out)) throw new Error(`--out "${out}" is a file: --format tsv writes a folder of TensorBoard projector files`);
    return { ...base, ...(await writeProjectorFiles(table, out)) };
  }
  const file = isDir(out) ? path.join(out, `latents.${format === 'csv' ? 'csv' : 'parquet'}`) : out;
  const files = format === 'csv' ? await writeCsv(table, file) : await writeParquet(table, file);
  return { ...base, files, notes: [] };
}

/** The command: positionals and flags as parsed by cli.ts; prints what was written. */
export async function exportCommand(positionals: string[], flags: { format?: string; out?: string }): Promise<number> {
  const format = parseExportFormat(flags.format);
  if (positionals.length !== 1) throw new ConfigError(`export needs exactly one run directory: ${EXPORT_USAGE}`);
  if (!flags.out) throw new ConfigError(`export needs --out <dir|file>: ${EXPORT_USAGE}`);
  const r = await exportRun(positionals[0], format, path.resolve(flags.out));
  for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
  console.log(`wrote ${r.rows} rows (μ of epoch ${r.epoch}, map: ${r.projection}): ${r.files.join(', ')}`);
  return 0;
}
