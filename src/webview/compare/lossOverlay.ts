/**
 * The loss curves of every compared run in one chart: the training −ELBO per step (smoothed,
 * exponential moving average 0.6, like a run's chart) as a line in the run's colour, and the
 * validation −ELBO at each epoch end as the run's marker. Steps on x; runs of different lengths
 * share the axis.
 */
import * as d3 from 'd3';
import type { RunData } from '../data/runData';
import { el } from '../dom/el';
import { runColor, runSymbol } from './runColors';

const MARGIN = { top: 8, right: 10, bottom: 28, left: 44 };
const HEIGHT = 190;
const SMOOTHING = 0.6;

function smooth(values: number[], a: number): number[] {
  let last = NaN;
  return values.map((v) => (last = Number.isFinite(last) ? a * last + (1 - a) * v : v));
}

export class LossOverlay {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private holder: HTMLElement;
  private runs: readonly RunData[] = [];

  constructor(container: HTMLElement) {
    this.holder = el('div', { class: 'll-chart' });
    container.append(this.holder);
    this.svg = d3.select(this.holder).append('svg')
      .attr('id', 'llc-loss-chart').attr('role', 'img');
    new ResizeObserver(() => this.render()).observe(this.holder);
  }

  setRuns(runs: readonly RunData[]): void {
    this.runs = runs;
    this.render();
  }

  render(): void {
    const runs = this.runs;
    const width = Math.max(200, this.holder.clientWidth || 400);
    this.svg.attr('width', width).attr('height', HEIGHT).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    const series = runs.map((r, k) => ({
      k,
      line: (() => { const sm = smooth(r.steps.map((s) => s.loss), SMOOTHING); return r.steps.map((s, i) => [s.step, sm[i]] as [number, number]); })(),
      val: r.epochs.map((e) => [e.step, e.valNegElbo] as [number, number]),
    }));
    const all = series.flatMap((s) => [...s.line, ...s.val]).filter((p) => Number.isFinite(p[1]));
    const x = d3.scaleLinear().domain([0, Math.max(1, d3.max(all, (p) => p[0]) ?? 1)]).range([MARGIN.left, width - MARGIN.right]);
    const lo = d3.min(all, (p) => p[1]) ?? 0, hi = d3.max(all, (p) => p[1]) ?? 1;
    const y = d3.scaleLinear().domain([Math.min(lo, hi - 1e-3), hi]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-x').data([null]).join('g').attr('class', 'll-axis ll-axis-x')
      .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`).call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 90))));
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-y').data([null]).join('g').attr('class', 'll-axis ll-axis-y')
      .attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(5));
    this.svg.selectAll<SVGTextElement, null>('text.ll-axis-title').data([null]).join('text').attr('class', 'll-axis-title')
      .attr('x', width - MARGIN.right).attr('y', HEIGHT - 2).attr('text-anchor', 'end').text('step');
    const line = d3.line<[number, number]>().defined((p) => Number.isFinite(p[1])).x((p) => x(p[0])).y((p) => y(p[1]));
    this.svg.selectAll<SVGPathElement, (typeof series)[number]>('path.llc-line')
      .data(series, (s) => s.k).join('path')
      .attr('class', 'llc-line').attr('aria-hidden', 'true')
      .attr('stroke', (s) => runColor(s.k)).attr('d', (s) => line(s.line) ?? '');
    const dots = series.flatMap((s) => s.val.map((p) => ({ k: s.k, p })));
    this.svg.selectAll<SVGPathElement, (typeof dots)[number]>('path.llc-val')
      .data(dots).join('path')
      .attr('class', 'llc-val').attr('aria-hidden', 'true')
      .attr('fill', (d) => runColor(d.k)).attr('d', (d) => runSymbol(d.k, 40))
      .attr('transform', (d) => `translate(${x(d.p[0])},${y(d.p[1])})`);
    const text = runs.map((r) => {
      const last = r.epochs[r.epochs.length - 1];
      const step = r.steps[r.steps.length - 1];
      return `${r.title}: ${step ? `last training −ELBO ${step.loss.toFixed(2)} at step ${step.step}` : 'no steps yet'}${last ? `, validation −ELBO ${last.valNegElbo.toFixed(2)} at epoch ${last.epoch}` : ''}`;
    });
    this.svg.attr('aria-label', `Loss curves, runs overlaid. ${text.join('; ')}.`);
  }
}
