/**
 * KL per latent dimension of every compared run in one chart: grouped bars (one per run, in the
 * run's colour, with its marker on top so colour is not the only cue), a summary line per run
 * (total KL, active units) as text for screen readers and for reading off.
 */
import * as d3 from 'd3';
import type { RunData } from '../data/runData';
import { el } from '../dom/el';
import { runColor, runSymbol } from './runColors';

const MARGIN = { top: 10, right: 8, bottom: 28, left: 40 };
const HEIGHT = 170;

export class KlOverlay {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private summary: HTMLElement;
  private holder: HTMLElement;
  private runs: readonly RunData[] = [];

  constructor(container: HTMLElement) {
    this.summary = el('ul', { class: 'llc-summary', id: 'llc-kl-summary' });
    this.holder = el('div', { class: 'll-chart' });
    container.append(this.holder, this.summary);
    this.svg = d3.select(this.holder).append('svg')
      .attr('id', 'llc-kl-chart').attr('role', 'img')
      .attr('aria-label', 'KL divergence per latent dimension, runs overlaid');
    new ResizeObserver(() => this.render()).observe(this.holder);
  }

  setRuns(runs: readonly RunData[]): void {
    this.runs = runs;
    this.render();
  }

  render(): void {
    const runs = this.runs;
    const D = Math.max(0, ...runs.map((r) => r.klPerDim.length));
    const width = Math.max(200, this.holder.clientWidth || 400);
    this.svg.attr('width', width).attr('height', HEIGHT).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    const dims = d3.range(D);
    const x = d3.scaleBand<number>().domain(dims).range([MARGIN.left, width - MARGIN.right]).paddingInner(0.2);
    const inner = d3.scaleBand<number>().domain(d3.range(runs.length)).range([0, x.bandwidth()]).padding(0.05);
    const hi = d3.max(runs.flatMap((r) => r.klPerDim)) ?? 1;
    const y = d3.scaleLinear().domain([0, Math.max(hi, 1e-3)]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);
    const every = Math.max(1, Math.ceil(D / Math.max(1, Math.floor(width / 28))));
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-x').data([null]).join('g').attr('class', 'll-axis ll-axis-x')
      .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).tickValues(dims.filter((d) => d % every === 0)).tickFormat((d) => `z${d}`));
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-y').data([null]).join('g').attr('class', 'll-axis ll-axis-y')
      .attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(4));
    this.svg.selectAll<SVGTextElement, null>('text.ll-axis-title').data([null]).join('text').attr('class', 'll-axis-title')
      .attr('x', MARGIN.left + 4).attr('y', MARGIN.top).attr('dy', '0.3em').text('nats');
    const bars = runs.flatMap((r, k) => r.klPerDim.map((v, d) => ({ k, d, v })));
    this.svg.selectAll<SVGRectElement, (typeof bars)[number]>('rect.llc-bar')
      .data(bars, (b) => `${b.k}-${b.d}`)
      .join('rect')
      .attr('class', 'llc-bar').attr('aria-hidden', 'true')
      .attr('fill', (b) => runColor(b.k))
      .attr('x', (b) => (x(b.d) ?? 0) + (inner(b.k) ?? 0)).attr('width', inner.bandwidth())
      .attr('y', (b) => y(Math.max(0, b.v))).attr('height', (b) => Math.max(0, y(0) - y(Math.max(0, b.v))));
    const marks = inner.bandwidth() >= 5 ? bars : [];
    this.svg.selectAll<SVGPathElement, (typeof bars)[number]>('path.llc-mark')
      .data(marks, (b) => `${b.k}-${b.d}`)
      .join('path')
      .attr('class', 'llc-mark').attr('aria-hidden', 'true')
      .attr('fill', (b) => runColor(b.k))
      .attr('d', (b) => runSymbol(b.k, Math.min(30, inner.bandwidth() ** 2)))
      .attr('transform', (b) => `translate(${(x(b.d) ?? 0) + (inner(b.k) ?? 0) + inner.bandwidth() / 2},${y(Math.max(0, b.v)) - 5})`);

    this.summary.replaceChildren(...runs.map((r) => {
      const total = r.klPerDim.reduce((a, b) => a + b, 0);
      return el('li', {}, r.klPerDim.length
        ? `${r.title}: total KL ${total.toFixed(2)} nats over ${r.klPerDim.length} dimensions${r.activeUnits !== null ? `, ${r.activeUnits} active` : ''}.`
        : `${r.title}: no KL measurements yet.`);
    }));
  }
}
