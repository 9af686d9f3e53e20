/**
 * 2-D projections of the encoder means μ for the latent map: PCA (instant) and UMAP (umap-js).
 *
 * UMAP, made fast and stable enough to refresh at every epoch end:
 *  1. fit on a sample — at most `sampleSize` (default 2,500) evenly spaced rows are fitted with
 *     umap-js (k-NN graph by NN-descent, then `nEpochs` of layout optimisation);
 *  2. transform the rest — every other row is placed at the inverse-distance-weighted mean of the
 *     layout positions of its k nearest sample rows in μ space (exact k-NN, brute force: for
 *     10k × 2.5k × 16-D that is 0.4 G multiply-adds); this is umap-js's own `initTransform`
 *     rule without its extra optimisation epochs, which cost seconds and move points little;
 *  3. warm start — the sample's layout starts from the previous layout (when given) rather than
 *     random, and refreshes run fewer epochs (`refreshEpochs`);
 *  4. align — the result is Procrustes-aligned (rotation, optional reflection, uniform scale,
 *     translation, least squares over all points) to the previous layout, so clusters do not
 *     jump, spin or mirror from one epoch to the next.
 * The first layout starts from the PCA layout (scaled to umap-js's initial range) instead of
 * umap-js's random one: it converges in fewer epochs and is already roughly aligned with PCA,
 * which the map shows while UMAP computes.
 *
 * `projectLatents` runs UMAP in a worker thread (worker_threads, dist/projectionWorker.js) so the
 * training loop is never blocked; when no worker script is found it computes in the calling
 * thread. The worker speaks the one message envelope (src/protocol/rpc.ts): `umap` is a request
 * whose reply is the `layout`; μ goes in the transfer list, the layout comes back transferred. `pca2d`, `umap2d` and `alignTo` are the pure pieces, usable anywhere (also in tests).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import { alignTo, pca2d, umap2d, type Layout2D, type UmapOptions } from '../analysis/projectionMath';
import { F32 } from '../protocol/panelIpc';
import { Endpoint, parserOf, type Wire } from '../protocol/rpc';
import { z } from '../protocol/zod';

export { alignTo, pca2d, umap2d, type Layout2D, type UmapOptions };

export type ProjectionMethodName = 'pca' | 'umap';

export interface ProjectionResult extends Layout2D {
  method: ProjectionMethodName;
  /** Wall time spent computing this layout (for UMAP: since the call, PCA included). */
  millis: number;
}

export interface ProjectionOptions extends UmapOptions {
  /** 'umap' (default) or 'pca' (instant, no worker). */
  method?: ProjectionMethodName;
  /** Called at once with the PCA layout (aligned to `previous`) before UMAP starts. */
  onPca?: (pca: ProjectionResult) => void;
  /** Run UMAP in a worker thread when dist/projectionWorker.js exists. Default true. */
  worker?: boolean;
}

// ───────────────────────────── worker plumbing ─────────────────────────────


/** Trainer → worker: a request. */
export const ProjectionJob = z.object({
  type: z.literal('umap'),
  mu: F32,
  count: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  previous: z.object({ x: F32, y: F32 }).nullable(),
  /** UmapOptions. */
  opts: z.object({
    sampleSize: z.number().optional(), nNeighbors: z.number().optional(), nEpochs: z.number().optional(),
    refreshEpochs: z.number().optional(), seed: z.number().optional(),
  }),
});
export type ProjectionJob = z.infer<typeof ProjectionJob>;
/** Worker → trainer: the reply (a failure is an error reply). */
export const ProjectionReply = z.object({ type: z.literal('layout'), x: F32, y: F32 });
export type ProjectionReply = z.infer<typeof ProjectionReply>;

/** One end of a worker_threads channel (the Worker, or the worker's parentPort) as a wire, with transfer. */
export function portWire(port: Worker | MessagePort): Wire {
  return {
    post: (envelope, transfer) => port.postMessage(envelope, transfer),
    listen(receive) {
      const onMessage = (m: unknown) => receive(m);
      port.on('message', onMessage);
      return () => port.off('message', onMessage);
    },
  };
}

function workerScript(): { file: string; execArgv?: string[] } | null {
  // __dirname is dist/ in the bundles; under a TS loader it may not be a real path.
  const here = typeof __dirname === 'string' && path.isAbsolute(__dirname) ? __dirname : '';
  const candidates = [
    ...(here ? [path.join(here, 'projectionWorker.js'), path.join(here, '..', '..', 'dist', 'projectionWorker.js')] : []),
    path.join(process.cwd(), 'dist', 'projectionWorker.js'), // tests run from the repository root
  ];
  for (const file of candidates) if (existsSync(file)) return { file };
  return null;
}

interface ProjectionWorker {
  worker: Worker;
  endpoint: Endpoint<ProjectionJob, ProjectionReply>;
  /** Rejects when the worker fails or exits (then every pending job fails with its reason). */
  failed: Promise<never>;
  inFlight: number;
}
let current: ProjectionWorker | null = null;

function getWorker(): ProjectionWorker | null {
  if (current) return current;
  const script = workerScript();
  if (!script) return null;
  const worker = new Worker(script.file, { execArgv: script.execArgv });
  const endpoint = new Endpoint<ProjectionJob, ProjectionReply>(portWire(worker), { parse: parserOf(ProjectionReply) });
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => { fail = reject; });
  failed.catch(() => undefined);
  const w: ProjectionWorker = { worker, endpoint, failed, inFlight: 0 };
  const end = (err: Error) => {
    if (current === w) current = null;
    fail(err);
    endpoint.dispose();
  };
  worker.on('error', end);
  worker.on('exit', (code) => end(new Error(`projection worker exited with code ${code}`)));
  worker.unref();
  current = w;
  return w;
}

/** Stop the projection worker (it is unref'd while idle, so this is only needed for tidiness). */
export async function closeProjectionWorker(): Promise<void> {
  const w = current;
  current = null;
  if (w) await w.worker.terminate();
}

function umapInWorker(job: ProjectionJob): Promise<Layout2D> | null {
  const w = getWorker();
  if (!w) return null;
  // Keep the process alive while a job runs; idle, the worker must not.
  if (w.inFlight++ === 0) w.worker.ref();
  const done = () => { if (--w.inFlight === 0) w.worker.unref(); };
  const reply = Promise.race([w.endpoint.request(job), w.failed]);
  reply.then(done, done);
  return reply.then((r) => ({ x: r.x, y: r.y }));
}

/**
 * The 2-D map of μ (count × dim, row-major). Called by the training loop at every epoch end
 * and on demand. With `previous` (the last layout, same rows) UMAP warm-starts from it and the
 * result is aligned to it. PCA is computed at once in the calling thread (milliseconds) and
 * handed to `opts.onPca`; UMAP runs in a worker thread when dist/projectionWorker.js exists.
 * Resolves to the UMAP layout (or PCA when `opts.method === 'pca'` or count < 4).
 */
export async function projectLatents(
  mu: Float32Array,
  count: number,
  dim: number,
  previous?: Layout2D | null,
  opts: ProjectionOptions = {},
): Promise<ProjectionResult> {
  const t0 = performance.now();
  const prev = previous && previous.x.length === count && previous.y.length === count ? previous : null;
  const pca = pca2d(mu, count, dim);
  if (prev) alignTo(pca.x, pca.y, prev.x, prev.y);
  const pcaResult: ProjectionResult = { method: 'pca', ...pca, millis: performance.now() - t0 };
  opts.onPca?.(pcaResult);
  if (opts.method === 'pca' || count < 4) return pcaResult;
  const { onPca: _onPca, worker: useWorker, ...rest } = opts;
  void _onPca;
  const mine = mu.slice(0, count * dim); // the worker gets its own copy (transferred, not copied again)
  // The caller keeps `previous` (the next refresh starts from it): the worker gets copies.
  const viaWorker = useWorker === false ? null : umapInWorker({
    type: 'umap', mu: mine, count, dim, previous: prev && { x: prev.x.slice(), y: prev.y.slice() }, opts: rest,
  });
  const layout = viaWorker ? await viaWorker : umap2d(mine, count, dim, prev, rest);
  return { method: 'umap', x: layout.x, y: layout.y, millis: performance.now() - t0 };
}
