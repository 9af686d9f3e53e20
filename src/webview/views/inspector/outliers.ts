/**
 * Outliers (issue 15): the TOP images with the highest reconstruction error, live (rebuilt when
 * new per-image quantities arrive), highest first. Each is one click away on the map: the
 * button pins the point and centres the map on it.
 */
import type { App } from '../../app';
import { el, section } from '../../dom/el';
import { showOriginal } from './tiles';
import { topOutliers } from './queries';

export const TOP = 50;

export function mountOutliers(app: App, into: HTMLElement): void {
  const { data, store } = app;
  const sec = section('ll-outliers-section', `Outliers: the ${TOP} highest reconstruction errors`);
  const note = el('p', { class: 'll-hint' });
  const list = el('ol', { class: 'll-outliers', id: 'll-outliers', 'aria-labelledby': 'll-outliers-section-h' });
  sec.body.append(note, list);
  into.append(sec.root);

  let shownVersion = -1;
  const render = () => {
    if (data.perImageVersion === shownVersion && list.childElementCount) return;
    shownVersion = data.perImageVersion;
    list.replaceChildren();
    const p = data.perImage;
    if (!p) { note.textContent = 'Per-image reconstruction errors are written at the end of each epoch; none yet.'; return; }
    note.textContent = `Epoch ${p.epoch}: reconstruction error −log p(x | z = μ), nats. Click one to pin it and centre the map on it.`;
    const top = topOutliers(p.recon, TOP);
    top.forEach((i, rank) => {
      const file = data.files[i] ?? '', label = data.labels[data.labelIndex[i]] ?? '';
      const li = el('li', { class: 'll-outlier' });
      const b = el('button', {
        type: 'button', class: 'll-outlier-btn', 'data-point': String(i), 'data-recon': String(p.recon[i]),
        'aria-label': `${rank + 1}. ${file} (${label}), reconstruction error ${p.recon[i].toFixed(1)} nats: show on the map`,
      });
      const thumb = el('canvas', { class: 'll-thumb', 'aria-hidden': 'true' });
      showOriginal(data, thumb, i, `Original: ${file}`);
      b.append(thumb, el('span', { class: 'll-outlier-text' }, `${p.recon[i].toFixed(1)} · ${file} · ${label}`));
      b.addEventListener('click', () => {
        const k = Math.max(store.get().viewport?.k ?? 1, 4);
        store.set({ pinnedRow: data.index[i] ?? i, probe: null, viewport: data.x && data.y ? { cx: data.x[i], cy: data.y[i], k } : store.get().viewport });
      });
      li.append(b);
      list.append(li);
    });
  };
  app.inspectorRefresh.push(render);
  render();
}
