/**
 * The label legend: a swatch and a checkbox per label (with its point count), Show all / Hide
 * all. The checkboxes draw the store's hidden labels and write the user's changes back to it.
 */
import type { RunData } from '../data/runData';
import { custom, el } from '../dom/el';
import type { Store } from '../store/store';
import type { ViewState } from '../store/viewState';

export class Legend {
  constructor(private list: HTMLElement, private data: RunData, private store: Store<ViewState>, showAll: HTMLElement, hideAll: HTMLElement) {
    showAll.addEventListener('click', () => this.store.set({ hiddenLabels: [] }));
    hideAll.addEventListener('click', () => this.store.set({ hiddenLabels: [...this.data.labels] }));
    store.watch(['hiddenLabels'], () => this.sync());
  }

  /** Rebuild the rows (new labels or colours). */
  build(palette: readonly string[]): void {
    this.list.replaceChildren();
    const hidden = new Set(this.store.get().hiddenLabels);
    this.data.labels.forEach((name, l) => {
      const row = el('div', { class: 'll-legend-row' });
      const sw = el('span', { class: 'll-swatch', 'aria-hidden': 'true' });
      sw.style.setProperty('background-color', palette[l] ?? '#888');
      const box = custom('vscode-checkbox', { 'data-label': String(l), label: `${name} (${this.data.labelCounts[l].toLocaleString('en-US')})` });
      if (!hidden.has(name)) box.setAttribute('checked', '');
      box.addEventListener('change', () => {
        const now = new Set(this.store.get().hiddenLabels);
        if ((box as HTMLInputElement).checked) now.delete(name); else now.add(name);
        this.store.set({ hiddenLabels: [...now] });
      });
      row.append(sw, box);
      this.list.append(row);
    });
  }

  /** Tick the boxes the store says. */
  private sync(): void {
    const hidden = new Set(this.store.get().hiddenLabels);
    this.list.querySelectorAll('vscode-checkbox').forEach((b) => {
      const name = this.data.labels[Number((b as HTMLElement).dataset.label)];
      const want = !hidden.has(name);
      if ((b as unknown as HTMLInputElement).checked !== want) (b as unknown as HTMLInputElement).checked = want;
    });
  }
}
