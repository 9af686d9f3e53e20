// When a low count of active latent units may be called "posterior collapse": shared by the
// trainer's epoch-end warning (src/analysis/latentStats.ts) and the panel's KL chart
// (src/webview/klChart.ts), so that both speak up at the same moment.

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
 * True once KL warm-up is over (`step >= klWarmupSteps`: the KL term has its full weight β) and
 * the model has taken at least COLLAPSE_MIN_STEPS steps since (without warm-up: `step >= 100`).
 * Earlier, few active units mean an untrained encoder, not a collapsed posterior.
 */
export function collapseCheckDue(step: number, klWarmupSteps: number): boolean {
  return step - Math.max(0, klWarmupSteps) >= COLLAPSE_MIN_STEPS;
}
