/**
 * `latent-lens export --format tsv`: the files of the TensorBoard embedding projector, in one
 * folder (point `tensorboard --logdir` at it, or load tensors.tsv + metadata.tsv in the
 * standalone projector):
 *   tensors.tsv               μ of every image, one row per image, tab-separated, no header
 *   metadata.tsv              a header row, then per image: label, split, path, recon, kl, mean_var, x, y
 *   sprite.png                every image in one picture (./sprite: shrunk to fit 8192 × 8192)
 *   projector_config.pbtxt    names the three files by relative path, and the thumbnail size
 * TSV has no quoting: a tab, CR or LF inside a path or label is written as a space.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '../../run/atomic';
import { cellText, columnByName, formatFloat32, readTablePixels, type ExportTable } from './rows';
import { composeSprite } from './sprite';

export const PROJECTOR_FILES = { tensors: 'tensors.tsv', metadata: 'metadata.tsv', sprite: 'sprite.png', config: 'projector_config.pbtxt' } as const;
/** The metadata columns, in order (the first one is what the projector colours by at first). */
export const METADATA_COLUMNS = ['label', 'split', 'path', 'recon', 'kl', 'mean_var', 'x', 'y'] as const;

const tsvField = (text: string) => text.replace(/[\t\r\n]/g, ' ');

export function tensorsTsv(table: ExportTable): string {
  const mu = table.columns.filter((c) => /^mu_\d+$/.test(c.name));
  const lines: string[] = [];
  for (let i = 0; i < table.count; i++) lines.push(mu.map((c) => formatFloat32(c.values[i] as number)).join('\t'));
  return lines.join('\n') + '\n';
}

export function metadataTsv(table: ExportTable): string {
  const cols = METADATA_COLUMNS.map((name) => columnByName(table, name));
  const lines = [METADATA_COLUMNS.join('\t')];
  for (let i = 0; i < table.count; i++) lines.push(cols.map((c) => tsvField(cellText(c, i))).join('\t'));
  return lines.join('\n') + '\n';
}

/** projector_config.pbtxt (text protobuf); single_image_dim is [width, height]. */
export function projectorConfig(sprite?: { cellWidth: number; cellHeight: number }): string {
  const lines = [
    'embeddings {',
    '  tensor_name: "mu"',
    `  tensor_path: "${PROJECTOR_FILES.tensors}"`,
    `  metadata_path: "${PROJECTOR_FILES.metadata}"`,
  ];
  if (sprite) {
    lines.push('  sprite {', `    image_path: "${PROJECTOR_FILES.sprite}"`, `    single_image_dim: ${sprite.cellWidth}`, `    single_image_dim: ${sprite.cellHeight}`, '  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Writes the projector files into `dir`; returns the files written and notes for the user. */
export async function writeProjectorFiles(table: ExportTable, dir: string): Promise<{ files: string[]; notes: string[] }> {
  const at = (name: string) => path.join(dir, name);
  const notes: string[] = [];
  await writeFileAtomic(at(PROJECTOR_FILES.tensors), tensorsTsv(table));
  await writeFileAtomic(at(PROJECTOR_FILES.metadata), metadataTsv(table));
  const files = [at(PROJECTOR_FILES.tensors), at(PROJECTOR_FILES.metadata)];
  const { height, width } = table.shape;
  const sprite = composeSprite(await readTablePixels(table), table.count, table.shape);
  if (sprite) {
    const image = sharp(sprite.data, { raw: { width: sprite.width, height: sprite.height, channels: sprite.channels }, limitInputPixels: false });
    // One channel stays a grey PNG (sharp would write RGB): a third of the size.
    const png = await (sprite.channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
    await writeFileAtomic(at(PROJECTOR_FILES.sprite), png);
    files.push(at(PROJECTOR_FILES.sprite));
    if (sprite.shrunk) notes.push(`${table.count} images of ${width}×${height} do not fit TensorBoard's 8192×8192 sprite: thumbnails shrunk to ${sprite.cellWidth}×${sprite.cellHeight}`);
  } else {
    await fs.rm(at(PROJECTOR_FILES.sprite), { force: true });
    notes.push(`${table.count} images are too many for TensorBoard's 8192×8192 sprite: no ${PROJECTOR_FILES.sprite} written (the projector shows points without images)`);
  }
  await writeFileAtomic(at(PROJECTOR_FILES.config), projectorConfig(sprite));
  files.push(at(PROJECTOR_FILES.config));
  return { files, notes };
}
