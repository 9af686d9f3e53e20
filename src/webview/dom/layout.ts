/**
 * The page's DOM: header with status line and map controls, the map section (with its
 * inspector toolbar), the decoded-image, legend, KL and loss sections, and the inspector column.
 * Built once; returns the elements the views and the control wiring need. `hasHost`: inside VS
 * Code (controls that talk to the extension), otherwise the standalone report (its theme control).
 *
 * Layout (issue 14; media/webview.css): from ~700 px wide the map, the decoded image and the KL
 * and loss charts are visible together. Wide panels (≥ 1000 px): the map on the left, the
 * decoded image + KL and the legend + loss beside it, the inspector below. Narrow panels: the
 * decoded image becomes an inset in the map's corner (moved there by `placeDecode`), KL and loss
 * side by side under the map.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { custom, el, section } from './el';
import { mountProblems } from '../views/problems';
import { mountTrainingControls } from '../views/controls/trainingControls';

export type Layout = ReturnType<typeof buildLayout>;

function labelled(wrapClass: string, ...children: HTMLElement[]): HTMLElement {
  const w = el('span', { class: wrapClass });
  w.append(...children);
  return w;
}

export function buildLayout(hasHost: boolean) {
  const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  app.replaceChildren();

  const header = el('header', { class: 'll-header' });
  const h1 = el('h1', {}, 'Latent Lens');
  const statusLine = el('p', { class: 'll-status', role: 'status', id: 'll-status' });
  const toolbar = el('div', { class: 'll-toolbar', role: 'toolbar', 'aria-label': 'Map controls' });
  header.append(h1, statusLine, toolbar);
  mountProblems(header); // issue 14: the damaged-run notice (views/problems.ts), filled by renderHeader

  const sizeInput = el('input', { id: 'll-point-size', type: 'range', min: '1', max: '8', step: '1', value: '3' });
  toolbar.append(labelled('ll-control', el('label', { for: 'll-point-size' }, 'Point size'), sizeInput));
  const reproject = custom('vscode-button', { id: 'll-reproject', secondary: '' }, 'Recompute projection');
  if (hasHost) toolbar.append(reproject);
  const resetView = custom('vscode-button', { id: 'll-reset-view', secondary: '' }, 'Reset view');
  toolbar.append(resetView);
  let themeSelect: HTMLElement | null = null;
  if (!hasHost) {
    themeSelect = custom('vscode-single-select', { id: 'll-theme', 'aria-labelledby': 'll-theme-label' });
    for (const [v, t] of [['light', 'Light'], ['dark', 'Dark'], ['hc', 'High contrast']]) themeSelect.append(custom('vscode-option', { value: v }, t));
    toolbar.append(labelled('ll-control', el('label', { id: 'll-theme-label' }, 'Theme'), themeSelect));
  }

  const grid = el('main', { class: 'll-grid' });
  const mapSec = section('ll-map-section', 'Latent map');
  const methodBadge = el('span', { class: 'll-method', id: 'll-method' });
  mapSec.heading.append(' ', methodBadge);
  const mapWrap = el('div', { class: 'll-map-wrap' });
  // c-inspect (issue 15): colour by and the selection tools (views/inspector/).
  const mapTools = el('div', { class: 'll-toolbar ll-map-tools', role: 'toolbar', 'aria-label': 'Colour and selection' });
  const mapHelpBox = el('details', { class: 'll-help' });
  mapHelpBox.append(el('summary', {}, 'Map help'));
  const mapHelp = el('p', { class: 'll-hint', id: 'll-map-help' },
    'Hover a point to decode it; click to pin it; Shift+click to pin it as B, the end of an interpolation; click empty space to decode a latent vector estimated there. ' +
    'Scroll to zoom, drag to pan. Keyboard: arrows move the cursor, Shift+arrows pan, + and − zoom, 0 resets, ' +
    'N and P step through points, Enter pins or decodes, Shift+Enter pins as B, Escape unpins. Selection: Shift+drag draws a lasso, Alt+drag a box ' +
    '(or pick Lasso or Box); S selects the points in view; Escape clears the selection.');
  mapHelpBox.append(mapHelp);
  mapSec.body.append(mapTools, mapWrap, el('div', { class: 'll-timeline', id: 'll-timeline' }), mapHelpBox); // epoch replay: views/timeline mounts into #ll-timeline

  const side = el('div', { class: 'll-side' });
  const decSec = section('ll-decode-section', 'Decoded image');
  const figs = el('div', { class: 'll-figs' });
  const origFig = el('figure', { class: 'll-fig' });
  const origCanvas = el('canvas', { id: 'll-original', role: 'img', 'aria-label': 'Original: none' });
  origFig.append(origCanvas, el('figcaption', {}, 'Original'));
  const recFig = el('figure', { class: 'll-fig' });
  const recCanvas = el('canvas', { id: 'll-decoded', role: 'img', 'aria-label': 'Decoded: nothing yet' });
  recFig.append(recCanvas, el('figcaption', {}, 'Decoded'));
  figs.append(origFig, recFig);
  const decCaption = el('p', { class: 'll-decode-caption', id: 'll-decode-caption', 'aria-live': 'polite' }, 'Hover a point on the map.');
  const decActions = el('div', { class: 'll-actions' });
  const unpinBtn = custom('vscode-button', { id: 'll-unpin', secondary: '', disabled: '' }, 'Unpin');
  const openBtn = custom('vscode-button', { id: 'll-open', secondary: '', disabled: '' }, 'Open image');
  decActions.append(unpinBtn);
  if (hasHost) decActions.append(openBtn);
  decSec.body.append(figs, decCaption, decActions);

  const legSec = section('ll-legend-section', 'Labels');
  const legendList = el('div', { class: 'll-legend', role: 'group', 'aria-labelledby': 'll-legend-section-h' });
  const legActions = el('div', { class: 'll-actions' });
  const showAll = custom('vscode-button', { secondary: '', id: 'll-show-all' }, 'Show all');
  const hideAll = custom('vscode-button', { secondary: '', id: 'll-hide-all' }, 'Hide all');
  legActions.append(showAll, hideAll);
  legSec.body.append(legendList, legActions);
  const labelSec = section('ll-label-section', 'Decode as label'); // conditional models only (views/labelDecodeView.ts)
  labelSec.root.hidden = true;
  side.append(labelSec.root, legSec.root);

  const klSec = section('ll-kl-section', 'KL divergence per latent dimension');
  const klControls = el('div', { class: 'll-toolbar' });
  const sortSelect = custom('vscode-single-select', { id: 'll-kl-sort', 'aria-labelledby': 'll-kl-sort-label' });
  for (const [v, t] of [['dimension', 'By dimension'], ['kl-desc', 'By KL, largest first'], ['kl-asc', 'By KL, smallest first']]) sortSelect.append(custom('vscode-option', { value: v }, t));
  klControls.append(labelled('ll-control', el('label', { id: 'll-kl-sort-label' }, 'Sort bars'), sortSelect));
  klSec.body.append(klControls);

  const lossSec = section('ll-loss-section', 'Loss');
  const lossControls = el('div', { class: 'll-toolbar' });
  const smoothInput = el('input', { id: 'll-smoothing', type: 'range', min: '0', max: '0.99', step: '0.01', value: '0.6' });
  const smoothValue = el('output', { for: 'll-smoothing' }, '0.60');
  const logBox = custom('vscode-checkbox', { id: 'll-log-scale', label: 'Log scale' });
  lossControls.append(labelled('ll-control', el('label', { for: 'll-smoothing' }, 'Smoothing'), smoothInput, smoothValue), logBox);
  const lossLegend = el('p', { class: 'll-loss-legend', 'aria-hidden': 'true' });
  for (const [cls, name] of [['ll-key-total', 'total'], ['ll-key-recon', 'reconstruction'], ['ll-key-kl', 'KL'], ['ll-key-val', 'validation −ELBO (per epoch)']]) {
    lossLegend.append(el('span', { class: `ll-key ${cls}` }), el('span', {}, name));
  }
  lossSec.body.append(lossControls, lossLegend);

  // c-inspect (issue 15): the inspector's sections (selection grid, neighbours, outliers).
  const inspector = el('div', { class: 'll-inspector', id: 'll-inspector' });
  grid.append(mapSec.root, decSec.root, side, klSec.root, lossSec.root, inspector);
  placeDecode(grid, mapWrap, decSec.root);
  grid.append(el('section', { id: 'll-generators-section', class: 'll-section', 'aria-labelledby': 'll-generators-section-h' })); // Generators (issue 15): views/generators mounts into it
  if (hasHost) grid.append(mountTrainingControls()); // live training controls (issue 10, views/controls/trainingControls.ts)
  const announcer = el('div', { class: 'll-sr-only', 'aria-live': 'polite', id: 'll-announce' });
  app.append(header, grid, announcer);

  return {
    h1, statusLine, methodBadge, mapWrap, announcer, mapTools, inspector,
    controls: { sizeInput, reproject, resetView, themeSelect, sortSelect, smoothInput, smoothValue, logBox, showAll, hideAll },
    decode: { origCanvas, recCanvas, decCaption, unpinBtn, openBtn },
    legendList, klBody: klSec.body, lossBody: lossSec.body, labelDecode: { root: labelSec.root, body: labelSec.body },
  };
}

/** Below this width the decoded image is an inset in the map's corner (issue 14). */
export const INSET_BELOW_PX = 1000;

/** Keep the decoded-image section beside the map on wide panels and inside it (an inset) on narrow ones. */
function placeDecode(grid: HTMLElement, mapWrap: HTMLElement, dec: HTMLElement): void {
  const place = () => {
    const narrow = grid.getBoundingClientRect().width < INSET_BELOW_PX;
    if (narrow && dec.parentElement !== mapWrap) { mapWrap.append(dec); dec.classList.add('ll-inset'); }
    if (!narrow && dec.parentElement !== grid) { grid.insertBefore(dec, grid.children[1] ?? null); dec.classList.remove('ll-inset'); }
  };
  new ResizeObserver(place).observe(grid);
  place();
}
