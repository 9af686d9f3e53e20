/**
 * Per-image quantities that follow from μ and log σ² alone (the reconstruction error needs the
 * decoder: src/trainer/perImagePass.ts). Pure arithmetic on row-major count × latentDim arrays:
 * no tensors, no I/O; runs in the trainer and in the webview alike.
 */

/**
 * Analytic KL(q(z|x) ‖ N(0, I)) of each image, summed over the dimensions (nats):
 * Σ_d ½ (σ²_d + μ²_d − 1 − log σ²_d) (Kingma & Welling 2014, appendix B) — the formula of
 * src/model/loss.ts's klPerImageAndDim, summed in float64.
 */
export function klPerImage(mu: ArrayLike<number>, logVar: ArrayLike<number>, count: number, latentDim: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = i * latentDim, end = j + latentDim; j < end; j++) s += Math.exp(logVar[j]) + mu[j] * mu[j] - 1 - logVar[j];
    out[i] = 0.5 * s;
  }
  return out;
}

/** Mean of σ² = exp(log σ²) over the dimensions, of each image. */
export function meanVariancePerImage(logVar: ArrayLike<number>, count: number, latentDim: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = i * latentDim, end = j + latentDim; j < end; j++) s += Math.exp(logVar[j]);
    out[i] = s / latentDim;
  }
  return out;
}
