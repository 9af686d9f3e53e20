/**
 * KL divergence per latent dimension: a D3 bar chart, sorted as the store says, with the
 * trainer's count of active units and its posterior-collapse warning (klHealth.ts).
 *
 * Active unit (Burda et al. 2016, "Importance Weighted Autoencoders", §5.2): a dimension u is
 * active when Cov_x(E_q(z|x)[z_u]) — the variance of μ_u over the data — exceeds 0.01.
 */
import * as d3 from 'd3';
import type { RunData } from '../data/runData';
import type { KlSort } from '../store/viewState';
import { klHealth } from './klHealth';

const MARGIN = { top: 8, right: 8, bottom: 28, left: 44 };
const HEIGHT = 180;

export class KlChart {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private summary: HTMLElement;
  private warning: HTMLElement;
  sort: KlSort = 'dimension';
  /** Per dimension: active, from the last render. */
  active: boolean[] = [];

  constructor(container: HTMLElement, private state: RunData) {
    this.summary = document.createElement('p');
    this.summary.className = 'll-kl-summary';
    this.summary.id = 'll-kl-summary';
    this.warning = document.createElement('div');
    this.warning.className = 'll-warning';
    this.warning.setAttribute('role', 'alert');
    this.warning.hidden = true;
    const holder = document.createElement('div');
    holder.className = 'll-chart';
    container.append(this.summary, this.warning, holder);
    this.svg = d3.select(holder).append('svg')
      .attr('id', 'll-kl-chart')
      .attr('role', 'list')
      .attr('aria-label', 'KL divergence per latent dimension');
    new ResizeObserver(() => this.render()).observe(holder);
  }

  private frame = 0;

  /** Redraw at most once per animation frame (live metrics arrive many times a second). */
  scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  setSort(s: KlSort): void {
    if (s === this.sort) return;
    this.sort = s;
    this.render();
  }

  render(): void {
    const kl = this.state.klPerDim;
    const D = kl.length;
    const holder = this.svg.node()!.parentElement!;
    const width = Math.max(160, holder.clientWidth || 320);
    this.svg.attr('width', width).attr('height', HEIGHT).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    const health = klHealth(this.state);
    this.active = health.active;
    const total = kl.reduce((a, b) => a + b, 0);
    const units = health.activeUnits !== null
      ? `Active units: ${health.activeUnits} of ${D} (trainer, epoch ${health.epoch}: Var of μ over the data > 0.01).`
      : 'Active units: counted by the trainer at the end of each epoch.';
    this.summary.textContent = D ? `${units} Total KL ${total.toFixed(2)} nats.` : 'No KL measurements yet.';
    if (D && health.collapse) {
      this.warning.hidden = false;
      this.warning.textContent = health.collapse;
    } else {
      this.warning.hidden = true;
      this.warning.textContent = '';
    }

    const order = d3.range(D);
    if (this.sort === 'kl-desc') order.sort((a, b) => kl[b] - kl[a] || a - b);
    else if (this.sort === 'kl-asc') order.sort((a, b) => kl[a] - kl[b] || a - b);
    const x = d3.scaleBand<number>().domain(order).range([MARGIN.left, width - MARGIN.right]).padding(0.15);
    const y = d3.scaleLinear().domain([0, Math.max(0.1, d3.max(kl) ?? 0)]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top]);

    this.svg.selectAll<SVGGElement, null>('g.ll-axis-y').data([null]).join('g').attr('class', 'll-axis ll-axis-y')
      .attr('aria-hidden', 'true')
      .attr('transform', `translate(${MARGIN.left},0)`)
      .call(d3.axisLeft(y).ticks(4));
    const everyNth = Math.ceil(D / Math.max(1, Math.floor((width - MARGIN.left) / 22)));
    this.svg.selectAll<SVGGElement, null>('g.ll-axis-x').data([null]).join('g').attr('class', 'll-axis ll-axis-x')
      .attr('aria-hidden', 'true')
      .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
      .call(d3.axisBottom(x).tickValues(order.filter((_, i) => i % everyNth === 0)).tickFormat((d) => String(d)));
    this.svg.selectAll<SVGTextElement, null>('text.ll-axis-title').data([null]).join('text').attr('class', 'll-axis-title')
      .attr('aria-hidden', 'true')
      .attr('transform', `translate(12,${(HEIGHT - MARGIN.bottom) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle').text('nats');

    const bars = this.svg.selectAll<SVGGElement, null>('g.ll-bars').data([null]).join('g').attr('class', 'll-bars');
    bars.selectAll<SVGRectElement, number>('rect')
      .data(order, (d) => d)
      .join('rect')
      .attr('class', (d) => (this.active[d] ? 'll-bar ll-bar-active' : 'll-bar ll-bar-inactive'))
      .attr('role', 'listitem')
      .attr('aria-label', (d) => `Dimension ${d}: ${kl[d].toFixed(3)} nats, ${this.active[d] ? 'active' : 'inactive'}`)
      .attr('x', (d) => x(d)!)
      .attr('width', x.bandwidth())
      .attr('y', (d) => y(Math.max(0, kl[d])))
      .attr('height', (d) => Math.max(kl[d] > 0 ? 1 : 0, y(0) - y(Math.max(0, kl[d]))))
      .selectAll('title').data((d) => [d]).join('title').text((d) => `Dimension ${d}: ${kl[d].toFixed(3)} nats`);
  }
}
