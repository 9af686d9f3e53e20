/**
 * Where the generators go in latent space — the same numbers in the panel (src/webview/views/
 * generators) and the CLI twins (src/trainer/pictures): traversal values at fixed prior
 * quantiles, the traversal grid, linear and spherical interpolation, and seeded prior samples.
 * Pure: typed arrays in, typed arrays out.
 */
import { mulberry32 } from '../shared/random';

/** `steps` values evenly from −range to +range (in σ of the prior N(0, 1)). */
export function traversalValues(steps: number, range = 3): number[] {
  if (steps === 1) return [0];
  return Array.from({ length: steps }, (_, j) => -range + (2 * range * j) / (steps - 1));
}

/**
 * One row per dimension of `dims`, one column per value: `base` with that dimension set to the
 * value. Returns rows × cols latent vectors, row-major (dims.length · values.length × D).
 */
export function traversalGrid(base: Float32Array, dims: readonly number[], values: readonly number[]): Float32Array {
  const D = base.length;
  const z = new Float32Array(dims.length * values.length * D);
  dims.forEach((d, r) => values.forEach((v, c) => {
    const off = (r * values.length + c) * D;
    z.set(base, off);
    z[off + d] = v;
  }));
  return z;
}

/**
 * `steps` points from a to b, both ends included: linear, or spherical (slerp, Shoemake 1985;
 * White 2016 "Sampling generative networks" — it keeps the norm a Gaussian prior expects).
 */
export function interpolate(a: Float32Array, b: Float32Array, steps: number, spherical = false): Float32Array {
  const D = a.length;
  const z = new Float32Array(steps * D);
  let dot = 0, na = 0, nb = 0;
  for (let d = 0; d < D; d++) { dot += a[d] * b[d]; na += a[d] * a[d]; nb += b[d] * b[d]; }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / (Math.sqrt(na * nb) || 1))));
  const useSlerp = spherical && na > 0 && nb > 0 && Math.sin(omega) > 1e-6;
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    const [wa, wb] = useSlerp
      ? [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)]
      : [1 - t, t];
    for (let d = 0; d < D; d++) z[s * D + d] = wa * a[d] + wb * b[d];
  }
  return z;
}

/** n samples of N(0, temperature² I) in D dimensions, seeded (Box–Muller on mulberry32). */
export function priorSamples(n: number, D: number, temperature: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const z = new Float32Array(n * D);
  for (let i = 0; i < z.length; i += 2) {
    const u = 1 - rand(), v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * temperature;
    z[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < z.length) z[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return z;
}

/** "+1.5σ", "−3σ", "0σ": a traversal value as a person reads it. */
export function sigmaText(v: number): string {
  const r = Math.round(v * 100) / 100;
  return `${r > 0 ? '+' : r < 0 ? '−' : ''}${Math.abs(r)}σ`;
}
