/**
 * Latent health as the *trainer* measured it: the active-unit count of the last epoch end (in the
 * snapshot and each `epoch` message), the per-dimension variance of μ it counted from, and the one
 * posterior-collapse rule of src/analysis/collapseRule.ts, so the panel and the trainer's warning
 * always agree. The panel recounts nothing: it only marks which bars are active, with the same rule.
 */
import { ACTIVE_UNIT_THRESHOLD, activeDims, isPosteriorCollapse, muVariance } from '../../analysis/collapseRule';
import type { RunData } from '../data/runData';

/** Without μ (and before the first epoch line): a dimension whose KL exceeds this (nats) is drawn as active. */
export const ACTIVE_KL = ACTIVE_UNIT_THRESHOLD;

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
  const last = data.epochs.length ? data.epochs[data.epochs.length - 1] : null;
  // The trainer's per-dimension variance of its last epoch end; else the same statistic of the μ at hand.
  const variance = last?.muVariance?.length === D ? last.muVariance : data.mu ? muVariance(data.mu, data.count, D) : null;
  const active = variance && variance.length === D ? activeDims(variance) : kl.map((v) => v > ACTIVE_KL);
  const activeUnits = data.activeUnits;
  const step = last?.step ?? null;
  let collapse: string | null = null;
  if (D && activeUnits !== null && step !== null && isPosteriorCollapse({ activeUnits, latentDim: D, step, klWarmupSteps: data.config?.training.klWarmupSteps ?? 0 })) {
    collapse = `Posterior collapse: only ${activeUnits} of ${D} latent dimensions are active after ${step} steps — the others encode nothing about the image. Try KL warm-up, free bits or a smaller β.`;
  }
  return { active, activeUnits, epoch: last?.epoch ?? null, step, collapse };
}
