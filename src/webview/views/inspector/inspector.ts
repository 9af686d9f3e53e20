/**
 * The inspector (issue 15), mounted once: the "Colour by" control and the selection tools in the
 * map's toolbar; the selection grid, the nearest-neighbour strip and the outliers list in the
 * inspector column. Also the map's lasso/box callback (the selection goes to the store).
 */
import type { App } from '../../app';
import { mountColorBy } from './colorByControl';
import { mountNeighbours } from './neighbours';
import { mountOutliers } from './outliers';
import { selectPolygon } from './queries';
import { mountSelectionGrid } from './selectionGrid';
import { mountSelectTools } from './selectTools';

/** Duration of the last lasso/box selection (ms), for the benchmark. */
export const selectTiming = { lastMs: 0 };

/** The store's selection for a lasso/box in map data coordinates. */
export function applySelection(app: App, poly: Float32Array, additive: boolean): void {
  const t0 = performance.now();
  const s = app.store.get();
  const frame = app.adapter.frameFor(s.hiddenLabels, app.themeStamp, s.colorBy, s.selection);
  if (!frame.x || !frame.y) return;
  const sel = selectPolygon(frame.x, frame.y, frame.colors, poly, s.selection, additive);
  selectTiming.lastMs = performance.now() - t0;
  app.store.set({ selection: sel.points.length ? sel : null, selectionPage: 0 });
  app.announce(sel.points.length ? `Selected ${sel.points.length.toLocaleString('en-US')} images` : 'Nothing selected');
}

export function mountInspector(app: App): void {
  const colorBy = mountColorBy(app, app.ui.mapTools);
  mountSelectTools(app, app.ui.mapTools);
  mountSelectionGrid(app, app.ui.inspector);
  mountNeighbours(app, app.ui.inspector);
  mountOutliers(app, app.ui.inspector);
  app.inspectorRefresh.push(() => colorBy.refresh());
  app.store.watch(['colorBy', 'selection', 'mapOverlays', 'selectMode'], () => app.redrawMap());
}
