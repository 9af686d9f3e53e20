/**
 * The map's selection tools (issue 15): Pan / Lasso / Box mode buttons (a drag then draws; in
 * pan mode Shift+drag draws a lasso, Alt+drag a box), "Select points in view" (the keyboard
 * alternative; S on the map does the same) and "Clear selection" (Escape).
 */
import type { App } from '../../app';
import { el } from '../../dom/el';
import type { SelectMode } from '../../store/viewState';

const MODES: [SelectMode, string, string][] = [
  ['pan', 'Pan', 'Drag pans the map'],
  ['lasso', 'Lasso', 'Lasso select: drag draws a free-hand outline'],
  ['box', 'Box', 'Box select: drag draws a rectangle'],
];

export function mountSelectTools(app: App, into: HTMLElement): void {
  const group = el('span', { class: 'll-segmented', role: 'group', 'aria-label': 'Map drag mode' });
  const buttons = MODES.map(([mode, text, name]) => {
    const b = el('button', { type: 'button', class: 'll-seg', 'data-mode': mode, 'aria-label': name, 'aria-pressed': 'false' }, text);
    b.addEventListener('click', () => app.store.set({ selectMode: mode }));
    group.append(b);
    return b;
  });
  const inView = el('button', { type: 'button', class: 'll-btn', id: 'll-select-view' }, 'Select points in view');
  inView.addEventListener('click', () => app.map.selectInView());
  const clear = el('button', { type: 'button', class: 'll-btn', id: 'll-clear-selection', disabled: '' }, 'Clear selection');
  clear.addEventListener('click', () => app.store.set({ selection: null, selectionPage: 0 }));
  into.append(group, inView, clear);
  const sync = () => {
    const s = app.store.get();
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.mode === s.selectMode));
    clear.disabled = !s.selection;
    app.map.overlay.classList.toggle('ll-map-drawing', s.selectMode !== 'pan');
  };
  app.store.watch(['selectMode', 'selection'], sync);
  sync();
}
