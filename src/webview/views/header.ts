/**
 * The page header: title, status line (run status, points shown, decoder) and the map's method
 * badge; while the trainer decodes the images, "decoding images 4,000 / 10,000" in place of the
 * points shown; and the damaged-run notice (./problems.ts) from the snapshot's problems.
 */
import type { RunData } from '../data/runData';
import type { BrowserDecoder } from '../decode/decoder';
import type { Layout } from '../dom/layout';
import { decodingImagesText } from '../../protocol/images';
import { damagedFile, renderProblems } from './problems';
import { modelKind } from '../../protocol/config';

export function renderHeader(ui: Pick<Layout, 'h1' | 'statusLine' | 'methodBadge'>, data: RunData, decoder: BrowserDecoder): void {
  ui.h1.textContent = `Latent Lens — ${data.title}`;
  document.title = `Latent Lens — ${data.title}`;
  const s = data.status;
  const parts: string[] = [];
  if (s?.loading) {
    // The data is loading (issue 14): no epoch, step or points yet, only how far the decoding is.
    parts.push('Starting', decodingImagesText(s.loading.done, s.loading.total));
  } else {
    if (s) {
      parts.push(s.status[0].toUpperCase() + s.status.slice(1));
      parts.push(`epoch ${s.epoch}${s.epochs ? ` of ${s.epochs}` : ''}`);
      parts.push(`step ${s.step}`);
      if (s.backend) parts.push(`backend ${s.backend}`);
      if (s.message) parts.push(s.message);
    }
    // An early map of epoch 1 (src/trainer/earlyMap.ts) places only a sample: say how many are on the map.
    const placed = data.x ? data.x.reduce((n, v) => (Number.isFinite(v) ? n + 1 : n), 0) : data.count;
    parts.push(placed < data.count
      ? `${placed.toLocaleString('en-US')} of ${data.totalCount.toLocaleString('en-US')} images on the map (a sample until epoch 1 ends)`
      : `${data.count.toLocaleString('en-US')} of ${data.totalCount.toLocaleString('en-US')} images shown`);
  }
  if (data.config) parts.push(`${modelKind(data.config.model)}, ${data.config.model.imageHeight}×${data.config.model.imageWidth}×${data.config.model.channels}, latent ${data.config.model.latentDim}`);
  const damagedDecoder = damagedFile(data.problems, 'model/decoder');
  if (decoder.ready) parts.push(`decoder from step ${decoder.step} (${decoder.backend})`);
  else if (damagedDecoder) parts.push(`decoding unavailable: ${damagedDecoder.file} is damaged`);
  ui.statusLine.textContent = parts.join(' · ');
  ui.methodBadge.textContent = data.method === 'none' ? '(no projection yet)' : `(${shownMapText(data, ' of μ, computed here')})`;
  renderProblems(data.problems);
}

/**
 * "UMAP, epoch 3": the layout the map shows — the epoch timeline's (views/timeline: `data.timelineXY`
 * is one of history's layouts, or between two while playing) or else the latest projection.
 */
export function shownMapText(data: RunData, local: string): string {
  const h = data.history, at = data.timelineXY && h ? h.x.indexOf(data.timelineXY.x) : -1;
  if (h && at >= 0) return `${String(h.methods[at]).toUpperCase()}, epoch ${h.epochs[at]} of ${h.epochs[h.epochs.length - 1]}`;
  if (data.timelineXY && h) return `replaying epochs ${h.epochs[0]}–${h.epochs[h.epochs.length - 1]}`;
  return `${data.method.toUpperCase()}${data.localProjection ? local : ''}, epoch ${data.projectionEpoch}`;
}
