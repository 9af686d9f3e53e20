/**
 * THE active-unit rule and THE posterior-collapse rule of Latent Lens, shared by the trainer
 * (epoch-end metrics line, its warning) and the panel (KL chart), so that both count the same
 * units and speak up at the same moment. Pure arithmetic: no tensors, no I/O; runs in Node and
 * in the webview.
 *
 * Active units (Burda, Grosse & Salakhutdinov 2016, "Importance Weighted Autoencoders", ICLR,
 * §5.2): dimension u is active when A_u = Cov_x( E_{u ~ q(u|x)}[u] ) > 10⁻², i.e. when the
 * encoder mean μ_u varies over the data. The covariance is over the data distribution; we take
 * the empirical data distribution of the images at hand, which is the *population* variance
 * Σ(μ − mean)² / n (not the unbiased / (n−1) estimate). With thousands of images the two differ
 * by far less than the threshold's precision; with the tiny runs of the tests they can differ,
 * and then the trainer and the panel must still agree: every caller uses `muVariance` below.
 *
 * Posterior collapse: at most a quarter of the dimensions active (`activeUnits ≤ ⌊D/4⌋`), once
 * `collapseCheckDue` (KL warm-up over and COLLAPSE_MIN_STEPS steps trained at full KL weight).
 */

/** Dimensions whose μ varies less than this across the data are inactive (Burda et al. 2016, §5.2). */
export const ACTIVE_UNIT_THRESHOLD = 0.01;

/**
 * Steps the model must have trained at the full KL weight before a low count of active units is
 * called posterior collapse. A freshly initialised encoder gives nearly the same μ for every
 * image, so most units start out "inactive" and become active within a few dozen steps (runs on the
 * embedded 2,000-image sample: 3–7 of 16 active after epoch 1 = 14 steps, 15–16 after 28); and
 * while KL warm-up still scales the KL term down, nothing is pulling the units to the prior yet.
 * 100 steps is less than one epoch of a real dataset (60,000 images at batch 128: 468 steps).
 */
export const COLLAPSE_MIN_STEPS = 100;

/**
 * Variance of μ of each dimension over the rows (population variance, / n: see the header).
 * `mu` is row-major, count × latentDim.
 */
export function muVariance(mu: ArrayLike<number>, count: number, latentDim: number): number[] {
  const d = latentDim, n = count;
  const mean = new Float64Array(d), m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += mu[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) { const t = mu[i * d + j] - mean[j]; m2[j] += t * t; }
  return Array.from(m2, (v) => v / Math.max(1, n));
}

/** Per dimension: active (Var of μ > ACTIVE_UNIT_THRESHOLD). */
export function activeDims(variance: ArrayLike<number>): boolean[] {
  return Array.from(variance, (v) => v > ACTIVE_UNIT_THRESHOLD);
}

/** The number of active units for per-dimension variances of μ. */
export function countActiveUnits(variance: ArrayLike<number>): number {
  return activeDims(variance).filter(Boolean).length;
}

/** Mean analytic KL( N(μ, σ²) ‖ N(0, 1) ) of each dimension over the rows, in nats. */
export function klPerDimension(mu: ArrayLike<number>, logVar: ArrayLike<number>, count: number, latentDim: number): number[] {
  const d = latentDim;
  const kl = new Array<number>(d).fill(0);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) {
      const m = mu[i * d + j], lv = logVar[i * d + j];
      kl[j] += 0.5 * (Math.exp(lv) + m * m - 1 - lv);
    }
  }
  return kl.map((v) => v / Math.max(1, count));
}

/** KL per dimension, Var of μ per dimension and the active-unit count of μ / log σ² of many images. */
export function latentStatistics(mu: ArrayLike<number>, logVar: ArrayLike<number>, count: number, latentDim: number): { klPerDim: number[]; muVariance: number[]; activeUnits: number } {
  const variance = muVariance(mu, count, latentDim);
  return { klPerDim: klPerDimension(mu, logVar, count, latentDim), muVariance: variance, activeUnits: countActiveUnits(variance) };
}

/**
 * True once KL warm-up is over (`step >= klWarmupSteps`: the KL term has its full weight β) and
 * the model has taken at least COLLAPSE_MIN_STEPS steps since (without warm-up: `step >= 100`).
 * Earlier, few active units mean an untrained encoder, not a collapsed posterior.
 */
export function collapseCheckDue(step: number, klWarmupSteps: number): boolean {
  return step - Math.max(0, klWarmupSteps) >= COLLAPSE_MIN_STEPS;
}

/** At most this many active units of `latentDim` count as collapsed: a quarter, rounded down. */
export function collapseActiveLimit(latentDim: number): number {
  return Math.floor(latentDim / 4);
}

/** The collapse verdict: few active units (≤ ⌊D/4⌋) once the check is due. */
export function isPosteriorCollapse(o: { activeUnits: number; latentDim: number; step: number; klWarmupSteps: number }): boolean {
  return o.activeUnits <= collapseActiveLimit(o.latentDim) && collapseCheckDue(o.step, o.klWarmupSteps);
}

/** The trainer's "posterior collapse" warning at an epoch end (isPosteriorCollapse), or undefined. */
export function posteriorCollapseWarning(o: { activeUnits: number; latentDim: number; step: number; klWarmupSteps: number }): string | undefined {
  if (!isPosteriorCollapse(o)) return undefined;
  return `posterior collapse: only ${o.activeUnits} of ${o.latentDim} latent dimensions are active after ${o.step} steps; try KL warm-up (--kl-warmup) or free bits (--free-bits)`;
}
