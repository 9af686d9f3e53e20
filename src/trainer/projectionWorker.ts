/**
 * Worker thread of the projection (bundled as dist/projectionWorker.js): computes UMAP layouts
 * for src/trainer/projection.ts so the training loop's thread is never blocked.
 */
import { parentPort } from 'node:worker_threads';
import { umap2d } from '../analysis/projectionMath';
import type { ProjectionJob, ProjectionReply } from './projection';

parentPort?.on('message', (job: ProjectionJob) => {
  let reply: ProjectionReply;
  try {
    const { x, y } = umap2d(job.mu, job.count, job.dim, job.previous, job.opts);
    reply = { id: job.id, ok: true, x, y };
    parentPort!.postMessage(reply, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
  } catch (err) {
    reply = { id: job.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    parentPort!.postMessage(reply);
  }
});
