/**
 * The trainer → panel relay: each trainer event becomes the matching incremental view message
 * (src/protocol/panelIpc.ts), read from the run directory through src/run where the event only
 * says that a file changed (latents, projection, decoder). A new dataset or a changed point count
 * sends the whole snapshot again instead. Used by LatentPanel (./latentPanel.ts).
 */
import type { TrainerEvent } from '../../protocol/trainerIpc';
import type { StepMetrics } from '../../protocol/runFormat';
import type { ToWebviewMessage, ViewStatus } from '../../protocol/panelIpc';
import { readViewLatents, readViewPerImage, readViewProjection, type SnapshotCache } from '../../run/runSnapshot';

/** What the relay may see and do of a panel. */
export interface RelayTarget {
  readonly runDir: string;
  /** The snapshot's sample of dataset rows (null: every row, in order). */
  readonly pointIndex: Uint32Array | null;
  readonly pointCount: number;
  readonly cache: SnapshotCache;
  post(m: ToWebviewMessage): void;
  /** Step lines are batched (flushed every 200 ms or before any other message). */
  queueStep(metrics: StepMetrics): void;
  flushSteps(): void;
  sendSnapshot(): Promise<unknown>;
  liveStatus(): ViewStatus | undefined;
}

export async function relayTrainerEvent(t: RelayTarget, e: TrainerEvent): Promise<void> {
  switch (e.type) {
    case 'started':
      // The dataset is now known: the earlier snapshot had no points.
      await t.sendSnapshot();
      break;
    case 'step':
      t.queueStep(e.metrics);
      break;
    case 'epochEnd':
      t.flushSteps();
      t.post({ type: 'epoch', metrics: e.metrics });
      break;
    case 'latents': {
      if (t.pointCount === 0 || t.pointCount !== e.count && t.pointIndex === null) { await t.sendSnapshot(); break; }
      const latents = await readViewLatents(t.runDir, t.pointIndex);
      if (latents) t.post({ type: 'latents', latents, perImage: await readViewPerImage(t.runDir, t.pointIndex) });
      break;
    }
    case 'projection': {
      if (t.pointCount === 0) { await t.sendSnapshot(); break; }
      const projection = await readViewProjection(t.runDir, t.pointIndex);
      if (projection) t.post({ type: 'projection', projection, millis: e.millis });
      break;
    }
    case 'decoderSaved': {
      const decoder = await t.cache.decoder(t.runDir, e.step);
      const encoder = decoder && await t.cache.encoder(t.runDir, e.step); // generators (issue 15)
      if (decoder) t.post({ type: 'decoder', decoder, ...(encoder ? { encoder } : {}) });
      break;
    }
    case 'change': t.flushSteps(); t.post({ type: 'change', change: e.change }); break;
    case 'status':
    case 'done':
    case 'checkpoint': {
      t.flushSteps();
      const status = t.liveStatus();
      if (status) t.post({ type: 'status', status });
      break;
    }
    default:
      break;
  }
}
