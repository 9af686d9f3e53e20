/**
 * `latent-lens export --format parquet`: the columns of ./rows in one Parquet file, written with
 * hyparquet-writer (pure JavaScript, no native code; see the README's dependency table): strings
 * as UTF-8 BYTE_ARRAY, numbers as FLOAT (float32, the values of the run exactly), no nulls,
 * Snappy-compressed. pandas, DuckDB, Arrow and Embedding Atlas read it.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic } from '../../run/atomic';
import type { ExportTable } from './rows';

export function parquetBytes(table: ExportTable): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: table.columns.map((c) => ({ name: c.name, data: c.values, type: c.kind === 'string' ? 'STRING' : 'FLOAT', nullable: false })),
    kvMetadata: [
      { key: 'latent_lens.run', value: table.runDir },
      { key: 'latent_lens.epoch', value: String(table.epoch) },
      { key: 'latent_lens.projection', value: `${table.projection.method}, epoch ${table.projection.epoch}` },
    ],
    createdBy: 'latent-lens export',
  });
  return new Uint8Array(buffer);
}

export async function writeParquet(table: ExportTable, file: string): Promise<string[]> {
  await writeFileAtomic(file, parquetBytes(table));
  return [file];
}
