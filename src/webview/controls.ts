/**
 * The page's controls, both ways: a control changed by the user writes the store; a store change
 * (including one restored after a reload) sets the control and the chart it drives. Also the
 * buttons that talk to the host (Recompute projection, Open image) and the report's theme.
 */
import type { KlSort, ReportTheme, ViewState } from './store/viewState';
import type { App } from './app';

type Checkable = HTMLElement & { checked: boolean };
type Valued = HTMLElement & { value: string };

export function wireControls(app: App): void {
  const { store, host } = app;
  const c = app.ui.controls;
  const d = app.ui.decode;

  c.sizeInput.addEventListener('input', () => store.set({ pointSize: Number(c.sizeInput.value) }));
  c.smoothInput.addEventListener('input', () => store.set({ smoothing: Number(c.smoothInput.value) }));
  c.logBox.addEventListener('change', () => store.set({ logScale: (c.logBox as Checkable).checked }));
  c.sortSelect.addEventListener('change', () => store.set({ klSort: (c.sortSelect as Valued).value as KlSort }));
  c.resetView.addEventListener('click', () => store.set({ viewport: null }));
  d.unpinBtn.addEventListener('click', () => store.set({ pinnedRow: null, probe: null }));
  // A request: the reply says the trainer wrote the new layout (which arrives as a `projection` event).
  // With no trainer running the host runs `latent-lens project` once (issue 14). The button is
  // disabled while a request runs; an error shows in the status line, which then recovers.
  c.reproject.addEventListener('click', () => {
    if (c.reproject.hasAttribute('disabled')) return;
    c.reproject.setAttribute('disabled', '');
    app.announce('Recomputing the projection…');
    host.request({ type: 'requestProjection' }).then((reply) => {
      if (reply.type === 'projected') app.announce(`Projection recomputed (${reply.method.toUpperCase()}, epoch ${reply.epoch}, ${(reply.millis / 1000).toFixed(1)} s)`);
    }, (err: Error) => {
      app.announce(err.message);
      app.ui.statusLine.textContent = `Error: ${err.message}`;
      setTimeout(() => app.renderHeader(), 8000);
    }).finally(() => c.reproject.removeAttribute('disabled'));
  });
  d.openBtn.addEventListener('click', () => {
    const row = store.get().pinnedRow;
    if (row !== null && app.data.rowToPoint(row) !== null) host.post({ type: 'openFile', index: row });
  });
  const theme = c.themeSelect as Valued | null;
  theme?.addEventListener('change', () => store.set({ theme: theme.value as ReportTheme }));

  const show = (s: Readonly<ViewState>) => {
    if (c.sizeInput.value !== String(s.pointSize)) c.sizeInput.value = String(s.pointSize);
    if (Number(c.smoothInput.value) !== s.smoothing) c.smoothInput.value = String(s.smoothing);
    c.smoothValue.textContent = s.smoothing.toFixed(2);
    if ((c.logBox as Checkable).checked !== s.logScale) (c.logBox as Checkable).checked = s.logScale;
    if ((c.sortSelect as Valued).value !== s.klSort) (c.sortSelect as Valued).value = s.klSort;
    if (app.loss.smoothing !== s.smoothing || app.loss.logScale !== s.logScale) {
      app.loss.smoothing = s.smoothing;
      app.loss.logScale = s.logScale;
      app.loss.scheduleRender();
    }
    app.kl.setSort(s.klSort);
    if (theme) {
      const t = s.theme ?? initialTheme();
      applyTheme(t);
      if (theme.value !== t) theme.value = t;
    }
  };
  store.watch(['pointSize', 'smoothing', 'logScale', 'klSort', 'theme'], (s) => show(s));
  show(store.get());
}

/** The report's theme before the user picks one: `?theme=`, else the system's. */
function initialTheme(): ReportTheme {
  const p = new URLSearchParams(location.search).get('theme');
  if (p === 'light' || p === 'dark' || p === 'hc') return p;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function applyTheme(t: ReportTheme): void {
  const cls = document.body.classList;
  const want = t === 'dark' ? 'vscode-dark' : t === 'hc' ? 'vscode-high-contrast' : 'vscode-light';
  if (cls.contains(want) && cls.length === 1) return;
  cls.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
  cls.add(want);
}
