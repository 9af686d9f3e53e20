/**
 * Worker thread of the projection (bundled as dist/projectionWorker.js): computes UMAP layouts
 * for src/trainer/projection.ts so the training loop's thread is never blocked. It answers the
 * `umap` request of the one message envelope (src/protocol/rpc.ts); the layout's buffers go back
 * in the transfer list, a failure as an error reply.
 */
import { parentPort } from 'node:worker_threads';
import { umap2d } from '../analysis/projectionMath';
import { Endpoint, parserOf } from '../protocol/rpc';
import { ProjectionJob, portWire, type ProjectionReply } from './projection';

if (parentPort) {
  const endpoint = new Endpoint<ProjectionReply, ProjectionJob>(portWire(parentPort), { parse: parserOf(ProjectionJob) });
  endpoint.onRequest((job) => {
    const { x, y } = umap2d(job.mu, job.count, job.dim, job.previous, job.opts);
    return { type: 'layout', x, y };
  });
}
