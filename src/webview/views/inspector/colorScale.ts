/**
 * "Colour by" (issue 15): the per-point values of a quantity (reconstruction error, KL, mean σ²
 * or one μ dimension) and the continuous, colour-blind-safe scale (viridis) they are drawn with.
 * The domain is the 2nd–98th percentile, so one extreme image does not flatten the rest.
 */
import * as d3 from 'd3';
import type { RunData } from '../../data/runData';
import type { ColorBy } from '../../store/viewState';
import { toAbgr } from '../../theme';

export interface Quantity {
  values: Float32Array;
  /** Human name: "reconstruction error (nats)". */
  name: string;
}

export interface ContinuousScale {
  name: string;
  lo: number;
  hi: number;
  /** CSS colour at t ∈ [0, 1]. */
  css(t: number): string;
}

/** The values of `by` for every point, or null (labels, or not available in this run yet). */
export function quantityOf(data: RunData, by: ColorBy): Quantity | null {
  const p = data.perImage;
  if (by === 'recon') return p && { values: p.recon, name: 'reconstruction error (nats)' };
  if (by === 'kl') return p && { values: p.kl, name: 'KL (nats)' };
  if (by === 'meanVar') return p && { values: p.meanVar, name: 'mean σ²' };
  if (by.startsWith('mu:')) {
    const d = Number(by.slice(3)), D = data.latentDim, mu = data.mu;
    if (!mu || d >= D) return null;
    const v = new Float32Array(data.count);
    for (let i = 0; i < v.length; i++) v[i] = mu[i * D + d];
    return { values: v, name: `μ dimension ${d}` };
  }
  return null;
}

/** The 2nd and 98th percentiles of the finite values (lo < hi). */
export function robustDomain(values: Float32Array): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  if (!finite.length) return [0, 1];
  const lo = finite[Math.floor(0.02 * (finite.length - 1))], hi = finite[Math.ceil(0.98 * (finite.length - 1))];
  return hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
}

const LUT_SIZE = 256;
let lut: Uint32Array | null = null;
/** Viridis as 256 colours 0xAABBGGRR. */
export function viridisAbgr(): Uint32Array {
  lut ??= Uint32Array.from({ length: LUT_SIZE }, (_, i) => toAbgr(d3.interpolateViridis(i / (LUT_SIZE - 1))));
  return lut;
}

/** Per point, the viridis colour of its value (0 where `hidden` says so); and the scale for the legend. */
export function colourByValue(values: Float32Array, visible: (i: number) => boolean, name: string): { colors: Uint32Array; scale: ContinuousScale } {
  const [lo, hi] = robustDomain(values);
  const table = viridisAbgr();
  const colors = new Uint32Array(values.length);
  const k = (LUT_SIZE - 1) / (hi - lo);
  for (let i = 0; i < values.length; i++) {
    if (!visible(i)) continue;
    const v = values[i];
    colors[i] = Number.isFinite(v) ? table[Math.max(0, Math.min(LUT_SIZE - 1, Math.round((v - lo) * k)))] : 0xff888888;
  }
  return { colors, scale: { name, lo, hi, css: (t) => d3.interpolateViridis(Math.max(0, Math.min(1, t))) } };
}
