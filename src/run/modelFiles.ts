/**
 * TensorFlow.js layers models in a run (model/encoder, model/decoder): save and load. The only
 * module of src/run that imports TensorFlow.js — the extension bundle must not import it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LayersModelJson } from '../protocol/runFormat';
import { writeFileAtomic, writeJsonAtomic } from './atomic';
import { MODEL_JSON, WEIGHTS_PREFIX } from './paths';
import { RunFileError, readModelFolder } from './reader';

/**
 * Saves a LayersModel as <dir>/model.json + a weights file, in the format tf.loadLayersModel
 * reads. The weights get a fresh file name each save and model.json is renamed into place
 * last, so model.json always names a complete weights file.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightsName = `${WEIGHTS_PREFIX}${Date.now().toString(36)}.bin`;
    const weightData = artifacts.weightData as ArrayBuffer;
    await writeFileAtomic(path.join(dir, weightsName), new Uint8Array(weightData));
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology as Record<string, unknown>,
      weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs as LayersModelJson['weightsManifest'][number]['weights'] }],
    };
    await writeJsonAtomic(path.join(dir, MODEL_JSON), modelJson);
    for (const f of await fs.readdir(dir)) {
      if (f.startsWith(WEIGHTS_PREFIX) && f !== weightsName) await fs.rm(path.join(dir, f), { force: true });
    }
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
  }));
}

/** Reads model.json and its weights from a folder: the artifacts tf.loadLayersModel needs. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const folder = await readModelFolder(dir);
  if (!folder) throw new RunFileError(path.join(dir, MODEL_JSON), 'is missing');
  const { modelJson, weights } = folder;
  return {
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
  };
}

export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(dir)));
}
