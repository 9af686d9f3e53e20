/**
 * Writes a synthetic run directory (docs/run-directory.md) for developing and benchmarking the
 * panel without training: a random (untrained) conv decoder saved in layers format, clustered
 * random μ, patterned pixels. Usage: node --import tsx test/browser/makeFakeRun.ts <dir> [count] [latentDim]
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export async function makeFakeRun(dir: string, count = 2000, latentDim = 16, withProjection = false): Promise<void> {
  const H = 28, W = 28, C = 1, L = 10;
  for (const d of ['latents', 'data', 'model/decoder']) mkdirSync(path.join(dir, d), { recursive: true });
  const labels = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  const config = {
    version: 1, dataDir: '/data/fake', preset: 'fake',
    model: { imageHeight: H, imageWidth: W, channels: C, latentDim, filters: [32, 64], likelihood: 'bernoulli' },
    training: { epochs: 3, batchSize: 64, learningRate: 1e-3, beta: 1, klWarmupSteps: 0, freeBits: 0, seed: 1, valSplit: 0.1, maxImages: 0, backend: 'cpu', logEvery: 10 },
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status: 'completed', step: 300, epoch: 3, backend: 'cpu', message: 'done', updated: Date.now() }));
  let seed = 42;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const images = [];
  const mu = new Float32Array(count * latentDim);
  const pixels = new Uint8Array(count * H * W * C);
  const centers = Array.from({ length: L }, () => Array.from({ length: latentDim }, (_, d) => (d < 6 ? gauss() * 2 : 0)));
  for (let i = 0; i < count; i++) {
    const l = i % L;
    images.push({ path: `${labels[l]}/img_${i}.png`, label: l, split: i % 10 === 9 ? 'val' : 'train' });
    for (let d = 0; d < latentDim; d++) mu[i * latentDim + d] = centers[l][d] + gauss() * (d < 6 ? 0.6 : 0.02);
    for (let p = 0; p < H * W; p++) {
      const y = Math.floor(p / W), x = p % W;
      pixels[i * H * W + p] = Math.abs(x - 14) < 4 + l && Math.abs(y - 14) < 10 - (l % 5) ? 200 + Math.floor(rnd() * 55) : 0;
    }
  }
  writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify({ dataDir: '/data/fake', labels, images, skipped: [] }));
  writeFileSync(path.join(dir, 'latents/index.json'), JSON.stringify({ epoch: 3, step: 300, count, latentDim }));
  writeFileSync(path.join(dir, 'latents/mu.f32'), Buffer.from(mu.buffer));
  writeFileSync(path.join(dir, 'latents/logvar.f32'), Buffer.alloc(count * latentDim * 4));
  writeFileSync(path.join(dir, 'data/pixels.u8'), Buffer.from(pixels.buffer));
  const lines: string[] = [];
  for (let s = 10; s <= 300; s += 10) {
    const e = Math.ceil(s / 100);
    const klPerDim = Array.from({ length: latentDim }, (_, d) => (d < 6 ? 3 - d * 0.4 + rnd() * 0.2 : rnd() * 0.005));
    lines.push(JSON.stringify({ kind: 'step', step: s, epoch: e, loss: 300 / Math.sqrt(s) + 100 + rnd() * 10, recon: 280 / Math.sqrt(s) + 90 + rnd() * 10, kl: 10 + rnd(), klPerDim, klWeight: 1, imagesPerSec: 500, time: Date.now() }));
    if (s % 100 === 0) lines.push(JSON.stringify({ kind: 'epoch', epoch: e, step: s, valNegElbo: 120 - e * 5, valRecon: 110 - e * 5, valKl: 10, klPerDim, activeUnits: 6, time: Date.now() }));
  }
  writeFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  if (withProjection) {
    const x: number[] = [], y: number[] = [];
    for (let i = 0; i < count; i++) { x.push(mu[i * latentDim]); y.push(mu[i * latentDim + 1]); }
    writeFileSync(path.join(dir, 'latents/projection.json'), JSON.stringify({ epoch: 3, method: 'pca', x, y }));
  }
  await tf.setBackend('cpu');
  const z = tf.input({ shape: [latentDim] });
  let h = tf.layers.dense({ units: 7 * 7 * 64, activation: 'relu' }).apply(z) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [7, 7, 64] }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.conv2dTranspose({ filters: C, kernelSize: 3, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: z, outputs: out, name: 'decoder' });
  await model.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(path.join(dir, 'model/decoder/weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
    writeFileSync(path.join(dir, 'model/decoder/model.json'), JSON.stringify({
      modelTopology: a.modelTopology, format: 'layers-model', generatedBy: 'fake', convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

if (process.argv[1] && process.argv[1].endsWith('makeFakeRun.ts')) {
  const [dir, n, d] = process.argv.slice(2);
  makeFakeRun(dir, n ? Number(n) : 2000, d ? Number(d) : 16, process.argv.includes('--projection')).then(() => console.log('wrote', dir));
}
