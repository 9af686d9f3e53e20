/**
 * Applies one validated host → webview message (src/protocol/panelIpc.ts): updates the run data
 * and tells the views what changed. Both hosts come through here (the report's embedded snapshot
 * arrives as a `snapshot` message).
 */
import type { ToWebviewMessage } from '../protocol/panelIpc';
import type { App } from './app';
import { refreshTrainingControls } from './views/controls/trainingControls';

export async function dispatch(app: App, msg: ToWebviewMessage): Promise<void> {
  const { data, kl, loss } = app;
  switch (msg.type) {
    case 'snapshot':
      data.applySnapshot(msg.snapshot);
      loss.setChanges(msg.snapshot.changes ?? []); refreshTrainingControls(msg.snapshot.status?.status, msg.snapshot.config); // issue 10
      app.redrawAll();
      app.renderHeader();
      app.decodeView.refresh(true);
      if (msg.snapshot.decoder) await loadDecoder(app, msg.snapshot.decoder);
      refreshInspector(app);
      await app.generators?.loadEncoder(msg.snapshot.encoder); // Generators (issue 15)
      break;
    case 'metrics':
      data.applySteps(msg.steps);
      loss.scheduleRender();
      kl.scheduleRender();
      break;
    case 'epoch':
      data.applyEpoch(msg.metrics);
      loss.scheduleRender();
      kl.render();
      break;
    case 'latents':
      data.applyLatents(msg.latents);
      if (msg.perImage !== undefined) data.applyPerImage(msg.perImage);
      app.redrawMap();
      refreshInspector(app);
      kl.render();
      app.decodeView.refresh(true);
      app.generators?.refresh(); // Generators (issue 15)
      break;
    case 'projection':
      if (data.applyProjection(msg.projection)) app.redrawMap();
      app.renderHeader();
      break;
    case 'decoder':
      await loadDecoder(app, msg.decoder);
      await app.generators?.loadEncoder(msg.encoder); // Generators (issue 15)
      break;
    case 'status':
      data.status = msg.status;
      refreshTrainingControls(msg.status.status, undefined); // issue 10
      app.renderHeader();
      break;
    case 'problems': // damaged files, diagnosed after the snapshot (issue 13)
      data.problems = msg.problems;
      app.renderHeader();
      app.decodeView.refresh(true);
      break;
    case 'change': // live hyperparameters (issue 10): a mark on the loss chart
      loss.addChange(msg.change);
      break;
    case 'controlled':
      break;
    case 'projected':
      // The reply to `requestProjection` (controls.ts); the layout itself came as `projection`.
      break;
    case 'error':
      app.announce(msg.message);
      app.ui.statusLine.textContent = `Error: ${msg.message}`;
      break;
  }
}

async function loadDecoder(app: App, d: Parameters<App['decoder']['load']>[0]): Promise<void> {
  await app.decoder.load(d);
  app.renderHeader();
  app.decodeView.refresh(true);
  refreshInspector(app);
  app.generators?.refresh(); // Generators (issue 15)
}

/** c-inspect (issue 15): the inspector's views follow new data. */
function refreshInspector(app: App): void {
  for (const fn of app.inspectorRefresh) fn();
}
