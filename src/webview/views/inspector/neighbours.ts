/**
 * Nearest neighbours (issue 15) of the pinned point in μ space (k = 8, Euclidean): a strip of
 * tiles (original above reconstruction, decoded in one batch) and the same points highlighted
 * on the map through the map overlays (`inspector-neighbours`).
 */
import type { App } from '../../app';
import { BatchDecoder } from '../../decode/batchDecode';
import { el, section } from '../../dom/el';
import { nearestInMu } from './queries';
import { fillTile, makeTile, type Tile } from './tiles';

export const K = 8;
const OVERLAY_ID = 'inspector-neighbours';

export function mountNeighbours(app: App, into: HTMLElement): void {
  const { data, store } = app;
  const sec = section('ll-neighbours-section', `Nearest neighbours in μ space (k = ${K})`);
  const note = el('p', { class: 'll-hint' }, 'Pin a point (click it on the map, or a tile) to see its nearest neighbours.');
  const strip = el('div', { class: 'll-tiles ll-strip', role: 'list', id: 'll-neighbours', 'aria-label': 'Nearest neighbours: none' });
  sec.body.append(note, strip);
  into.append(sec.root);
  const decoder = new BatchDecoder(app.decoder, () => ({ mu: data.mu, dim: data.latentDim }));

  const setHighlight = (points: Uint32Array | null) => {
    const o = store.get().mapOverlays;
    const rest = o.highlight.filter((h) => h.id !== OVERLAY_ID);
    if (!points && rest.length === o.highlight.length) return;
    store.set({ mapOverlays: { ...o, highlight: points ? [...rest, { id: OVERLAY_ID, points }] : rest } });
  };

  let shown = '';
  const render = () => {
    const row = store.get().pinnedRow;
    const i = row === null ? null : data.rowToPoint(row);
    const key = `${i}|${data.latentsVersion}|${app.decoder.version}`;
    if (key === shown) return;
    shown = key;
    strip.replaceChildren();
    decoder.cancel();
    if (i === null || !data.mu) {
      note.hidden = false;
      strip.setAttribute('aria-label', 'Nearest neighbours: none');
      setHighlight(null);
      return;
    }
    note.hidden = true;
    const nn = nearestInMu(data.mu, data.latentDim, i, K);
    const file = data.files[i] ?? '';
    strip.setAttribute('aria-label', `Nearest neighbours of ${file} in μ space`);
    const tiles: Tile[] = nn.map((n, r) => {
      const t = makeTile(data, n.index, `Neighbour ${r + 1} of ${file}, distance ${n.dist.toFixed(2)}: `, (p) => store.set({ pinnedRow: data.index[p] ?? p, probe: null }));
      t.root.setAttribute('role', 'listitem');
      strip.append(t.root);
      return t;
    });
    setHighlight(Uint32Array.from(nn, (n) => n.index));
    if (app.decoder.ready) {
      void decoder.run({
        points: nn.map((n) => n.index),
        onImage: (k, _p, px) => fillTile(data, tiles[k], px),
        onProgress: (done, total) => { if (done === total) strip.dataset.decoded = String(total); },
      });
    }
  };
  store.watch(['pinnedRow'], render);
  app.inspectorRefresh.push(render);
  render();
}
