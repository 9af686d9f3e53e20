/**
 * The Generators section (issue 15): three views behind a tab list — "Latent traversal",
 * "Interpolation", "Prior samples" — keyboard-reachable (Tab to the list, arrows between tabs,
 * Home/End), only the open one decoding. Redraws when the pins, the generator settings, the
 * decoder or μ change; a click on a KL bar opens that dimension's traversal. `mountGenerators`
 * is the one entry (main.ts).
 */
import type { App } from '../../app';
import { BrowserEncoder } from '../../decode/encoder';
import { el } from '../../dom/el';
import type { GeneratorTab } from '../../store/viewState';
import type { GenTiming } from './genContext';
import { InterpolationView } from './interpolationView';
import { SamplesView } from './samplesView';
import { TraversalView } from './traversalView';

const TABS: { id: GeneratorTab; name: string }[] = [
  { id: 'traversal', name: 'Latent traversal' },
  { id: 'interpolation', name: 'Interpolation' },
  { id: 'samples', name: 'Prior samples' },
];

export class GeneratorsView {
  readonly encoder = new BrowserEncoder();
  readonly timings: GenTiming[] = [];
  readonly views: { traversal: TraversalView; interpolation: InterpolationView; samples: SamplesView };
  private tabs = new Map<GeneratorTab, HTMLElement>();
  private shown: GeneratorTab | null = null;
  /** The render in flight (the test build awaits it). */
  pending: Promise<void> = Promise.resolve();
  private queued = false;

  constructor(private app: App, root: HTMLElement) {
    const ctx = { app, encoder: this.encoder, record: (t: GenTiming) => { this.timings.push(t); if (this.timings.length > 200) this.timings.shift(); } };
    this.views = { traversal: new TraversalView(ctx), interpolation: new InterpolationView(ctx), samples: new SamplesView(ctx) };
    const heading = el('h2', { id: 'll-generators-section-h' }, 'Generators');
    const list = el('div', { class: 'll-gen-tabs', role: 'tablist', 'aria-label': 'Generators' });
    for (const t of TABS) {
      const b = el('button', { type: 'button', role: 'tab', id: `ll-gen-tab-${t.id}`, 'aria-controls': this.views[t.id].root.id, class: 'll-gen-tab' }, t.name);
      b.addEventListener('click', () => this.open(t.id));
      b.addEventListener('keydown', (e) => this.onKey(e, t.id));
      this.tabs.set(t.id, b);
      this.views[t.id].root.setAttribute('aria-labelledby', b.id);
      list.append(b);
    }
    root.append(heading, list, ...TABS.map((t) => this.views[t.id].root));
    app.store.watch(['pinnedRow', 'pinnedRowB', 'probe', 'generators'], () => this.refresh());
    // A KL bar (views/klChart.ts, rect aria-label "Dimension d: …") opens that dimension alone.
    app.ui.klBody.addEventListener('click', (e) => {
      const label = (e.target as Element).closest?.('rect')?.getAttribute('aria-label') ?? '';
      const m = /^Dimension (\d+):/.exec(label);
      if (m) this.app.store.set({ generators: { ...this.app.store.get().generators, tab: 'traversal', dim: Number(m[1]) } });
    });
    this.refresh();
  }

  private open(tab: GeneratorTab): void {
    this.app.store.set({ generators: { ...this.app.store.get().generators, tab } });
    this.tabs.get(tab)?.focus();
  }

  private onKey(e: KeyboardEvent, tab: GeneratorTab): void {
    const i = TABS.findIndex((t) => t.id === tab);
    const to = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length
      : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    this.open(TABS[to].id);
  }

  /** Redraw the open view (coalesced: one render per task, the newest settings). */
  refresh(): void {
    if (this.queued) return;
    this.queued = true;
    this.pending = Promise.resolve().then(() => {
      this.queued = false;
      const tab = this.app.store.get().generators.tab;
      if (tab !== this.shown) {
        for (const t of TABS) {
          const on = t.id === tab;
          this.views[t.id].root.hidden = !on;
          const b = this.tabs.get(t.id)!;
          b.setAttribute('aria-selected', String(on));
          b.tabIndex = on ? 0 : -1;
        }
        if (this.shown === 'interpolation') this.views.interpolation.hide();
        if (this.shown === 'samples') this.views.samples.hide();
        this.shown = tab;
      }
      return this.views[tab].render();
    });
  }

  /** A new encoder from the host (snapshot or decoder update). */
  async loadEncoder(e: Parameters<BrowserEncoder['load']>[0] | null | undefined): Promise<void> {
    if (!e) return;
    await this.encoder.load(e);
    this.refresh();
  }
}

/** Builds the Generators section into `root` (layout.ts made it). */
export function mountGenerators(app: App, root: HTMLElement): GeneratorsView {
  return new GeneratorsView(app, root);
}
