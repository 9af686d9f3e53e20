/**
 * The Compare Runs page's DOM, built once for n runs (2–4): a header with the status line (how the
 * runs link) and the runs' legend; the maps side by side (2 in a row, 3 or 4 in a 2×2 grid),
 * each in a section headed by its run; beside them the final figures table, KL per dimension
 * overlaid and the loss curves overlaid. Fits 1400×900 without scrolling.
 */
import { el, section } from '../dom/el';
import { runColor } from './runColors';

export type CompareLayout = ReturnType<typeof buildCompareLayout>;

export function buildCompareLayout(n: number) {
  const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  app.replaceChildren();
  app.className = 'llc-app';

  const header = el('header', { class: 'll-header' });
  const h1 = el('h1', {}, 'Compare runs');
  const legend = el('ul', { class: 'llc-legend', 'aria-label': 'Runs' });
  const statusLine = el('p', { class: 'll-status', role: 'status', id: 'llc-status' });
  header.append(h1, legend, statusLine);

  const grid = el('main', { class: 'llc-grid' });
  const maps = el('div', { class: `llc-maps llc-maps-${n}` });
  const mapSections = Array.from({ length: n }, (_, k) => {
    const sec = section(`llc-map-${k}`, `Run ${k + 1}`);
    sec.root.classList.add('llc-map-section');
    sec.heading.style.setProperty('--llc-run', runColor(k));
    sec.heading.classList.add('llc-run-heading');
    const wrap = el('div', { class: 'll-map-wrap llc-map-wrap' });
    sec.body.append(wrap);
    maps.append(sec.root);
    return { root: sec.root, heading: sec.heading, wrap };
  });
  const help = el('p', { class: 'll-hint', id: 'llc-help' },
    'Hover a point: the same image is ringed in every map. Click to select it in all maps, Escape to clear. ' +
    'Scroll to zoom, drag to pan; keyboard: arrows, N/P, Enter, as in a run’s map.');
  maps.append(help);

  const side = el('div', { class: 'llc-side' });
  const tableSec = section('llc-table-section', 'Runs');
  const selection = el('p', { class: 'llc-selection', id: 'llc-selection', 'aria-live': 'polite' }, 'Nothing selected.');
  const klSec = section('llc-kl-section', 'KL divergence per latent dimension');
  const lossSec = section('llc-loss-section', 'Loss (training −ELBO per step, validation per epoch)');
  side.append(tableSec.root, klSec.root, lossSec.root);
  tableSec.body.append(selection);

  grid.append(maps, side);
  const announcer = el('div', { class: 'll-sr-only', 'aria-live': 'polite', id: 'llc-announce' });
  app.append(header, grid, announcer);
  return { h1, legend, statusLine, mapSections, help, tableBody: tableSec.body, selection, klBody: klSec.body, lossBody: lossSec.body, announcer };
}
