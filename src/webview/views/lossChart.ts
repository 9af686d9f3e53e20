/**
 * Loss curves: reconstruction, KL and total loss per step (exponentially smoothed like
 * TensorBoard, with the raw values faint behind and exact on hover) and the validation
 * negative ELBO per epoch. D3 on SVG; redrawn at most once per animation frame. Smoothing and
 * the log scale are the store's (set by the controls, restored after a reload).
 */
import * as d3 from 'd3';
import type { RunData } from '../data/runData';
import type { ChangeLine } from '../../protocol/runFormat';

const PARAM_NAMES: Record<ChangeLine['changes'][number]['param'], string> = { beta: 'β', learningRate: 'lr', klWarmupSteps: 'KL warm-up', freeBits: 'free bits' };
/** "β 1 → 4" (a loss-chart mark's label, issue 10). */
export function changeLabel(c: ChangeLine): string {
  return c.changes.map((d) => `${PARAM_NAMES[d.param]} ${d.from} → ${d.to}`).join(', ');
}

const MARGIN = { top: 10, right: 12, bottom: 28, left: 52 };
const HEIGHT = 220;

interface Series {
  key: 'loss' | 'recon' | 'kl';
  name: string;
  cls: string;
}
const SERIES: Series[] = [
  { key: 'loss', name: 'Total loss', cls: 'll-line-total' },
  { key: 'recon', name: 'Reconstruction', cls: 'll-line-recon' },
  { key: 'kl', name: 'KL', cls: 'll-line-kl' },
];

/** TensorBoard's debiased exponential moving average. */
export function smooth(values: number[], weight: number): number[] {
  let last = 0, n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n++;
    return last / (1 - Math.pow(weight, n));
  });
}

export class LossChart {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readout: HTMLElement;
  smoothing = 0.6;
  logScale = false;
  private frame = 0;
  /** Live hyperparameter changes (issue 10), drawn as vertical marks. */
  private changes: ChangeLine[] = [];
  setChanges(changes: ChangeLine[]): void { this.changes = changes.slice(); this.scheduleRender(); }
  addChange(change: ChangeLine): void { this.changes.push(change); this.scheduleRender(); }

  constructor(container: HTMLElement, private state: RunData) {
    const holder = document.createElement('div');
    holder.className = 'll-chart';
    this.readout = document.createElement('p');
    this.readout.className = 'll-readout';
    this.readout.setAttribute('aria-live', 'polite');
    container.append(holder, this.readout);
    this.svg = d3.select(holder).append('svg').attr('id', 'll-loss-chart').attr('role', 'img');
    this.svg.on('pointermove', (e: PointerEvent) => this.hover(d3.pointer(e)[0]));
    this.svg.on('pointerleave', () => this.hover(null));
    new ResizeObserver(() => this.render()).observe(holder);
  }

  scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  private x = d3.scaleLinear();
  private y: d3.ScaleContinuousNumeric<number, number> = d3.scaleLinear();

  render(): void {
    const steps = this.state.steps, epochs = this.state.epochs;
    const holder = this.svg.node()!.parentElement!;
    const width = Math.max(200, holder.clientWidth || 400);
    this.svg.attr('width', width).attr('height', HEIGHT).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    const last = steps[steps.length - 1];
    const lastE = epochs[epochs.length - 1];
    this.svg.attr('aria-label', (steps.length
      ? `Loss curves over ${steps.length} logged steps. Latest at step ${last.step}: total ${last.loss.toFixed(2)}, reconstruction ${last.recon.toFixed(2)}, KL ${last.kl.toFixed(2)}` +
        (lastE ? `; validation negative ELBO ${lastE.valNegElbo.toFixed(2)} at epoch ${lastE.epoch}.` : '.')
      : 'Loss curves: no steps logged yet.') +
      (this.changes.length ? ` Changes: ${this.changes.map((c) => `${changeLabel(c)} at step ${c.step}`).join('; ')}.` : ''));
    const xs = steps.map((s) => s.step).concat(epochs.map((e) => e.step));
    const maxStep = Math.max(1, d3.max(xs) ?? 1);
    this.x = d3.scaleLinear().domain([d3.min(xs) ?? 0, maxStep]).range([MARGIN.left, width - MARGIN.right]);
    const all = steps.flatMap((s) => [s.loss, s.recon, s.kl]).concat(epochs.map((e) => e.valNegElbo)).filter((v) => Number.isFinite(v));
    const lo = Math.max(1e-3, d3.min(all.filter((v) => v > 0)) ?? 1e-3), hi = Math.max(1, d3.max(all) ?? 1);
    this.y = this.logScale
      ? d3.scaleLog().domain([lo, hi]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]).clamp(true)
      : d3.scaleLinear().domain([Math.min(0, d3.min(all) ?? 0), hi]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const x = this.x, y = this.y;

    this.svg.selectAll<SVGGElement, null>('g.ll-axis-x').data([null]).join('g').attr('class', 'll-axis ll-axis-x')
      .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`).call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))));
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-y').data([null]).join('g').attr('class', 'll-axis ll-axis-y')
      .attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(5, this.logScale ? '~s' : undefined));
    this.svg.selectAll<SVGTextElement, null>('text.ll-axis-title').data([null]).join('text').attr('class', 'll-axis-title')
      .attr('x', width - MARGIN.right).attr('y', HEIGHT - 2).attr('text-anchor', 'end').text('step');

    const line = d3.line<[number, number]>().defined((d) => Number.isFinite(d[1]) && (!this.logScale || d[1] > 0)).x((d) => x(d[0])).y((d) => y(d[1]));
    const data = SERIES.flatMap((s) => {
      const raw = steps.map((m) => m[s.key]);
      const sm = smooth(raw, this.smoothing);
      return [
        { id: `${s.key}-raw`, cls: `${s.cls} ll-line-raw`, pts: steps.map((m, i) => [m.step, raw[i]] as [number, number]) },
        { id: `${s.key}-smooth`, cls: s.cls, pts: steps.map((m, i) => [m.step, sm[i]] as [number, number]) },
      ];
    });
    data.push({ id: 'val', cls: 'll-line-val', pts: epochs.map((e) => [e.step, e.valNegElbo] as [number, number]) });
    this.svg.selectAll<SVGPathElement, (typeof data)[number]>('path.ll-line')
      .data(data, (d) => d.id)
      .join('path')
      .attr('class', (d) => `ll-line ${d.cls}`)
      .attr('aria-hidden', 'true')
      .attr('d', (d) => line(d.pts) ?? '');
    this.svg.selectAll<SVGCircleElement, (typeof epochs)[number]>('circle.ll-val-dot')
      .data(epochs, (e) => e.epoch)
      .join('circle')
      .attr('class', 'll-val-dot')
      .attr('aria-hidden', 'true')
      .attr('r', 3.5)
      .attr('cx', (e) => x(e.step))
      .attr('cy', (e) => y(e.valNegElbo));
    // Live hyperparameter changes (issue 10): a dashed rule and its label at each change step.
    const marks = this.svg.selectAll<SVGGElement, ChangeLine>('g.ll-change-mark').data(this.changes, (c) => `${c.step}-${c.time}`).join((enter) => {
      const g = enter.append('g').attr('class', 'll-change-mark');
      g.append('title');
      g.append('line').attr('stroke', 'var(--vscode-editorWarning-foreground, #c80)').attr('stroke-dasharray', '3 3');
      g.append('text').attr('font-size', 10).attr('fill', 'var(--vscode-foreground)').attr('dx', 3);
      return g;
    });
    marks.select('title').text((c) => `${changeLabel(c)} at step ${c.step}`);
    marks.select('line').attr('x1', (c) => x(c.step)).attr('x2', (c) => x(c.step)).attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom);
    marks.select('text').attr('x', (c) => x(c.step)).attr('y', (_c, i) => MARGIN.top + 10 + (i % 3) * 11).text((c) => changeLabel(c));
    this.svg.selectAll('line.ll-hover-rule').data([null]).join('line').attr('class', 'll-hover-rule')
      .attr('y1', MARGIN.top).attr('y2', HEIGHT - MARGIN.bottom).attr('visibility', 'hidden');
  }

  private hover(px: number | null): void {
    const rule = this.svg.select('line.ll-hover-rule');
    const steps = this.state.steps;
    if (px === null || !steps.length) {
      rule.attr('visibility', 'hidden');
      return;
    }
    const stepAt = this.x.invert(px);
    const i = Math.min(steps.length - 1, d3.bisector((s: { step: number }) => s.step).center(steps, stepAt));
    const s = steps[i];
    rule.attr('visibility', 'visible').attr('x1', this.x(s.step)).attr('x2', this.x(s.step));
    const e = this.state.epochs.find((ep) => ep.epoch === s.epoch);
    this.readout.textContent = `Step ${s.step} (epoch ${s.epoch}), raw: total ${s.loss.toFixed(3)}, reconstruction ${s.recon.toFixed(3)}, KL ${s.kl.toFixed(3)}, KL weight ${s.klWeight.toFixed(2)}` +
      (e ? ` · validation −ELBO at epoch ${e.epoch}: ${e.valNegElbo.toFixed(3)}` : '');
  }
}
