/**
 * Latent health as the *trainer* measured it: the active-unit count of the last epoch end (in the
 * snapshot and each `epoch` message) and the posterior-collapse rule, so that the panel and the
 * trainer's warning agree. The panel does not recount: it only marks which bars are active.
 *
 * The rule (same as posteriorCollapseWarning in src/analysis/latentStats.ts): collapse when at
 * most a quarter of the dimensions are active, once collapseCheckDue (src/analysis/collapseRule.ts)
 * says the model has trained long enough at full KL weight. latentStats.ts pulls TensorFlow.js
 * model code, so the webview cannot import it; the threshold and the quarter are repeated here
 * until collapseRule.ts exports them.
 */
import { collapseCheckDue } from '../../analysis/collapseRule';
import type { RunData } from '../data/runData';

/** Var of μ over the data above which a dimension is active (ACTIVE_UNIT_THRESHOLD, Burda et al. 2016 §5.2). */
export const ACTIVE_VARIANCE = 0.01;
/** Without μ: a dimension whose KL exceeds this (nats) is drawn as active. */
export const ACTIVE_KL = 0.01;

export interface KlHealth {
  /** Per dimension, for the bars: active (Var of μ > 0.01, else KL > 0.01 nats). */
  active: boolean[];
  /** The trainer's count at its last epoch end, or null before the first. */
  activeUnits: number | null;
  /** Epoch and step of that count. */
  epoch: number | null;
  step: number | null;
  /** The warning to show, or null. */
  collapse: string | null;
}

export function klHealth(data: RunData): KlHealth {
  const kl = data.klPerDim, D = kl.length;
  const variance = data.muVariance();
  const active = kl.map((v, d) => (variance && variance.length === D ? variance[d] > ACTIVE_VARIANCE : v > ACTIVE_KL));
  const last = data.epochs.length ? data.epochs[data.epochs.length - 1] : null;
  const activeUnits = data.activeUnits;
  const step = last?.step ?? null;
  let collapse: string | null = null;
  if (D && activeUnits !== null && activeUnits <= Math.floor(D / 4) && step !== null && collapseCheckDue(step, data.config?.training.klWarmupSteps ?? 0)) {
    collapse = `Posterior collapse: only ${activeUnits} of ${D} latent dimensions are active after ${step} steps — the others encode nothing about the image. Try KL warm-up, free bits or a smaller β.`;
  }
  return { active, activeUnits, epoch: last?.epoch ?? null, step, collapse };
}
