/**
 * What the webview is made of, in one object: the run's data, the view store, the decoder, the
 * host, the DOM and the views. main.ts builds it; dispatch.ts, controls.ts and (in test builds)
 * testHooks.ts act on it. `redrawMap()` is the one path from the store to the map: the adapter
 * turns state into the map's props.
 */
import type { RunData } from './data/runData';
import type { BrowserDecoder } from './decode/decoder';
import type { Layout } from './dom/layout';
import type { Host } from './host/host';
import type { Store } from './store/store';
import type { ViewState } from './store/viewState';
import type { DecodeView } from './views/decodeView';
import type { KlChart } from './views/klChart';
import type { Legend } from './views/legend';
import type { LossChart } from './views/lossChart';
import type { GeneratorsView } from './views/generators/generatorsView';
import type { MapAdapter } from './views/map/mapAdapter';
import type { PointMap } from './views/map/pointMap';

export interface App {
  data: RunData;
  store: Store<ViewState>;
  decoder: BrowserDecoder;
  host: Host;
  ui: Layout;
  map: PointMap;
  adapter: MapAdapter;
  decodeView: DecodeView;
  legend: Legend;
  kl: KlChart;
  loss: LossChart;
  /** Generators (issue 15): traversal, interpolation, prior samples; set by main.ts once mounted. */
  generators?: GeneratorsView;
  /** Bumped on a theme change (the adapter recomputes colours). */
  themeStamp: number;
  /** Store + data → the map's props (via the adapter) → the map. */
  redrawMap(): void;
  /** New labels or colours: map, legend, charts. */
  redrawAll(): void;
  renderHeader(): void;
  announce(text: string): void;
  /** Write the view state now (the store saves debounced). */
  flushState(): void;
  /** c-inspect (issue 15): inspector views to refresh on new data (snapshot, latents, decoder). */
  inspectorRefresh: (() => void)[];
}
