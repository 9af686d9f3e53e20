/**
 * `latent-lens encode <modelDir> <folder> --out <runDir>`: a saved encoder/decoder pair applied
 * to a folder of images, written as a run directory the panel and the report can show (no
 * training: one "epoch 0" line of metrics, μ / log σ² of every image, the 2-D map).
 * <modelDir> holds encoder/model.json and decoder/model.json (a run's model/ folder, or a run).
 */
import path from 'node:path';
import type { TrainerEvent } from '../protocol/trainerIpc';
import type { EpochMetrics, RunConfig } from '../protocol/runFormat';
import { DEFAULT_TRAINING } from '../protocol/config';
import { labelFeed, loadDataset } from './dataset';
import { elboSums, encodeRows } from './evaluate';
import { perImageQuantities } from './perImagePass';
import { isPosteriorCollapse, latentStatistics } from '../analysis/collapseRule';
import type { Projector } from './train';
import { cannotStart } from './cannotStart';
import {
  appendMetrics, assertNoLinks, findModelFolder, readConfig, writeConfig, writeDataset, writeLatents, writeProjection, writeStatus,
} from '../run/runDir';
import { loadLayersModelFromDir, saveRunModel, storedModelConfig } from '../run/modelFiles';

export async function encodeFolder(opts: { modelDir: string; dataDir: string; runDir: string; backend: string; emit: (e: TrainerEvent) => void; project: Projector }): Promise<string> {
  const { emit, runDir } = opts;
  const log = (message: string) => emit({ type: 'log', level: 'info', message });
  const found = findModelFolder(opts.modelDir);
  if (!found) {
    throw new Error(`no encoder/decoder pair in "${opts.modelDir}": expected encoder/model.json and decoder/model.json (TensorFlow.js layers format), or a run folder`);
  }
  const [encoder, decoder] = await Promise.all([loadLayersModelFromDir(found.encoderDir), loadLayersModelFromDir(found.decoderDir)]);
  const [, height, width, channels] = encoder.inputs[0].shape as number[];
  const latentDim = (decoder.inputs[0].shape as number[])[1];
  if ((encoder.outputs[0].shape as number[])[1] !== 2 * latentDim) {
    throw new Error(`the encoder outputs ${(encoder.outputs[0].shape as number[])[1]} values per image, but the decoder takes z of ${latentDim}: expected [μ ‖ log σ²] = ${2 * latentDim}`);
  }
  // What the model is: its own record in model.json (src/run/modelFiles.ts storedModelConfig: shape, arch,
  // likelihood, a conditional model's labels), else its run's config.json (models saved before the record).
  const source = storedModelConfig(encoder) ?? storedModelConfig(decoder) ?? (found.runDir ? (await readConfig(found.runDir)).model : undefined);
  const conditional = encoder.inputs.length > 1;
  const modelLabels = source?.labels;
  const labelInputs = conditional ? (encoder.inputs[1].shape as number[])[1] : 0;
  if (conditional && (!modelLabels || modelLabels.length !== labelInputs)) {
    encoder.dispose(); decoder.dispose();
    throw new Error(modelLabels
      ? `the model in "${opts.modelDir}" takes ${labelInputs} labels, but its record lists ${modelLabels.length} (${modelLabels.map((l) => JSON.stringify(l)).join(', ')}): the model files do not belong together`
      : `the model in "${opts.modelDir}" is conditional (it takes a label beside the image) but its label list is unknown: it was saved before models recorded their labels and is not in its run folder; give the run folder it was trained in (its config.json records the labels)`);
  }
  const convLayers = encoder.layers.filter((l) => l.getClassName() === 'Conv2D');
  const config: RunConfig = {
    version: 1,
    dataDir: path.resolve(opts.dataDir),
    preset: 'loaded-model',
    model: {
      imageHeight: height, imageWidth: width, channels: channels === 3 ? 3 : 1, latentDim,
      filters: source?.filters ?? (convLayers.length ? convLayers.map((l) => (l.getConfig() as { filters: number }).filters) : [32]),
      likelihood: source?.likelihood ?? 'bernoulli',
      arch: source?.arch ?? (convLayers.length ? 'conv' : 'mlp'),
      conditional,
      ...(conditional ? { labels: modelLabels } : {}),
    },
    training: { ...DEFAULT_TRAINING, epochs: 1, valSplit: 0, backend: 'auto' },
  };
  const data = await loadDataset(opts.dataDir, {
    height, width, channels: config.model.channels, maxImages: 0, valSplit: 0, seed: 0, exclude: [runDir],
    onProgress: (done, total) => emit({ type: 'loading', done, total }),
  }).catch(async (e: unknown) => { throw await cannotStart(runDir, config, e, opts.backend); });
  await assertNoLinks(runDir);
  // A conditional model: every label of the folder must be one it was trained with (else a clear error).
  let labels;
  try {
    labels = labelFeed(config.model, data);
  } catch (e) {
    encoder.dispose(); decoder.dispose();
    throw e;
  }
  await writeConfig(runDir, config);
  await writeDataset(runDir, data);
  emit({ type: 'started', runDir, backend: opts.backend, config, step: 0, stepsPerEpoch: 1, dataset: { images: data.images.length, trainImages: data.images.length, valImages: 0, labels: data.labels, skipped: data.skipped.length } });
  await writeStatus(runDir, { status: 'training', step: 0, epoch: 0, backend: opts.backend, message: 'encoding' });
  await saveRunModel(runDir, 'encoder', encoder);
  await saveRunModel(runDir, 'decoder', decoder);
  const n = data.images.length;
  const { mu, logVar } = encodeRows(encoder, data.pixels, n, data.shape, latentDim, labels);
  const { klPerDim, muVariance, activeUnits } = latentStatistics(mu, logVar, n, latentDim);
  const { recon, kl } = elboSums(encoder, decoder, data.pixels, n, data.shape, config.model.likelihood, labels);
  const perImage = perImageQuantities(decoder, { mu, logVar }, data.pixels, n, data.shape, latentDim, config.model.likelihood, labels);
  await writeLatents(runDir, 0, 0, latentDim, mu, logVar, perImage);
  emit({ type: 'latents', epoch: 0, step: 0, count: n });
  // No training steps: the collapse check is not due (collapseRule.ts), so the verdict is false.
  const collapsed = isPosteriorCollapse({ activeUnits, latentDim, step: 0, klWarmupSteps: 0 });
  const metrics: EpochMetrics = { kind: 'epoch', epoch: 0, step: 0, valNegElbo: (recon + kl) / n, valRecon: recon / n, valKl: kl / n, klPerDim, activeUnits, muVariance, collapsed, time: Date.now() };
  await appendMetrics(runDir, [metrics]);
  emit({ type: 'epochEnd', metrics });
  emit({ type: 'decoderSaved', step: 0 });
  log(`encoded ${n} images: −ELBO ${metrics.valNegElbo.toFixed(2)} nats, ${activeUnits}/${latentDim} active units`);
  const started = Date.now();
  // The quick PCA map is written while UMAP runs; the final map waits for that write, so that a
  // late PCA write can never replace the UMAP map in projection.json.
  let pcaWritten: Promise<void> = Promise.resolve();
  const layout = await opts.project(mu, n, latentDim, undefined, (pca) => {
    pcaWritten = writeProjection(runDir, { epoch: 0, method: 'pca', x: pca.x, y: pca.y })
      .then(() => emit({ type: 'projection', epoch: 0, method: 'pca', millis: Date.now() - started }));
  });
  await pcaWritten.catch(() => undefined);
  await writeProjection(runDir, { epoch: 0, method: layout.method, x: layout.x, y: layout.y });
  emit({ type: 'projection', epoch: 0, method: layout.method, millis: Date.now() - started });
  await writeStatus(runDir, { status: 'completed', step: 0, epoch: 0, backend: opts.backend, message: `encoded with ${opts.modelDir}` });
  emit({ type: 'status', status: 'completed' });
  encoder.dispose(); decoder.dispose();
  return `encoded ${n} images of ${opts.dataDir} with ${opts.modelDir}; run directory ${path.resolve(runDir)}`;
}
