/**
 * The training loop: data → model → steps → epoch ends (validation, latents, projection,
 * models, checkpoint). It reports everything as TrainerEvents through `emit`, which the
 * CLI prints and the forked trainer sends to the extension host over IPC.
 */
import path from 'node:path';
import type { EpochMetrics, RunConfig, RunStatus, StepMetrics, TrainerEvent } from '../protocol/trainerIpc';
import { VaeModel } from '../model/vaeModel';
import { createAdam } from '../backend/fusedAdam';
import { shuffledIndices } from '../model/random';
import { labelFeed, loadDataset, type Dataset } from './dataset';
import { cannotStart } from './cannotStart';
import { batchTensor } from '../analysis/latentStats';
import { perImageQuantities } from './perImagePass';
import { encodeRows } from './evaluate';
import { oneHotLabels } from '../model/vae';
import { modelKind } from '../protocol/config';
import { isPosteriorCollapse, latentStatistics, posteriorCollapseWarning } from '../analysis/collapseRule';
import {
  RunFileError, appendMetrics, assertNewRunFolder, assertNoLinks, loadCheckpoint, loadRunData, readConfig, readLatents, readMetrics, runPaths, saveCheckpoint,
  truncateMetrics, writeConfig, writeDataset, writeLatents, writeProjection, writeStatus,
} from '../run/runDir';
import { saveRunModel } from '../run/modelFiles';
import { openEpochHistory } from './replay/epochHistory';
import { LiveControl } from './control';
import { EarlyMap, type EarlyMapOptions } from './earlyMap';

/** The decoder is saved for live decoding in the panel at most this often. */
const DECODER_SAVE_MS = 5_000;
/** A checkpoint is written at every epoch end and at least this often. */
const CHECKPOINT_MS = 120_000;

type Layout = { method: 'pca' | 'umap'; x: Float32Array; y: Float32Array };
/** Computes the 2-D map of μ; may call `onPca` with a quick PCA layout before the slow one. */
export type Projector = (mu: Float32Array, count: number, dim: number, previous: { x: Float32Array; y: Float32Array } | undefined, onPca: (pca: Layout) => void) => Promise<Layout>;

/** What the controlling process can ask for between steps. */
export class TrainControl {
  paused = false;
  stopRequested = false;
  projectRequested = false;
  private wake?: () => void;
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; this.wake?.(); }
  stop(): void { this.stopRequested = true; this.wake?.(); }
  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopRequested) await new Promise<void>((r) => (this.wake = r));
  }
}

export interface TrainOptions {
  runDir: string;
  /** A new run's configuration; for a resumed run, read from the run. */
  config?: RunConfig;
  resume?: { epochs?: number };
  backend: string;
  emit: (e: TrainerEvent) => void;
  control: TrainControl;
  project?: Projector;
  /** 'auto' detects from the images (new runs only). */
  channels?: 1 | 3 | 'auto';
  /** Decode without the pixel cache (--no-cache; src/trainer/pixelCache.ts). */
  noCache?: boolean;
  /** The map during epoch 1 (./earlyMap.ts): its timing, or false for none. */
  earlyMap?: Partial<EarlyMapOptions> | false;
}

export interface TrainOutcome { status: RunStatus; message: string }

/** The run's own copy of the data for a resumed run, checked file against file (src/run/runData.ts). */
async function loadResumeData(runDir: string, config: RunConfig, log: (m: string, level: 'warn') => void): Promise<Dataset> {
  const { warnings, ...data } = await loadRunData(runDir, config);
  for (const w of warnings) log(w, 'warn');
  return data;
}

export async function train(opts: TrainOptions): Promise<TrainOutcome> {
  const { runDir, emit, control } = opts;
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => emit({ type: 'log', level, message });

  // ── configuration and data ──
  let config: RunConfig;
  let data: Dataset;
  let restored: Awaited<ReturnType<typeof loadCheckpoint>>;
  if (opts.resume) {
    // Everything is checked before anything is written: a run that cannot resume is left as it was.
    config = await readConfig(runDir);
    await assertNoLinks(runDir);
    if (opts.resume.epochs) config = { ...config, training: { ...config.training, epochs: opts.resume.epochs } };
    data = await loadResumeData(runDir, config, log);
    restored = await loadCheckpoint(runDir);
    await readMetrics(runDir);
    await writeConfig(runDir, config);
    log(`resuming ${runDir}: ${data.images.length} images from the run's own copy of the data`);
  } else {
    if (!opts.config) throw new Error('train() needs a config for a new run');
    config = opts.config;
    const m = config.model;
    assertNewRunFolder(runDir); // an existing run is resumed, never written over (issue 14)
    log(`scanning ${config.dataDir}`);
    // The data first: a folder without usable images leaves no half-written run behind.
    data = await loadDataset(config.dataDir, {
      height: m.imageHeight, width: m.imageWidth, channels: opts.channels ?? m.channels,
      maxImages: config.training.maxImages, valSplit: config.training.valSplit, seed: config.training.seed,
      exclude: [runDir],
      onProgress: (done, total) => emit({ type: 'loading', done, total }), noCache: opts.noCache, log, // pixel cache (issue 13)
    }).catch(async (e: unknown) => { throw await cannotStart(runDir, config, e, opts.backend); });
    await assertNoLinks(runDir);
    // A conditional model's label list is fixed here, from the training folder, and stored with it.
    config = { ...config, model: { ...m, channels: data.shape.channels, ...(m.conditional ? { labels: data.labels } : {}) } };
    if (m.conditional && data.labels.length < 2) log(`a conditional model on ${data.labels.length} label: put the images in one subfolder per label`, 'warn');
    await writeConfig(runDir, config);
    await writeDataset(runDir, data);
    if (data.skipped.length) log(`skipped ${data.skipped.length} files (reasons in dataset.json), e.g. ${data.skipped[0].path}: ${data.skipped[0].reason}`, 'warn');
  }
  const t = config.training;
  const shape = data.shape;
  const trainIdx = data.images.flatMap((im, i) => (im.split === 'train' ? [i] : []));
  const valIdx = data.images.flatMap((im, i) => (im.split === 'val' ? [i] : []));
  // Like torch_ref.py, an epoch drops its last partial batch (when there is a full one).
  const stepsPerEpoch = Math.max(1, Math.floor(trainIdx.length / t.batchSize));

  // ── model ──
  const labels = labelFeed(config.model, data);
  /** The one-hot labels of some images (a conditional model), else undefined. */
  const oneHotOf = (rows: number[]) => (labels ? oneHotLabels(rows.map((i) => labels.rows[i]), labels.count) : undefined);
  const model = new VaeModel(config.model, t, { createAdam });
  let epoch = 0, stepInEpoch = 0;
  if (opts.resume) {
    const ckpt = restored;
    if (ckpt) {
      await model.setState(ckpt.state).catch((e: Error) => {
        model.dispose();
        throw new RunFileError(path.join(runPaths(runDir).checkpoints, `ckpt-${ckpt.meta.step}`), `does not fit the model of config.json: ${e.message}`);
      });
      model.step = ckpt.meta.step;
      epoch = ckpt.meta.epoch;
      stepInEpoch = ckpt.meta.stepInEpoch;
      await truncateMetrics(runDir, model.step);
      log(`restored checkpoint at step ${model.step} (epoch ${epoch + 1}, batch ${stepInEpoch})`);
    } else {
      log('no checkpoint found: starting from fresh weights', 'warn');
      await truncateMetrics(runDir, 0);
    }
  }
  const status = async (s: RunStatus, message = '') => {
    await writeStatus(runDir, { status: s, step: model.step, epoch, backend: opts.backend, message });
    emit({ type: 'status', status: s });
  };
  emit({
    type: 'started', runDir, backend: opts.backend, config, step: model.step, stepsPerEpoch,
    dataset: { images: data.images.length, trainImages: trainIdx.length, valImages: valIdx.length, labels: data.labels, skipped: data.skipped.length },
  });
  log(`${modelKind(config.model)}, latent ${config.model.latentDim}; backend ${opts.backend}; ${trainIdx.length} training and ${valIdx.length} validation images, ${data.labels.length} labels; ${stepsPerEpoch} steps per epoch`);
  await status('training');

  const pending: StepMetrics[] = [];
  const checkpoint = async () => {
    // Metrics first: a checkpoint never gets ahead of the logged curve.
    await appendMetrics(runDir, pending.splice(0));
    await saveCheckpoint(runDir, { step: model.step, epoch, stepInEpoch }, await model.getState());
    emit({ type: 'checkpoint', step: model.step, epoch });
  };

  const history = await openEpochHistory(runDir, data.images.length, config, shape, log); // epoch replay: history/ (src/run/history.ts)
  let previousLayout: { x: Float32Array; y: Float32Array } | undefined;
  const earlyMap = epoch === 0 && opts.project && opts.earlyMap !== false ? new EarlyMap(runDir, data.pixels, data.images.length, shape, config.model.latentDim, emit, opts.earlyMap || {}, labels) : undefined; // issue 13: a map during epoch 1
  let projecting: Promise<void> | undefined;
  const startProjection = (mu: Float32Array, forEpoch: number) => {
    if (!opts.project || projecting) return;
    const started = Date.now();
    // The final map waits for the quick PCA write, so a late PCA write never replaces it.
    let pcaWritten: Promise<void> = Promise.resolve();
    const pcaFirst = (pca: Layout) => {
      // Only the very first map: later epochs keep showing the previous UMAP until the new one is ready.
      if (previousLayout) return;
      pcaWritten = writeProjection(runDir, { epoch: forEpoch, method: 'pca', x: pca.x, y: pca.y })
        .then(() => emit({ type: 'projection', epoch: forEpoch, method: 'pca', millis: Date.now() - started }));
    };
    projecting = opts.project(mu, data.images.length, config.model.latentDim, previousLayout, pcaFirst)
      .then(async (layout) => {
        previousLayout = { x: layout.x, y: layout.y };
        await pcaWritten.catch(() => undefined);
        await writeProjection(runDir, { epoch: forEpoch, method: layout.method, x: layout.x, y: layout.y });
        await history.map(forEpoch, layout); // epoch replay: this epoch's aligned map
        emit({ type: 'projection', epoch: forEpoch, method: layout.method, millis: Date.now() - started });
      })
      .catch((e) => log(`projection failed: ${(e as Error).message}`, 'warn'))
      .finally(() => { projecting = undefined; });
  };

  /** μ and log σ² of every image, validation ELBO, active units, written to the run. */
  const endOfEpoch = async () => {
    const { mu, logVar } = encodeRows(model.encoder, data.pixels, data.images.length, shape, config.model.latentDim, labels);
    const evalIdx = valIdx.length > 0 ? valIdx : trainIdx;
    let recon = 0, kl = 0;
    for (let s = 0; s < evalIdx.length; s += 256) {
      const rows = evalIdx.slice(s, s + 256);
      const x = batchTensor(data.pixels, rows, shape);
      const y = oneHotOf(rows);
      const sums = model.evaluateBatch(x, t.seed * 7 + s, y);
      x.dispose(); y?.dispose();
      recon += sums.recon; kl += sums.kl;
    }
    const d = config.model.latentDim, n = data.images.length;
    const { klPerDim, muVariance, activeUnits } = latentStatistics(mu, logVar, n, d);
    const verdict = { activeUnits, latentDim: d, step: model.step, klWarmupSteps: t.klWarmupSteps };
    const metrics: EpochMetrics = {
      kind: 'epoch', epoch: epoch + 1, step: model.step, valNegElbo: (recon + kl) / evalIdx.length, valRecon: recon / evalIdx.length, valKl: kl / evalIdx.length,
      klPerDim, activeUnits, muVariance, collapsed: isPosteriorCollapse(verdict), time: Date.now(),
    };
    const perImage = perImageQuantities(model.decoder, { mu, logVar }, data.pixels, n, shape, d, config.model.likelihood, labels);
    await writeLatents(runDir, epoch + 1, model.step, d, mu, logVar, perImage);
    await history.epochEnd(epoch + 1, model.step, mu, model.decoder); // epoch replay: μ (float16) + the decoded grid of fixed z
    emit({ type: 'latents', epoch: epoch + 1, step: model.step, count: n });
    await appendMetrics(runDir, [metrics]);
    emit({ type: 'epochEnd', metrics });
    log(`epoch ${epoch + 1}/${t.epochs}: validation −ELBO ${metrics.valNegElbo.toFixed(2)} nats (recon ${metrics.valRecon.toFixed(2)}, KL ${metrics.valKl.toFixed(2)}), ${activeUnits}/${d} active units${valIdx.length === 0 ? ' (no validation split: measured on training images)' : ''}`);
    // Only once KL warm-up is over and the model has trained enough to judge (see posteriorCollapseWarning).
    const collapse = posteriorCollapseWarning(verdict);
    if (collapse) log(collapse, 'warn');
    await saveRunModel(runDir, 'encoder', model.encoder);
    await saveRunModel(runDir, 'decoder', model.decoder);
    emit({ type: 'decoderSaved', step: model.step });
    startProjection(mu, epoch + 1);
  };

  // Live control (issue 10): control.jsonl requests, heartbeat.json (./control.ts).
  const live = await LiveControl.start(runDir, control, {
    config, optimizer: model.optimizer as unknown as { learningRate: number }, position: () => ({ step: model.step, epoch: epoch + 1 }),
  }, log, emit);
  let lastDecoderSave = Date.now(), lastCheckpoint = Date.now();
  let windowStart = performance.now(), windowImages = 0;
  try {
    for (; epoch < t.epochs; epoch++) {
      const order = shuffledIndices(trainIdx.length, t.seed * 31 + epoch);
      for (; stepInEpoch < stepsPerEpoch; stepInEpoch++) {
        // Let IPC commands (pause, stop, project) in between steps.
        await new Promise((r) => setImmediate(r));
        if (control.paused) {
          await status('paused');
          await checkpoint();
          await control.waitWhilePaused();
          if (!control.stopRequested) await status('training');
          windowStart = performance.now(); windowImages = 0;
        }
        const changes = await live.between(model.step, epoch + 1);
        if (changes.length) await appendMetrics(runDir, [...pending.splice(0), ...changes]);
        if (control.stopRequested) {
          await checkpoint();
          await Promise.resolve(projecting);
          await status('stopped', `stopped at step ${model.step}`);
          return { status: 'stopped', message: `stopped at step ${model.step}; resume with: latent-lens resume ${runDir}` };
        }
        if (control.projectRequested) {
          control.projectRequested = false;
          const enc = await readLatestMu(runDir);
          if (enc) startProjection(enc, epoch);
        }
        const batch = Array.from(order.subarray(stepInEpoch * t.batchSize, (stepInEpoch + 1) * t.batchSize), (i) => trainIdx[i]);
        const x = batchTensor(data.pixels, batch, shape);
        const y = oneHotOf(batch);
        const r = model.trainStep(x, y);
        x.dispose(); y?.dispose();
        windowImages += batch.length;
        const singleStep = live.takeSingleStep();
        if (singleStep) control.pause();
        if (!Number.isFinite(r.loss)) {
          await appendMetrics(runDir, pending.splice(0));
          const message = `the loss became ${r.loss} at step ${model.step} (epoch ${epoch + 1}); training stopped and the last good checkpoint was kept. Try a lower learning rate (--lr, now ${t.learningRate}) or KL warm-up.`;
          await writeStatus(runDir, { status: 'failed', step: model.step, epoch, backend: opts.backend, message });
          emit({ type: 'status', status: 'failed' });
          return { status: 'failed', message };
        }
        if (model.step % t.logEvery === 0 || stepInEpoch === stepsPerEpoch - 1 || singleStep) {
          const now = performance.now();
          const m: StepMetrics = { kind: 'step', step: model.step, epoch: epoch + 1, loss: r.loss, recon: r.recon, kl: r.kl, klPerDim: r.klPerDim, klWeight: r.klWeight, imagesPerSec: (windowImages * 1000) / Math.max(1, now - windowStart), time: Date.now() };
          windowStart = now; windowImages = 0;
          pending.push(m);
          emit({ type: 'step', metrics: m, stepsPerEpoch });
        }
        if (pending.length >= 10) await appendMetrics(runDir, pending.splice(0));
        if (epoch === 0) await earlyMap?.afterStep(model.encoder, model.step, stepInEpoch); // issue 13: a map during epoch 1
        if (Date.now() - lastDecoderSave > DECODER_SAVE_MS) {
          await saveRunModel(runDir, 'decoder', model.decoder);
          emit({ type: 'decoderSaved', step: model.step });
          lastDecoderSave = Date.now();
        }
        if (Date.now() - lastCheckpoint > CHECKPOINT_MS) {
          stepInEpoch++; await checkpoint(); stepInEpoch--;
          lastCheckpoint = Date.now();
        }
      }
      await appendMetrics(runDir, pending.splice(0));
      if (epoch === 0 && earlyMap?.maps) log(earlyMap.summary()); // issue 13: what the early maps cost
      await endOfEpoch();
      stepInEpoch = 0;
      await saveCheckpoint(runDir, { step: model.step, epoch: epoch + 1, stepInEpoch: 0 }, await model.getState());
      emit({ type: 'checkpoint', step: model.step, epoch: epoch + 1 });
      lastCheckpoint = Date.now();
    }
    await Promise.resolve(projecting);
    await writeStatus(runDir, { status: 'completed', step: model.step, epoch, backend: opts.backend, message: '' });
    emit({ type: 'status', status: 'completed' });
    return { status: 'completed', message: `trained ${t.epochs} epochs (${model.step} steps); run directory ${path.resolve(runDir)}` };
  } catch (e) {
    // A run that stops on an error says so in status.json (when status.json itself can be written).
    const message = `training stopped at step ${model.step}: ${(e as Error).message}`;
    await writeStatus(runDir, { status: 'failed', step: model.step, epoch, backend: opts.backend, message }).catch(() => undefined);
    emit({ type: 'status', status: 'failed' });
    throw e;
  } finally {
    live.close();
    model.dispose();
  }
}

async function readLatestMu(runDir: string): Promise<Float32Array | undefined> {
  return (await readLatents(runDir).catch(() => undefined))?.mu;
}
