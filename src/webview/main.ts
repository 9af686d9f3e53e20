/**
 * The latent-space panel: the webview inside VS Code (LatentPanel) and the standalone report
 * page are this one bundle. It is a pure view of state:
 *  - in VS Code it sends `ready`, receives its RunSnapshot, then incremental events, every
 *    message validated against src/protocol/panelIpc.ts before use;
 *  - in a report the snapshot is embedded in the page (<script type="application/json"
 *    id="ll-snapshot">) and validated the same way.
 * File names and labels come from the user's disk and are always rendered as text.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { WebviewPageConfig } from './html';
import {
  RunSnapshot, decodeBytes, parseToWebviewMessage, type FromWebviewMessage, type ToWebviewMessage,
} from '../protocol/panelIpc';
import { BrowserDecoder } from './decoder';
import { KlChart, type KlSort } from './klChart';
import { LossChart } from './lossChart';
import { PROBE_NEIGHBOURS, PointMap, type Neighbour } from './pointMap';
import { ViewState } from './state';
import { onThemeChange } from './theme';

interface VsCodeApi {
  postMessage(msg: FromWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const host: VsCodeApi | null = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
const params = new URLSearchParams(location.search);

// ───────────── small DOM helpers (text only, never innerHTML with data) ─────────────

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function custom(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function section(id: string, title: string): { root: HTMLElement; body: HTMLElement; heading: HTMLElement } {
  const root = el('section', { id, class: 'll-section', 'aria-labelledby': `${id}-h` });
  const heading = el('h2', { id: `${id}-h` }, title);
  const body = el('div', { class: 'll-section-body' });
  root.append(heading, body);
  return { root, body, heading };
}

// ───────────── layout ─────────────

const state = new ViewState();
const decoder = new BrowserDecoder();
const app = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
app.replaceChildren();

const header = el('header', { class: 'll-header' });
const h1 = el('h1', {}, 'Latent Lens');
const statusLine = el('p', { class: 'll-status', role: 'status', id: 'll-status' });
const toolbar = el('div', { class: 'll-toolbar', role: 'toolbar', 'aria-label': 'Map controls' });
header.append(h1, statusLine, toolbar);

const sizeId = 'll-point-size';
const sizeLabel = el('label', { for: sizeId }, 'Point size');
const sizeInput = el('input', { id: sizeId, type: 'range', min: '1', max: '8', step: '1', value: '3' });
toolbar.append(el('span', { class: 'll-control' }));
toolbar.lastElementChild!.append(sizeLabel, sizeInput);
const reproject = custom('vscode-button', { id: 'll-reproject', secondary: '' }, 'Recompute projection');
if (host) toolbar.append(reproject);
const resetView = custom('vscode-button', { id: 'll-reset-view', secondary: '' }, 'Reset view');
toolbar.append(resetView);
let themeSelect: HTMLElement | null = null;
if (!host) {
  const themeWrap = el('span', { class: 'll-control' });
  const themeLabel = el('label', { id: 'll-theme-label' }, 'Theme');
  themeSelect = custom('vscode-single-select', { id: 'll-theme', 'aria-labelledby': 'll-theme-label' });
  for (const [v, t] of [['light', 'Light'], ['dark', 'Dark'], ['hc', 'High contrast']]) themeSelect.append(custom('vscode-option', { value: v }, t));
  themeWrap.append(themeLabel, themeSelect);
  toolbar.append(themeWrap);
}

const grid = el('main', { class: 'll-grid' });
const mapSec = section('ll-map-section', 'Latent map');
const methodBadge = el('span', { class: 'll-method', id: 'll-method' });
mapSec.heading.append(' ', methodBadge);
const mapWrap = el('div', { class: 'll-map-wrap' });
const mapHelp = el('p', { class: 'll-hint', id: 'll-map-help' },
  'Hover a point to decode it; click to pin it; click empty space to decode a latent vector estimated there. ' +
  'Scroll to zoom, drag to pan. Keyboard: arrows move the cursor, Shift+arrows pan, + and − zoom, 0 resets, ' +
  'N and P step through points, Enter pins or decodes, Escape unpins.');
mapSec.body.append(mapWrap, mapHelp);

const side = el('div', { class: 'll-side' });
const decSec = section('ll-decode-section', 'Decoded image');
const figs = el('div', { class: 'll-figs' });
const origFig = el('figure', { class: 'll-fig' });
const origCanvas = el('canvas', { id: 'll-original', role: 'img', 'aria-label': 'Original: none' });
origFig.append(origCanvas, el('figcaption', {}, 'Original'));
const recFig = el('figure', { class: 'll-fig' });
const recCanvas = el('canvas', { id: 'll-decoded', role: 'img', 'aria-label': 'Decoded: nothing yet' });
recFig.append(recCanvas, el('figcaption', {}, 'Decoded'));
figs.append(origFig, recFig);
const decCaption = el('p', { class: 'll-decode-caption', id: 'll-decode-caption', 'aria-live': 'polite' }, 'Hover a point on the map.');
const decActions = el('div', { class: 'll-actions' });
const unpinBtn = custom('vscode-button', { id: 'll-unpin', secondary: '', disabled: '' }, 'Unpin');
const openBtn = custom('vscode-button', { id: 'll-open', secondary: '', disabled: '' }, 'Open image');
decActions.append(unpinBtn);
if (host) decActions.append(openBtn);
decSec.body.append(figs, decCaption, decActions);

const legSec = section('ll-legend-section', 'Labels');
const legendList = el('div', { class: 'll-legend', role: 'group', 'aria-labelledby': 'll-legend-section-h' });
const legActions = el('div', { class: 'll-actions' });
const showAll = custom('vscode-button', { secondary: '', id: 'll-show-all' }, 'Show all');
const hideAll = custom('vscode-button', { secondary: '', id: 'll-hide-all' }, 'Hide all');
legActions.append(showAll, hideAll);
legSec.body.append(legendList, legActions);
side.append(decSec.root, legSec.root);

const klSec = section('ll-kl-section', 'KL divergence per latent dimension');
const klControls = el('div', { class: 'll-toolbar' });
const sortLabel = el('label', { id: 'll-kl-sort-label' }, 'Sort bars');
const sortSelect = custom('vscode-single-select', { id: 'll-kl-sort', 'aria-labelledby': 'll-kl-sort-label' });
for (const [v, t] of [['dimension', 'By dimension'], ['kl-desc', 'By KL, largest first'], ['kl-asc', 'By KL, smallest first']]) sortSelect.append(custom('vscode-option', { value: v }, t));
klControls.append(el('span', { class: 'll-control' }));
klControls.lastElementChild!.append(sortLabel, sortSelect);
klSec.body.append(klControls);

const lossSec = section('ll-loss-section', 'Loss');
const lossControls = el('div', { class: 'll-toolbar' });
const smoothId = 'll-smoothing';
const smoothLabel = el('label', { for: smoothId }, 'Smoothing');
const smoothInput = el('input', { id: smoothId, type: 'range', min: '0', max: '0.99', step: '0.01', value: '0.6' });
const smoothValue = el('output', { for: smoothId }, '0.60');
const logBox = custom('vscode-checkbox', { id: 'll-log-scale', label: 'Log scale' });
lossControls.append(el('span', { class: 'll-control' }), logBox);
lossControls.firstElementChild!.append(smoothLabel, smoothInput, smoothValue);
const lossLegend = el('p', { class: 'll-loss-legend', 'aria-hidden': 'true' });
for (const [cls, name] of [['ll-key-total', 'total'], ['ll-key-recon', 'reconstruction'], ['ll-key-kl', 'KL'], ['ll-key-val', 'validation −ELBO (per epoch)']]) {
  const k = el('span', { class: `ll-key ${cls}` });
  lossLegend.append(k, el('span', {}, name));
}
lossSec.body.append(lossControls, lossLegend);

grid.append(mapSec.root, side, klSec.root, lossSec.root);
const announcer = el('div', { class: 'll-sr-only', 'aria-live': 'polite', id: 'll-announce' });
app.append(header, grid, announcer);

// ───────────── views ─────────────

const perf = { decodeMs: [] as number[], decodeComputeMs: [] as number[], receiveMs: {} as Record<string, number[]> };
let pendingDecodeStart = 0;

const map = new PointMap(mapWrap, state, {
  onHover(i) {
    if (i === null) {
      showSelection();
      return;
    }
    announce(`${state.files[i]}, ${state.labels[state.labelIndex[i]] ?? ''}`);
    requestDecode({ kind: 'point', index: i, mode: 'hover' });
  },
  onClickPoint(i) {
    unpinBtn.removeAttribute('disabled');
    openBtn.removeAttribute('disabled');
    requestDecode({ kind: 'point', index: i, mode: 'pinned' });
  },
  onClickEmpty(x, y, neighbours) {
    unpinBtn.removeAttribute('disabled');
    openBtn.setAttribute('disabled', '');
    requestDecode({ kind: 'probe', x, y, neighbours, mode: 'pinned' });
  },
  onUnpin() {
    unpinBtn.setAttribute('disabled', '');
    openBtn.setAttribute('disabled', '');
    showSelection();
  },
});
const kl = new KlChart(klSec.body, state);
const loss = new LossChart(lossSec.body, state);

function announce(text: string): void {
  announcer.textContent = text;
}

// ───────────── decoding ─────────────

type DecodeRequest =
  | { kind: 'point'; index: number; mode: 'hover' | 'pinned' }
  | { kind: 'probe'; x: number; y: number; neighbours: Neighbour[]; mode: 'pinned' };

let wanted: DecodeRequest | null = null;
let decodeScheduled = false;
const channel = new MessageChannel();
channel.port1.onmessage = () => runDecode();

/**
 * Decode in a task of its own, right after the hover handler (which has already drawn the
 * highlight and tooltip); requests that arrive meanwhile replace each other, so only the
 * latest runs.
 */
function requestDecode(r: DecodeRequest): void {
  wanted = r;
  pendingDecodeStart = performance.now();
  if (r.kind === 'point') drawOriginal(r.index);
  else clearCanvas(origCanvas, 'Original: none (decoded from an empty spot of the map)');
  if (decodeScheduled) return;
  decodeScheduled = true;
  channel.port2.postMessage(0);
}

/** z for a spot of the map: inverse-distance-weighted mean of the k nearest points' μ. */
export function estimateZ(neighbours: Neighbour[]): Float32Array | null {
  const mu = state.mu, D = state.latentDim;
  if (!mu || !neighbours.length) return null;
  const z = new Float32Array(D);
  const eps = 1e-9;
  let wsum = 0;
  for (const n of neighbours) {
    const w = 1 / (n.dist * n.dist + eps);
    wsum += w;
    for (let d = 0; d < D; d++) z[d] += w * mu[n.index * D + d];
  }
  for (let d = 0; d < D; d++) z[d] /= wsum;
  return z;
}

function runDecode(): void {
  decodeScheduled = false;
  const r = wanted;
  if (!r) return;
  const t0 = performance.now();
  const mu = state.mu, D = state.latentDim;
  let z: Float32Array | null = null;
  let key: string | undefined;
  if (r.kind === 'point' && mu) {
    z = mu.subarray(r.index * D, r.index * D + D);
    key = `${state.latentsVersion}:${r.index}`;
  } else if (r.kind === 'probe') {
    z = estimateZ(r.neighbours);
  }
  const label = r.kind === 'point' ? state.labels[state.labelIndex[r.index]] ?? '' : '';
  if (!z) {
    clearCanvas(recCanvas, 'Decoded: unavailable (no latents in this run yet)');
    decCaption.textContent = 'No latent vectors yet: the run has not finished an epoch.';
    return;
  }
  if (!decoder.ready) {
    clearCanvas(recCanvas, 'Decoded: unavailable (no decoder yet)');
    decCaption.textContent = decoder.error ? `Decoder failed to load: ${decoder.error}` : 'The decoder has not been saved yet.';
    return;
  }
  const img = decoder.decode(z, key);
  perf.decodeComputeMs.push(performance.now() - t0);
  if (!img || !state.images && !state.config) return;
  const h = state.images?.height ?? state.config!.model.imageHeight;
  const w = state.images?.width ?? state.config!.model.imageWidth;
  const c = state.images?.channels ?? state.config!.model.channels;
  if (r.kind === 'point') {
    const file = state.files[r.index] ?? '';
    drawFloatImage(recCanvas, img, h, w, c, `Decoded reconstruction of ${file} (label ${label}), from its μ`);
    decCaption.textContent = `${r.mode === 'pinned' ? 'Pinned' : 'Hovered'}: ${file} · ${label}${state.split[r.index] ? ' · validation' : ''}`;
  } else {
    const k = r.neighbours.length;
    drawFloatImage(recCanvas, img, h, w, c, `Decoded latent vector estimated at map position (${r.x.toFixed(2)}, ${r.y.toFixed(2)}) from the ${k} nearest points`);
    const labs = [...new Set(r.neighbours.map((n) => state.labels[state.labelIndex[n.index]]))].slice(0, 3).join(', ');
    decCaption.textContent = `Empty spot (${r.x.toFixed(2)}, ${r.y.toFixed(2)}): z = inverse-distance-weighted mean (weights 1/d²) of the μ of the ${k} nearest points on the map (${labs}).`;
  }
  perf.decodeMs.push(performance.now() - pendingDecodeStart);
}

/** Back to the pinned point / probe (or nothing) when the pointer leaves the points. */
function showSelection(): void {
  if (map.pinned !== null) requestDecode({ kind: 'point', index: map.pinned, mode: 'pinned' });
  else if (map.probe) requestDecode({ kind: 'probe', x: map.probe.x, y: map.probe.y, neighbours: map.nearest(map.probe.x, map.probe.y, PROBE_NEIGHBOURS), mode: 'pinned' });
}

function clearCanvas(cv: HTMLCanvasElement, name: string): void {
  cv.getContext('2d')?.clearRect(0, 0, cv.width, cv.height);
  cv.setAttribute('aria-label', name);
}

function drawFloatImage(cv: HTMLCanvasElement, px: Float32Array, h: number, w: number, c: number, name: string): void {
  if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
  const ctx = cv.getContext('2d')!;
  const im = ctx.createImageData(w, h);
  const d = im.data;
  for (let p = 0; p < h * w; p++) {
    const r = px[p * c], g = c === 3 ? px[p * c + 1] : r, b = c === 3 ? px[p * c + 2] : r;
    d[4 * p] = r * 255; d[4 * p + 1] = g * 255; d[4 * p + 2] = b * 255; d[4 * p + 3] = 255;
  }
  ctx.putImageData(im, 0, 0);
  cv.setAttribute('aria-label', name);
}

function drawOriginal(i: number): void {
  const im = state.images;
  if (!im) { clearCanvas(origCanvas, 'Original: not included in this run'); return; }
  const { height: h, width: w, channels: c } = im;
  if (origCanvas.width !== w || origCanvas.height !== h) { origCanvas.width = w; origCanvas.height = h; }
  const ctx = origCanvas.getContext('2d')!;
  const out = ctx.createImageData(w, h);
  const off = i * h * w * c, src = im.pixels, d = out.data;
  for (let p = 0; p < h * w; p++) {
    const r = src[off + p * c], g = c === 3 ? src[off + p * c + 1] : r, b = c === 3 ? src[off + p * c + 2] : r;
    d[4 * p] = r; d[4 * p + 1] = g; d[4 * p + 2] = b; d[4 * p + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
  origCanvas.setAttribute('aria-label', `Original: ${state.files[i] ?? ''}`);
}

// ───────────── legend ─────────────

function buildLegend(): void {
  legendList.replaceChildren();
  state.labels.forEach((name, l) => {
    const row = el('div', { class: 'll-legend-row' });
    const sw = el('span', { class: 'll-swatch', 'aria-hidden': 'true' });
    sw.style.setProperty('background-color', map.palette[l] ?? '#888');
    const box = custom('vscode-checkbox', { 'data-label': String(l), label: `${name} (${state.labelCounts[l].toLocaleString('en-US')})` });
    if (state.visible[l]) box.setAttribute('checked', '');
    box.addEventListener('change', () => {
      state.visible[l] = (box as HTMLInputElement).checked;
      map.setVisibility();
    });
    row.append(sw, box);
    legendList.append(row);
  });
}

function setAllVisible(v: boolean): void {
  state.visible = state.visible.map(() => v);
  legendList.querySelectorAll('vscode-checkbox').forEach((b) => { (b as unknown as HTMLInputElement).checked = v; });
  map.setVisibility();
}

// ───────────── header ─────────────

function renderHeader(): void {
  h1.textContent = `Latent Lens — ${state.title}`;
  document.title = `Latent Lens — ${state.title}`;
  const s = state.status;
  const parts: string[] = [];
  if (s) {
    parts.push(s.status[0].toUpperCase() + s.status.slice(1));
    parts.push(`epoch ${s.epoch}${s.epochs ? ` of ${s.epochs}` : ''}`);
    parts.push(`step ${s.step}`);
    if (s.backend) parts.push(`backend ${s.backend}`);
    if (s.message) parts.push(s.message);
  }
  parts.push(`${state.count.toLocaleString('en-US')} of ${state.totalCount.toLocaleString('en-US')} images shown`);
  if (decoder.ready) parts.push(`decoder from step ${decoder.step} (${decoder.backend})`);
  statusLine.textContent = parts.join(' · ');
  methodBadge.textContent = state.method === 'none' ? '(no projection yet)' : `(${state.method.toUpperCase()}${state.localProjection ? ' of μ, computed here' : ''}, epoch ${state.projectionEpoch})`;
}

// ───────────── state updates ─────────────

async function applySnapshot(s: RunSnapshot): Promise<void> {
  state.applySnapshot(s);
  map.setData(false);
  buildLegend();
  kl.render();
  loss.render();
  renderHeader();
  if (s.decoder) {
    await decoder.load(s.decoder);
    renderHeader();
    showSelection();
  }
}

async function handle(msg: ToWebviewMessage): Promise<void> {
  switch (msg.type) {
    case 'snapshot':
      await applySnapshot(msg.snapshot);
      break;
    case 'metrics':
      state.applySteps(msg.steps);
      loss.scheduleRender();
      kl.scheduleRender();
      break;
    case 'epoch':
      state.applyEpoch(msg.metrics);
      loss.scheduleRender();
      kl.render();
      break;
    case 'latents':
      state.applyLatents(msg.latents);
      if (state.localProjection) map.setData();
      kl.render();
      showSelection();
      break;
    case 'projection':
      if (state.applyProjection(msg.projection)) map.setData();
      renderHeader();
      break;
    case 'decoder':
      await decoder.load(msg.decoder);
      renderHeader();
      showSelection();
      break;
    case 'status':
      state.status = msg.status;
      renderHeader();
      break;
    case 'error':
      announce(msg.message);
      statusLine.textContent = `Error: ${msg.message}`;
      break;
  }
}

// ───────────── controls ─────────────

sizeInput.addEventListener('input', () => map.setPointSize(Number(sizeInput.value)));
smoothInput.addEventListener('input', () => {
  loss.smoothing = Number(smoothInput.value);
  smoothValue.textContent = loss.smoothing.toFixed(2);
  loss.scheduleRender();
});
logBox.addEventListener('change', () => {
  loss.logScale = (logBox as HTMLInputElement).checked;
  loss.scheduleRender();
});
sortSelect.addEventListener('change', () => kl.setSort((sortSelect as HTMLInputElement).value as KlSort));
resetView.addEventListener('click', () => map.resetView());
unpinBtn.addEventListener('click', () => map.unpin());
showAll.addEventListener('click', () => setAllVisible(true));
hideAll.addEventListener('click', () => setAllVisible(false));
let nextMessageId = 1;
reproject.addEventListener('click', () => host?.postMessage({ type: 'requestProjection', messageId: nextMessageId++ }));
openBtn.addEventListener('click', () => {
  if (map.pinned !== null) host?.postMessage({ type: 'openFile', index: state.index[map.pinned] });
});

function applyTheme(t: string): void {
  const cls = document.body.classList;
  cls.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
  cls.add(t === 'dark' ? 'vscode-dark' : t === 'hc' ? 'vscode-high-contrast' : 'vscode-light');
}
if (themeSelect) {
  const initial = params.get('theme') ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  applyTheme(initial);
  (themeSelect as HTMLInputElement).value = initial;
  themeSelect.addEventListener('change', () => applyTheme((themeSelect as HTMLInputElement).value));
}
onThemeChange(() => {
  map.setTheme();
  map.setData();
  buildLegend();
  kl.render();
  loss.render();
});

// ───────────── start ─────────────

declare global {
  interface Window {
    latentLens: unknown;
  }
}
/** Validate and apply one host → webview message (the host's path; also used by the benchmark). */
async function receive(data: unknown): Promise<void> {
  const t0 = performance.now();
  const msg = parseToWebviewMessage(data);
  await handle(msg);
  (perf.receiveMs[msg.type] ??= []).push(performance.now() - t0);
}
window.latentLens = { state, map, decoder, perf, kl, loss, receive, estimateZ };

/** Page settings (src/webview/html.ts): where the wasm binaries are. */
function readPageConfig(): WebviewPageConfig {
  try {
    const block = document.getElementById('ll-config')?.textContent;
    if (block) return JSON.parse(block) as WebviewPageConfig;
  } catch {
    /* fall through: decode on the cpu backend */
  }
  return {};
}

function wasmUrls(cfg: WebviewPageConfig): { simd: string; plain: string } | undefined {
  const w = cfg.wasm;
  if (!w || typeof w.simd !== 'string' || typeof w.plain !== 'string') return undefined;
  if (!w.inline) return { simd: w.simd, plain: w.plain };
  // Report: the binaries are inlined as base64; hand them to tfjs as blob: URLs.
  const url = (b64: string) => URL.createObjectURL(new Blob([decodeBytes(b64).buffer as ArrayBuffer], { type: 'application/wasm' }));
  return { simd: url(w.simd), plain: url(w.plain) };
}

async function start(): Promise<void> {
  await decoder.init(params.get('backend') ?? 'auto', wasmUrls(readPageConfig()));
  if (host) {
    window.addEventListener('message', (e: MessageEvent) => {
      let msg: ToWebviewMessage;
      try {
        msg = parseToWebviewMessage(e.data);
      } catch (err) {
        host.postMessage({ type: 'log', level: 'warn', message: `Invalid message from host: ${err instanceof Error ? err.message.slice(0, 500) : String(err)}` });
        return;
      }
      handle(msg).catch((err) => host.postMessage({ type: 'log', level: 'error', message: String(err) }));
    });
    host.postMessage({ type: 'ready', messageId: nextMessageId++ });
  } else {
    const embedded = document.getElementById('ll-snapshot');
    if (!embedded?.textContent) {
      statusLine.textContent = 'No run data in this page.';
      return;
    }
    const parsed = RunSnapshot.safeParse(JSON.parse(embedded.textContent));
    if (!parsed.success) {
      statusLine.textContent = `Invalid run data: ${parsed.error.message.slice(0, 300)}`;
      return;
    }
    await applySnapshot(parsed.data);
  }
  document.body.dataset.ready = 'true';
}

start().catch((err) => {
  statusLine.textContent = `Failed to start: ${err instanceof Error ? err.message : String(err)}`;
});
