/**
 * The "Colour by" control (issue 15) and its continuous legend: label (default), reconstruction
 * error, KL, mean σ² or any μ dimension. The select writes the store; the legend is a viridis
 * gradient with its domain, named for screen readers. Quantities the run has not written yet
 * are listed but disabled.
 */
import type { App } from '../../app';
import { el } from '../../dom/el';
import { isColorBy, type ColorBy } from '../../store/viewState';
import type { ContinuousScale } from './colorScale';

const FIXED: [ColorBy, string][] = [['label', 'Label'], ['recon', 'Reconstruction error'], ['kl', 'KL'], ['meanVar', 'Mean σ²']];

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function mountColorBy(app: App, into: HTMLElement): { refresh(): void } {
  const wrap = el('span', { class: 'll-control' });
  const select = el('select', { id: 'll-color-by', class: 'll-select', 'aria-label': 'Colour by' });
  wrap.append(el('label', { for: 'll-color-by' }, 'Colour by'), select);
  const legend = el('span', { class: 'll-scale', id: 'll-color-scale', role: 'img', hidden: '' });
  const lo = el('span', { class: 'll-scale-num' });
  const bar = el('canvas', { class: 'll-scale-bar', width: '120', height: '10', 'aria-hidden': 'true' });
  const hi = el('span', { class: 'll-scale-num' });
  legend.append(lo, bar, hi);
  into.append(wrap, legend);

  let dims = -1, hasPer: boolean | null = null;
  const options = () => {
    const D = app.data.latentDim, per = app.data.perImage !== null;
    if (D === dims && per === hasPer) return;
    dims = D; hasPer = per;
    select.replaceChildren();
    for (const [v, t] of FIXED) {
      const o = el('option', { value: v }, t + (v !== 'label' && !per ? ' (not written yet)' : ''));
      if (v !== 'label' && !per) o.disabled = true;
      select.append(o);
    }
    for (let d = 0; d < D; d++) select.append(el('option', { value: `mu:${d}` }, `μ dimension ${d}`));
    select.value = app.store.get().colorBy;
  };
  select.addEventListener('change', () => { if (isColorBy(select.value)) app.store.set({ colorBy: select.value }); });

  const drawScale = (s: ContinuousScale | null) => {
    legend.hidden = !s;
    if (!s) return;
    const c = bar.getContext('2d')!;
    for (let x = 0; x < bar.width; x++) { c.fillStyle = s.css(x / (bar.width - 1)); c.fillRect(x, 0, 1, bar.height); }
    lo.textContent = fmt(s.lo);
    hi.textContent = fmt(s.hi);
    legend.setAttribute('aria-label', `Colour scale: ${s.name}, from ${fmt(s.lo)} (dark purple) to ${fmt(s.hi)} (yellow), viridis`);
  };
  const refresh = () => {
    options();
    const s = app.store.get();
    if (select.value !== s.colorBy) select.value = s.colorBy;
    drawScale(app.adapter.frameFor(s.hiddenLabels, app.themeStamp, s.colorBy, s.selection).scale);
  };
  app.store.watch(['colorBy', 'hiddenLabels'], refresh);
  return { refresh };
}
