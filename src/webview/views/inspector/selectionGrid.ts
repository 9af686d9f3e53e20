/**
 * The selection grid (issue 15): a region named "Selection: N images" with the selection's
 * statistics (count, label mix, mean reconstruction error, mean KL) and a tile per image — the
 * original above its reconstruction, decoded in batches with a progress line — paged beyond
 * PAGE_SIZE tiles. Clicking a tile pins that point; Escape (here or on the map) clears.
 */
import type { App } from '../../app';
import { BatchDecoder } from '../../decode/batchDecode';
import { el, section } from '../../dom/el';
import { selectionStats } from './queries';
import { fillTile, makeTile, type Tile } from './tiles';

export const PAGE_SIZE = 200;

export function mountSelectionGrid(app: App, into: HTMLElement): void {
  const { data, store } = app;
  const sec = section('ll-selection-section', 'Selection');
  sec.root.setAttribute('aria-label', 'Selection: none');
  sec.root.removeAttribute('aria-labelledby');
  const hint = el('p', { class: 'll-hint' }, 'No selection. Draw a lasso (Shift+drag) or a box (Alt+drag) on the map, or press S on the map to select the points in view.');
  const stats = el('p', { class: 'll-sel-stats', id: 'll-selection-stats' });
  const progress = el('p', { class: 'll-progress', role: 'status', id: 'll-selection-progress' });
  const pager = el('div', { class: 'll-actions', role: 'group', 'aria-label': 'Selection pages' });
  const prev = el('button', { type: 'button', class: 'll-btn', 'aria-label': 'Previous page of the selection' }, '‹ Previous');
  const pageText = el('span', { class: 'll-page' });
  const next = el('button', { type: 'button', class: 'll-btn', 'aria-label': 'Next page of the selection' }, 'Next ›');
  pager.append(prev, pageText, next);
  const grid = el('div', { class: 'll-tiles', role: 'list', id: 'll-selection-grid', 'aria-label': 'Selected images' });
  sec.body.append(hint, stats, pager, progress, grid);
  into.append(sec.root);
  const decoder = new BatchDecoder(app.decoder, () => ({ mu: data.mu, dim: data.latentDim }));

  prev.addEventListener('click', () => store.set({ selectionPage: Math.max(0, store.get().selectionPage - 1) }));
  next.addEventListener('click', () => store.set({ selectionPage: store.get().selectionPage + 1 }));
  sec.root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && store.get().selection) { e.preventDefault(); store.set({ selection: null, selectionPage: 0 }); }
  });

  const render = () => {
    const s = store.get();
    const sel = s.selection;
    grid.replaceChildren();
    decoder.cancel();
    progress.textContent = '';
    if (!sel) {
      sec.heading.textContent = 'Selection';
      sec.root.setAttribute('aria-label', 'Selection: none');
      hint.hidden = false; stats.textContent = ''; pager.hidden = true;
      return;
    }
    const n = sel.points.length;
    const name = `Selection: ${n.toLocaleString('en-US')} ${n === 1 ? 'image' : 'images'}`;
    sec.heading.textContent = name;
    sec.root.setAttribute('aria-label', name);
    hint.hidden = true;
    const st = selectionStats(data, sel.points);
    const mix = st.labelMix.slice(0, 5).map(([l, c]) => `${l} ${Math.round((100 * c) / Math.max(1, n))}%`).join(', ') + (st.labelMix.length > 5 ? ', …' : '');
    stats.textContent = `${n.toLocaleString('en-US')} images · labels: ${mix || '—'} · mean reconstruction error ${st.meanRecon === null ? 'n/a' : `${st.meanRecon.toFixed(1)} nats`} · mean KL ${st.meanKl === null ? 'n/a' : `${st.meanKl.toFixed(2)} nats`}`;
    const pages = Math.max(1, Math.ceil(n / PAGE_SIZE));
    const page = Math.min(s.selectionPage, pages - 1);
    pager.hidden = pages <= 1;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pageText.textContent = `Page ${page + 1} of ${pages}`;
    const points = sel.points.subarray(page * PAGE_SIZE, Math.min(n, (page + 1) * PAGE_SIZE));
    const tiles: Tile[] = [];
    for (const i of points) {
      const t = makeTile(data, i, '', (p) => store.set({ pinnedRow: data.index[p] ?? p, probe: null }));
      t.root.setAttribute('role', 'listitem');
      tiles.push(t);
      grid.append(t.root);
    }
    if (!app.decoder.ready) { progress.textContent = 'Reconstructions unavailable: no decoder yet.'; return; }
    void decoder.run({
      points,
      onImage: (k, _p, px) => fillTile(data, tiles[k], px),
      onProgress: (done, total) => {
        progress.textContent = done < total ? `Decoding reconstructions: ${done} / ${total}…` : `${total} reconstructions decoded.`;
        if (done === total) grid.dataset.decoded = String(total);
      },
    });
  };
  // The grid builds in a task of its own: the selection shows on the map first.
  let queued = 0;
  store.watch(['selection', 'selectionPage'], () => {
    if (queued) return;
    queued = window.setTimeout(() => { queued = 0; render(); }, 0);
  });
  app.inspectorRefresh.push(render);
  render();
}
