/**
 * KL divergence per latent dimension: a D3 bar chart, sortable, with the count of active
 * units and a warning when the posterior collapses.
 *
 * Active unit (Burda et al. 2016, "Importance Weighted Autoencoders", §5.2): a dimension u is
 * active when Cov_x(E_q(z|x)[z_u]) — the variance of μ_u over the data — exceeds 0.01. When
 * μ is not available yet, a dimension counts as active when its KL exceeds 0.01 nats.
 * Collapse warning: more than half the dimensions carry < 0.05 nats, once the model has trained
 * 100 steps at full KL weight (collapseCheckDue, shared with the trainer).
 */
import * as d3 from 'd3';
import type { ViewState } from './state';
import { collapseCheckDue } from '../analysis/collapseRule';

const ACTIVE_VARIANCE = 0.01;
const ACTIVE_KL = 0.01;
const COLLAPSED_KL = 0.05;
const MARGIN = { top: 8, right: 8, bottom: 28, left: 44 };
const HEIGHT = 180;

export type KlSort = 'dimension' | 'kl-desc' | 'kl-asc';

export class KlChart {
  private svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private summary: HTMLElement;
  private warning: HTMLElement;
  sort: KlSort = 'dimension';
  /** Per dimension: active, from the last render. */
  active: boolean[] = [];

  constructor(private container: HTMLElement, private state: ViewState) {
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
    this.sort = s;
    this.render();
  }

  render(): void {
    const kl = this.state.klPerDim;
    const D = kl.length;
    const holder = this.svg.node()!.parentElement!;
    const width = Math.max(160, holder.clientWidth || 320);
    this.svg.attr('width', width).attr('height', HEIGHT).attr('viewBox', `0 0 ${width} ${HEIGHT}`);
    const variance = this.state.muVariance();
    this.active = kl.map((v, d) => (variance && variance.length === D ? variance[d] > ACTIVE_VARIANCE : v > ACTIVE_KL));
    const nActive = this.active.filter(Boolean).length;
    const collapsed = kl.filter((v) => v < COLLAPSED_KL).length;
    const total = kl.reduce((a, b) => a + b, 0);
    const rule = variance && variance.length === D ? 'Var of μ over the data > 0.01' : 'KL > 0.01 nats';
    const trainerNote = this.state.activeUnits !== null ? `; trainer at last epoch end: ${this.state.activeUnits}` : '';
    this.summary.textContent = D
      ? `Active units: ${nActive} of ${D} (${rule}${trainerNote}). Total KL ${total.toFixed(2)} nats.`
      : 'No KL measurements yet.';
    // Same moment as the trainer's warning (src/analysis/collapseRule.ts): not while the encoder is
    // untrained or KL warm-up still scales the KL term down.
    const lastStep = this.state.steps.length ? this.state.steps[this.state.steps.length - 1].step : 0;
    const due = collapseCheckDue(lastStep, this.state.config?.training.klWarmupSteps ?? 0);
    if (D && due && collapsed > D / 2) {
      this.warning.hidden = false;
      this.warning.textContent = `Posterior collapse: ${collapsed} of ${D} dimensions carry less than ${COLLAPSED_KL} nats — they encode nothing about the image. Try KL warm-up, free bits or a smaller β.`;
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
