/**
 * The latent-space view: the webview inside VS Code (LatentPanel) and the standalone report page
 * are this one bundle. This file only wires the parts together:
 *  - host/: which host (panel or report), where the view state persists, how messages arrive;
 *  - store/: the view state (zoom, pins, hidden labels, smoothing …), restored at start and
 *    saved on change; views subscribe to it;
 *  - dom/layout.ts builds the page; views/ draw (the map through its adapter); decode/ decodes;
 *  - dispatch.ts applies host messages; controls.ts wires the controls;
 *  - testHooks.ts, in test builds only (dist/webview.test.js), exposes internals to the tests.
 * File names and labels come from the user's disk and are always rendered as text.
 */
import type { App } from './app';
import { wireControls } from './controls';
import { wireTrainingControls } from './views/controls/trainingControls';
import { RunData } from './data/runData';
import { BrowserDecoder } from './decode/decoder';
import { dispatch } from './dispatch';
import { buildLayout } from './dom/layout';
import { detectHost } from './host/host';
import { readPageConfig, wasmUrls } from './host/pageConfig';
import { StartError } from './host/reportHost';
import { persistView, restoreView } from './store/persistence';
import { Store } from './store/store';
import type { ViewState } from './store/viewState';
import { installTestHooks } from './testHooks';
import { onThemeChange } from './theme';
import { DecodeView } from './views/decodeView';
import { LabelDecodeView } from './views/labelDecodeView';
import { renderHeader } from './views/header';
import { KlChart } from './views/klChart';
import { Legend } from './views/legend';
import { LossChart } from './views/lossChart';
import { mountGenerators } from './views/generators/generatorsView';
import { MapAdapter } from './views/map/mapAdapter';
import { PointMap } from './views/map/pointMap';
import { mountTimeline } from './views/timeline/timeline';
import { applySelection, mountInspector } from './views/inspector/inspector';

/** Replaced by esbuild: true in dist/webview.test.js, false (and the hooks dropped) in dist/webview.js. */
declare const __LATENT_LENS_TEST_HOOKS__: boolean;

const host = detectHost();
const store = new Store<ViewState>(restoreView(host.slot));
const flushState = persistView(store, host.slot);
const data = new RunData();
if (host.images) data.fetchImages = (rows) => host.images!(rows); // issue 13: originals on demand
const decoder = new BrowserDecoder();
const ui = buildLayout(host.kind === 'panel');
const adapter = new MapAdapter(data);

const map = new PointMap(ui.mapWrap, {
  onHover: (i) => store.set({ hovered: i }),
  // Shift+click (Shift+Enter) pins the point as B, the end of the interpolation; a click pins it (A).
  onClickPoint: (i, asB) => store.set(asB ? { pinnedRowB: data.index[i] ?? i } : { pinnedRow: data.index[i] ?? i, probe: null }),
  onClickEmpty: (x, y) => store.set({ pinnedRow: null, probe: { x, y } }),
  // Escape clears the selection first, then unpins.
  onUnpin: () => store.set(store.get().selection ? { selection: null, selectionPage: 0 } : { pinnedRow: null, probe: null }),
  onViewportChange: (viewport) => store.set({ viewport }),
  onSelect: (poly, additive) => applySelection(app, poly, additive),
});

const app: App = {
  data, store, decoder, host, ui, map, adapter,
  decodeView: new DecodeView(data, decoder, store, ui.decode, (x, y, k) => map.nearest(x, y, k)),
  legend: new Legend(ui.legendList, data, store, ui.controls.showAll, ui.controls.hideAll),
  kl: new KlChart(ui.klBody, data),
  loss: new LossChart(ui.lossBody, data),
  themeStamp: 0,
  redrawMap() {
    const props = adapter.props(store.get(), app.themeStamp);
    map.update(props);
    // A hovered point whose label was just hidden is no longer hovered.
    if (store.get().hovered !== props.hovered) store.set({ hovered: props.hovered });
  },
  redrawAll() {
    app.redrawMap();
    const s = store.get();
    app.legend.build(adapter.frameFor(s.hiddenLabels, app.themeStamp, s.colorBy, s.selection).palette);
    app.kl.render();
    app.loss.render();
  },
  renderHeader: () => renderHeader(ui, data, decoder),
  announce(text) {
    ui.announcer.textContent = text;
  },
  flushState,
  inspectorRefresh: [],
};

app.generators = mountGenerators(app, document.getElementById('ll-generators-section')!); // Generators (issue 15)
store.watch(['hovered', 'pinnedRow', 'probe', 'hiddenLabels', 'pointSize', 'viewport'], () => app.redrawMap());
store.watch(['hovered'], (s) => {
  if (s.hovered !== null) app.announce(`${data.files[s.hovered]}, ${data.labels[data.labelIndex[s.hovered]] ?? ''}`);
});
wireControls(app);
mountTimeline(app, document.getElementById('ll-timeline')!); // epoch replay: the timeline under the map
mountInspector(app); // c-inspect (issue 15): colour by, selection, outliers, neighbours
wireTrainingControls(host); // live training controls (issue 10)
new LabelDecodeView(data, decoder, store, ui.labelDecode);
onThemeChange(() => {
  map.setTheme();
  app.themeStamp++;
  app.redrawAll();
});

const receive = (msg: Parameters<typeof dispatch>[1]) => dispatch(app, msg);
if (__LATENT_LENS_TEST_HOOKS__) installTestHooks(app, receive);

async function start(): Promise<void> {
  await decoder.init(new URLSearchParams(location.search).get('backend') ?? 'auto', wasmUrls(readPageConfig()));
  await host.start(receive);
}

start().then(() => {
  document.body.dataset.ready = 'true';
}, (err) => {
  ui.statusLine.textContent = err instanceof StartError ? err.message : `Failed to start: ${err instanceof Error ? err.message : String(err)}`;
});
