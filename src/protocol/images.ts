/**
 * The image types Latent Lens reads, in one place: the trainer's folder scan
 * (src/trainer/dataset.ts) and the extension's "open this image" guard
 * (src/extension/runs/datasetImage.ts) both use this list, so they cannot disagree.
 * No Node or browser API here.
 */

/** File extensions (lower case, with the dot) of the images sharp decodes for training. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/**
 * "decoding images 4,000 / 10,000": the words for a `loading` trainer event, the same on the
 * terminal (src/trainer/progress.ts), the status bar and progress (src/extension/runs/runText.ts)
 * and the panel header.
 */
export function decodingImagesText(done: number, total: number): string {
  return `decoding images ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`;
}
