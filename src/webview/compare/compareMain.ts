/**
 * Compare Runs (issue 10): 2–4 runs in one page — their maps side by side with linked hover and
 * selection, KL per dimension and loss curves overlaid, a table of final figures. The same page
 * is the VS Code compare panel (src/extension/panel/comparePanel.ts) and the compare report
 * (`latent-lens report <runA> <runB> … --out compare.html`). This file wires: host → run data →
 * views, user → the compare store → maps. Names come from the user's disk: text only.
 */
import type { CompareSnapshot, ToWebviewMessage } from '../../protocol/panelIpc';
import { RunData } from '../data/runData';
import { StartError } from '../host/reportHost';
import { Store } from '../store/store';
import { onThemeChange } from '../theme';
import { el } from '../dom/el';
import { buildCompareLayout, type CompareLayout } from './compareLayout';
import { CompareMaps } from './compareMaps';
import { compareHost } from './compareHost';
import { DEFAULT_COMPARE, readPersistedCompare, type CompareView } from './compareState';
import { installCompareTestHooks } from './compareTestHooks';
import { finalRow, renderFinalTable } from './finalTable';
import { KlOverlay } from './klOverlay';
import { PathLinks } from './linking';
import { LossOverlay } from './lossOverlay';
import { runColor } from './runColors';

declare const __LATENT_LENS_TEST_HOOKS__: boolean;

export interface ComparePage {
  ui: CompareLayout;
  runs: RunData[];
  maps: CompareMaps;
  kl: KlOverlay;
  loss: LossOverlay;
}

const host = compareHost();
const persisted = readPersistedCompare(host.slot.read());
const store = new Store<CompareView>({ ...DEFAULT_COMPARE, viewports: persisted.viewports, pointSize: persisted.pointSize });
let page: ComparePage | null = null;
let pendingSelectedPath = persisted.selectedPath;

function save(): void {
  const s = store.get();
  const sel = s.selected && page ? page.runs[s.selected.run]?.files[s.selected.point] ?? null : null;
  host.slot.write({ v: 1, selectedPath: sel, viewports: s.viewports, pointSize: s.pointSize });
}

function build(n: number): ComparePage {
  const ui = buildCompareLayout(n);
  const runs = Array.from({ length: n }, () => new RunData());
  const p: ComparePage = { ui, runs, maps: new CompareMaps(ui.mapSections.map((m) => m.wrap), runs, store), kl: new KlOverlay(ui.klBody), loss: new LossOverlay(ui.lossBody) };
  return p;
}

/** How the runs link (status line): shared images with the first run, or "other data". */
function linkText(p: ComparePage, links: PathLinks): string {
  const names = p.runs.map((r) => r.title);
  const parts: string[] = [];
  for (let k = 1; k < p.runs.length; k++) {
    if (!links.sameData(0, k)) parts.push(`${names[k]} was trained on other data than ${names[0]}: hover and selection link nothing between them.`);
    else parts.push(`${names[0]} and ${names[k]}: ${links.shared(0, k).toLocaleString('en-US')} images in both maps.`);
  }
  return `${p.runs.length} runs. ${parts.join(' ')}`;
}

function apply(c: CompareSnapshot): void {
  if (!page || page.runs.length !== c.runs.length) {
    page = build(c.runs.length);
    store.set({ hovered: null, selected: null });
  }
  const p = page;
  c.runs.forEach((s, k) => p.runs[k].applySnapshot(s));
  const links = new PathLinks(p.runs.map((r) => ({ files: r.files, dataDir: r.config?.dataDir })));
  p.maps.links = links;
  p.ui.legend.replaceChildren(...p.runs.map((r, k) => {
    const li = el('li', { class: 'llc-legend-item' });
    const sw = el('span', { class: 'llc-swatch', 'aria-hidden': 'true' });
    sw.style.setProperty('background', runColor(k));
    const beta = finalRow(r).beta;
    li.append(sw, document.createTextNode(`${r.title}${beta !== null ? ` (β = ${beta})` : ''}`));
    return li;
  }));
  p.ui.mapSections.forEach((m, k) => { m.heading.textContent = p.runs[k].title; });
  p.ui.statusLine.textContent = linkText(p, links);
  renderFinalTable(p.ui.tableBody, p.runs);
  p.kl.setRuns(p.runs);
  p.loss.setRuns(p.runs);
  if (pendingSelectedPath !== null) {
    const point = p.runs[0].files.indexOf(pendingSelectedPath);
    if (point >= 0) store.set({ selected: { run: 0, point } });
    pendingSelectedPath = null;
  }
  p.maps.redraw();
  describeSelection();
}

function describeSelection(): void {
  if (!page) return;
  const p = page;
  const s = store.get().selected;
  if (!s) { p.ui.selection.textContent = 'Nothing selected: click a point on any map.'; return; }
  const d = p.runs[s.run];
  const file = d.files[s.point] ?? '';
  const missing = p.runs.filter((_, k) => p.maps.linked(s, k) === null).map((r) => r.title);
  p.ui.selection.textContent = `Selected: ${file} (${d.labels[d.labelIndex[s.point]] ?? ''})` +
    (missing.length ? ` — not shown in ${missing.join(', ')} (other data, or outside its sample).` : ' — ringed in every map.');
}

async function receive(msg: ToWebviewMessage): Promise<void> {
  if (msg.type === 'compareSnapshot') apply(msg.compare);
  else if (msg.type === 'error') {
    const line = page?.ui.statusLine ?? document.getElementById('app');
    if (line) line.textContent = `Error: ${msg.message}`;
  }
}

store.watch(['hovered', 'selected', 'viewports', 'pointSize'], () => page?.maps.redraw());
store.watch(['selected'], () => describeSelection());
store.watch(['hovered'], (s) => {
  if (!page || !s.hovered) return;
  page.ui.announcer.textContent = page.runs[s.hovered.run].files[s.hovered.point] ?? '';
});
let saveTimer = 0;
store.watch(['selected', 'viewports', 'pointSize'], () => {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(save, 300);
});
window.addEventListener('pagehide', save);
onThemeChange(() => page?.maps.setTheme());
if (__LATENT_LENS_TEST_HOOKS__) installCompareTestHooks(() => page, store, host, receive);

host.start(receive).then(() => {
  document.body.dataset.ready = 'true';
}, (err) => {
  const app = document.getElementById('app') ?? document.body;
  app.textContent = err instanceof StartError ? err.message : `Failed to start: ${err instanceof Error ? err.message : String(err)}`;
});
