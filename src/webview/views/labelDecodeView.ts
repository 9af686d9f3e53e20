/**
 * "Decode as label", shown for a conditional model only: the pinned point's z decoded with every
 * label the model was trained with (one row, each image named "Decoded as <label>"), and prior
 * samples z ~ N(0, I) decoded with a label chosen in a picker (the panel's twin of
 * `latent-lens samples <runDir> --label <name>`). Colours are VS Code theme variables, set
 * through the CSSOM (allowed by the webview's content security policy).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { mulberry32 } from '../../shared/random';
import type { RunData } from '../data/runData';
import type { BrowserDecoder } from '../decode/decoder';
import { clearCanvas, drawFloatImage } from '../decode/images';
import { custom, el } from '../dom/el';
import type { Store } from '../store/store';
import type { ViewState } from '../store/viewState';

/** Prior samples shown per draw. */
export const PRIOR_SAMPLES = 8;

/** The conditional model's labels (one-hot order), or [] for an unconditional model. */
export function modelLabels(data: RunData): string[] {
  const m = data.config?.model;
  return m?.conditional ? m.labels ?? [] : [];
}

/** The model's label index of point `i` (its dataset label mapped by name), or undefined. */
export function modelLabelOf(data: RunData, i: number): number | undefined {
  const labels = modelLabels(data);
  if (!labels.length) return undefined;
  const k = labels.indexOf(data.labels[data.labelIndex[i]] ?? '');
  return k < 0 ? undefined : k;
}

/** Standard normal samples (Box–Muller) from a seeded generator. */
function normals(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

type Valued = HTMLElement & { value: string };

function styleCanvas(cv: HTMLCanvasElement, px: number): void {
  Object.assign(cv.style, {
    width: `${px}px`, height: `${px}px`, imageRendering: 'pixelated', display: 'block',
    background: 'var(--vscode-editor-background)',
    border: '1px solid var(--vscode-widget-border, var(--vscode-editorWidget-border, #888))',
  });
}

function row(): HTMLElement {
  const r = el('div', { class: 'll-label-row', role: 'group' });
  Object.assign(r.style, { display: 'flex', flexWrap: 'wrap', gap: '4px', margin: '4px 0' });
  return r;
}

export class LabelDecodeView {
  private readonly caption = el('p', { class: 'll-hint', id: 'll-label-caption', 'aria-live': 'polite' });
  private readonly pinnedRow = row();
  private readonly picker = custom('vscode-single-select', { id: 'll-sample-label', 'aria-labelledby': 'll-sample-label-name' }) as Valued;
  private readonly sampleRow = row();
  private readonly sampleCaption = el('p', { class: 'll-hint' });
  private labelsShown = '';
  private sampleSeed = 1;

  constructor(
    private data: RunData,
    private decoder: BrowserDecoder,
    private store: Store<ViewState>,
    private ui: { root: HTMLElement; body: HTMLElement },
  ) {
    this.pinnedRow.setAttribute('aria-label', 'The pinned point decoded with every label');
    this.sampleRow.setAttribute('aria-label', 'Prior samples decoded with the chosen label');
    const pickerWrap = el('span', { class: 'll-control' });
    pickerWrap.append(el('label', { id: 'll-sample-label-name' }, 'Prior samples as'), this.picker);
    const again = custom('vscode-button', { id: 'll-new-samples', secondary: '' }, 'New samples');
    const controls = el('div', { class: 'll-toolbar' });
    controls.append(pickerWrap, again);
    this.ui.body.append(this.caption, this.pinnedRow, controls, this.sampleRow, this.sampleCaption);
    this.picker.addEventListener('change', () => this.renderSamples());
    again.addEventListener('click', () => { this.sampleSeed++; this.renderSamples(); });
    store.watch(['pinnedRow'], () => this.renderPinned());
    decoder.onLoad.add(() => this.render());
    this.render();
  }

  /** Show or hide the section for the run's model, then draw both rows. */
  render(): void {
    const labels = modelLabels(this.data);
    const usable = labels.length > 0 && this.decoder.labelCount === labels.length;
    this.ui.root.hidden = !usable;
    if (!usable) return;
    const key = JSON.stringify(labels);
    if (key !== this.labelsShown) {
      this.labelsShown = key;
      const previous = this.picker.value;
      this.picker.replaceChildren(...labels.map((l) => custom('vscode-option', { value: l }, l)));
      this.picker.value = labels.includes(previous) ? previous : labels[0];
      this.pinnedRow.replaceChildren(...labels.map((l) => this.figure(l, 'Decoded as')));
    }
    this.renderPinned();
    this.renderSamples();
  }

  private figure(label: string, prefix: string): HTMLElement {
    const fig = el('figure', { class: 'll-fig' });
    Object.assign(fig.style, { margin: '0', textAlign: 'center', maxWidth: '56px' });
    const cv = el('canvas', { role: 'img', 'aria-label': `${prefix} ${label}` });
    styleCanvas(cv, 52);
    const cap = el('figcaption', {}, label);
    Object.assign(cap.style, { fontSize: '0.85em', color: 'var(--vscode-descriptionForeground)', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' });
    fig.append(cv, cap);
    return fig;
  }

  private shape(): [number, number, number] {
    const im = this.data.images, m = this.data.config?.model;
    return [im?.height ?? m?.imageHeight ?? 28, im?.width ?? m?.imageWidth ?? 28, im?.channels ?? m?.channels ?? 1];
  }

  /** The pinned point's μ decoded with each label in turn. */
  private renderPinned(): void {
    const labels = modelLabels(this.data);
    if (this.ui.root.hidden || !labels.length) return;
    const pinnedRow = this.store.get().pinnedRow;
    const i = pinnedRow === null ? null : this.data.rowToPoint(pinnedRow);
    const mu = this.data.mu, D = this.data.latentDim;
    const canvases = [...this.pinnedRow.querySelectorAll('canvas')];
    if (i === null || !mu) {
      canvases.forEach((cv, k) => clearCanvas(cv, `Decoded as ${labels[k]}: nothing pinned`));
      this.caption.textContent = 'Pin a point on the map to decode its z with every label.';
      return;
    }
    const z = mu.subarray(i * D, i * D + D);
    const [h, w, c] = this.shape();
    labels.forEach((l, k) => {
      const img = this.decoder.decode(z, `${this.data.latentsVersion}:${i}`, k);
      if (img && canvases[k]) drawFloatImage(canvases[k], img, h, w, c, `Decoded as ${l}`);
    });
    const own = this.data.labels[this.data.labelIndex[i]] ?? '';
    this.caption.textContent = `The μ of ${this.data.files[i] ?? 'the pinned point'} (label ${own}) decoded with every label:`;
  }

  /** PRIOR_SAMPLES draws z ~ N(0, I) decoded with the picked label. */
  private renderSamples(): void {
    const labels = modelLabels(this.data);
    if (this.ui.root.hidden || !labels.length) return;
    const label = labels.includes(this.picker.value) ? this.picker.value : labels[0];
    const k = labels.indexOf(label);
    const D = this.decoder.latentDim;
    const [h, w, c] = this.shape();
    const z = normals(PRIOR_SAMPLES * D, this.sampleSeed * 7919);
    const figs: HTMLElement[] = [];
    for (let s = 0; s < PRIOR_SAMPLES; s++) {
      const fig = this.figure(label, `Prior sample ${s + 1} decoded as`);
      const cv = fig.querySelector('canvas')!;
      const img = this.decoder.decode(z.subarray(s * D, s * D + D), `prior:${this.sampleSeed}:${s}`, k);
      if (img) drawFloatImage(cv, img, h, w, c, `Prior sample ${s + 1} decoded as ${label}`);
      fig.querySelector('figcaption')!.remove();
      figs.push(fig);
    }
    this.sampleRow.replaceChildren(...figs);
    this.sampleCaption.textContent = `${PRIOR_SAMPLES} prior samples z ~ N(0, I) decoded as ${label} (CLI: latent-lens samples <run> --label ${JSON.stringify(label)}).`;
  }
}
