/** The page header: title, status line (run status, points shown, decoder) and the map's method badge. */
import type { RunData } from '../data/runData';
import type { BrowserDecoder } from '../decode/decoder';
import type { Layout } from '../dom/layout';
import { modelKind } from '../../protocol/config';

export function renderHeader(ui: Pick<Layout, 'h1' | 'statusLine' | 'methodBadge'>, data: RunData, decoder: BrowserDecoder): void {
  ui.h1.textContent = `Latent Lens — ${data.title}`;
  document.title = `Latent Lens — ${data.title}`;
  const s = data.status;
  const parts: string[] = [];
  if (s) {
    parts.push(s.status[0].toUpperCase() + s.status.slice(1));
    parts.push(`epoch ${s.epoch}${s.epochs ? ` of ${s.epochs}` : ''}`);
    parts.push(`step ${s.step}`);
    if (s.backend) parts.push(`backend ${s.backend}`);
    if (s.message) parts.push(s.message);
  }
  if (data.config) parts.push(`${modelKind(data.config.model)}, ${data.config.model.imageHeight}×${data.config.model.imageWidth}×${data.config.model.channels}, latent ${data.config.model.latentDim}`);
  parts.push(`${data.count.toLocaleString('en-US')} of ${data.totalCount.toLocaleString('en-US')} images shown`);
  if (decoder.ready) parts.push(`decoder from step ${decoder.step} (${decoder.backend})`);
  ui.statusLine.textContent = parts.join(' · ');
  ui.methodBadge.textContent = data.method === 'none' ? '(no projection yet)' : `(${data.method.toUpperCase()}${data.localProjection ? ' of μ, computed here' : ''}, epoch ${data.projectionEpoch})`;
}
