/**
 * `latent-lens export --format csv`: one row per image with the columns of ./rows (a header
 * line first). Quoting as RFC 4180: a field holding a comma, a double quote, CR or LF is put in
 * double quotes, with each double quote doubled; lines end with LF.
 */
import { writeFileAtomic } from '../../run/atomic';
import { cellText, type ExportTable } from './rows';

/** One CSV field, quoted when it needs to be. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole CSV text of a table. */
export function csvText(table: ExportTable): string {
  const { columns } = table;
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (let i = 0; i < table.count; i++) lines.push(columns.map((c) => csvField(cellText(c, i))).join(','));
  return lines.join('\n') + '\n';
}

export async function writeCsv(table: ExportTable, file: string): Promise<string[]> {
  await writeFileAtomic(file, csvText(table));
  return [file];
}
