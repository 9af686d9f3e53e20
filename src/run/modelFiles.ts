/**
 * TensorFlow.js layers models in a run (model/encoder, model/decoder): save and load. The only
 * module of src/run that imports TensorFlow.js — the extension bundle must not import it.
 * Paths go through the path guard (./safePath), from the run folder when the model folder is a
 * run's (./reader modelLocation): a linked model/ or model/encoder is refused, never written through.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelConfig, type LayersModelJson } from '../protocol/runFormat';
import { MODEL_METADATA_KEY } from '../model/vae';
import { writeRunFile, writeRunJson } from './atomic';
import { MODEL_JSON, MODEL_PARTS, RUN_FILES, WEIGHTS_PREFIX } from './paths';
import { RunFileError, modelLocation, readModelFolder } from './reader';
import { listRunDir, removeOwnedFile } from './safePath';

/**
 * Saves a LayersModel as <dir>/model.json + a weights file, in the format tf.loadLayersModel
 * reads. The weights get a fresh file name each save and model.json is renamed into place
 * last, so model.json always names a complete weights file; then older weights files (regular
 * files named weights-*, by lstat) are deleted.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  const at = modelLocation(dir);
  await saveAt(model, at.root, at.rel);
}

/** Saves a run's encoder or decoder (model/encoder, model/decoder). */
export function saveRunModel(run: string, part: keyof typeof MODEL_PARTS, model: tf.LayersModel): Promise<void> {
  return saveAt(model, run, `${RUN_FILES.model}/${MODEL_PARTS[part]}`);
}

async function saveAt(model: tf.LayersModel, root: string, rel: string): Promise<void> {
  const inDir = (name: string) => (rel ? `${rel}/${name}` : name);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightsName = `${WEIGHTS_PREFIX}${Date.now().toString(36)}.bin`;
    const weightData = artifacts.weightData as ArrayBuffer;
    await writeRunFile(root, inDir(weightsName), new Uint8Array(weightData));
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology as Record<string, unknown>,
      weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs as LayersModelJson['weightsManifest'][number]['weights'] }],
      // The model's own description (src/model/vae.ts MODEL_METADATA_KEY): what it is, and a conditional model's labels.
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    };
    await writeRunJson(root, inDir(MODEL_JSON), modelJson);
    for (const f of await listRunDir(root, rel)) {
      if (f.name.startsWith(WEIGHTS_PREFIX) && f.name !== weightsName && f.isFile()) await removeOwnedFile(root, inDir(f.name));
    }
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
  }));
}

/** Reads model.json and its weights from a folder: the artifacts tf.loadLayersModel needs. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const folder = await readModelFolder(dir);
  if (!folder) throw new RunFileError(path.join(dir, MODEL_JSON), 'is missing', 'missing');
  const { modelJson, weights } = folder;
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    ...(isRecord(modelJson.userDefinedMetadata) ? { userDefinedMetadata: modelJson.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'] } : {}),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The ModelConfig a model carries in its model.json (`userDefinedMetadata.latentLens.model`,
 * written by every model Latent Lens builds since the label list moved into the model): its
 * shape, arch, likelihood and a conditional model's labels, in one-hot order. undefined for a
 * model without it (trained before, or by other software) or whose record does not parse.
 */
export function storedModelConfig(model: tf.LayersModel): ModelConfig | undefined {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const mine = isRecord(meta) ? meta[MODEL_METADATA_KEY] : undefined;
  const parsed = ModelConfig.safeParse(isRecord(mine) ? mine.model : undefined);
  return parsed.success ? parsed.data : undefined;
}

/** Loads a layers model; a model.json whose topology or weights do not fit is a RunFileError naming it. */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new RunFileError(path.join(dir, MODEL_JSON), `cannot be loaded as a TensorFlow.js layers model: ${(e as Error).message}`);
  }
}
