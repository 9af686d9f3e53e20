import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/ladder';
import { createAdam, type FusedAdamOptimizer } from '../../src/backend/fusedAdam';
import { buildDecoder, buildEncoder, splitMuLogVar } from '../../src/model/vae';
import { klPerImageAndDim, klWarmupWeight, reconstructionPerImage, vaeLoss } from '../../src/model/loss';
import { PRESETS, bottleneckShape, stagesFor, modelForSize, DEFAULT_TRAINING } from '../../src/protocol/config';
import { VaeModel } from '../../src/model/vaeModel';
import type { ModelConfig } from '../../src/protocol/trainerIpc';

before(async () => { await tf.setBackend('cpu'); });

const tiny: ModelConfig = { imageHeight: 8, imageWidth: 12, channels: 1, latentDim: 3, filters: [4], likelihood: 'bernoulli' };

test('canonical preset is the model of CANONICAL.md, layer by layer', () => {
  const enc = buildEncoder(PRESETS.canonical.model);
  const dec = buildDecoder(PRESETS.canonical.model);
  const shapes = (m: tf.LayersModel) => m.layers.map((l) => `${l.getClassName()}${JSON.stringify(l.outputShape)}`);
  assert.deepEqual(shapes(enc), ['InputLayer[null,28,28,1]', 'Conv2D[null,14,14,32]', 'Conv2D[null,7,7,64]', 'Flatten[null,3136]', 'Dense[null,32]']);
  assert.deepEqual(shapes(dec), ['InputLayer[null,16]', 'Dense[null,3136]', 'Reshape[null,7,7,64]', 'Conv2DTranspose[null,14,14,64]', 'Conv2DTranspose[null,28,28,32]', 'Conv2DTranspose[null,28,28,1]']);
  const cfg = (m: tf.LayersModel, i: number) => m.layers[i].getConfig() as Record<string, unknown>;
  assert.deepEqual([cfg(enc, 1).kernelSize, cfg(enc, 1).strides, cfg(enc, 1).padding, cfg(enc, 1).activation], [[3, 3], [2, 2], 'same', 'relu']);
  assert.equal(cfg(dec, 5).activation, 'linear'); // logits
  enc.dispose(); dec.dispose();
});

test('stage count is derived from the image size; sizes 28, 32, 64 and non-square RGB build', () => {
  assert.equal(stagesFor(28, 28), 2);
  assert.equal(stagesFor(32, 32), 3);
  assert.equal(stagesFor(64, 64), 4);
  for (const [h, w, c] of [[28, 28, 1], [32, 32, 3], [64, 64, 3], [32, 48, 3]] as const) {
    const m = modelForSize(h, w, c, 8);
    const enc = buildEncoder(m), dec = buildDecoder(m);
    assert.deepEqual(enc.outputs[0].shape, [null, 16]);
    assert.deepEqual(dec.outputs[0].shape, [null, h, w, c]);
    enc.dispose(); dec.dispose();
  }
  assert.throws(() => bottleneckShape({ ...tiny, imageHeight: 10, filters: [4, 8] }), /not divisible by 2\^2/);
});

test('Bernoulli reconstruction equals BCE with logits computed by hand', () => {
  const x = tf.tensor4d([0, 1, 0.5, 1], [1, 2, 2, 1]);
  const l = tf.tensor4d([-2, 3, 0, -1], [1, 2, 2, 1]);
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const bce = (xv: number, lv: number) => -(xv * Math.log(sig(lv)) + (1 - xv) * Math.log(1 - sig(lv)));
  const expected = bce(0, -2) + bce(1, 3) + bce(0.5, 0) + bce(1, -1);
  assert.ok(Math.abs(reconstructionPerImage(x, l, 'bernoulli').dataSync()[0] - expected) < 1e-5);
  // Gaussian: squared error of the mean sigmoid(l).
  const sq = [[0, -2], [1, 3], [0.5, 0], [1, -1]].reduce((s, [xv, lv]) => s + (sig(lv) - xv) ** 2, 0);
  assert.ok(Math.abs(reconstructionPerImage(x, l, 'gaussian').dataSync()[0] - sq) < 1e-5);
  tf.dispose([x, l]);
});

test('KL per dimension is the analytic Gaussian KL; zero exactly at the prior', () => {
  const mu = tf.tensor2d([[0, 1], [0, -2]]);
  const lv = tf.tensor2d([[0, Math.log(0.5)], [0, 0]]);
  const kl = klPerImageAndDim(mu, lv).arraySync();
  assert.deepEqual(kl[0][0], 0);
  assert.ok(Math.abs(kl[0][1] - 0.5 * (0.5 + 1 - 1 - Math.log(0.5))) < 1e-6);
  assert.ok(Math.abs(kl[1][1] - 2) < 1e-6);
  tf.dispose([mu, lv]);
});

test('β, warm-up and free bits shape the objective as documented', () => {
  const x = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  const logits = tf.fill([2, 2, 2, 1], -3) as tf.Tensor4D;
  const mu = tf.tensor2d([[1, 0.01], [1, 0.01]]);
  const lv = tf.zeros([2, 2]) as tf.Tensor2D;
  const terms = (beta: number, klWeight: number, freeBits: number) => {
    const t = vaeLoss(x, logits, mu, lv, { likelihood: 'bernoulli', beta, klWeight, freeBits });
    const out = { loss: t.loss.dataSync()[0], recon: t.recon.dataSync()[0], kl: t.kl.dataSync()[0], klPerDim: Array.from(t.klPerDim.dataSync()) };
    tf.dispose([t.loss, t.recon, t.kl, t.klPerDim]);
    return out;
  };
  const base = terms(1, 1, 0);
  assert.ok(Math.abs(base.klPerDim[0] - 0.5) < 1e-6 && Math.abs(base.klPerDim[1] - 0.00005) < 1e-6);
  assert.ok(Math.abs(base.loss - (base.recon + base.kl)) < 1e-4);
  assert.ok(Math.abs(terms(4, 1, 0).loss - (base.recon + 4 * base.kl)) < 1e-4, 'β multiplies KL');
  assert.ok(Math.abs(terms(1, 0.25, 0).loss - (base.recon + 0.25 * base.kl)) < 1e-4, 'warm-up multiplies KL');
  assert.ok(Math.abs(terms(1, 1, 0.1).loss - (base.recon + 0.5 + 0.1)) < 1e-4, 'free bits: max(λ, KL_d) per dimension');
  assert.equal(klWarmupWeight(0, 100), 0);
  assert.equal(klWarmupWeight(50, 100), 0.5);
  assert.equal(klWarmupWeight(500, 100), 1);
  assert.equal(klWarmupWeight(3, 0), 1);
  tf.dispose([x, logits, mu, lv]);
});

for (const backend of ['cpu', 'wasm'] as const) test(`a training step leaves no tensor behind and lowers the loss on a fixed batch (${backend}${backend === 'wasm' ? ': training kernels, fused Adam' : ''})`, async () => {
  if (backend === 'wasm') await selectBackend('wasm');
  const model = new VaeModel(tiny, { ...DEFAULT_TRAINING, learningRate: 1e-2, seed: 3 }, { createAdam });
  const x = tf.randomUniform([4, 8, 12, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const first = model.trainStep(x); // creates Adam's moment variables once
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 30; i++) last = model.trainStep(x);
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked by trainStep');
  assert.equal(model.step, 31);
  assert.equal(last.klPerDim.length, 3);
  assert.ok(last.loss < first.loss, `loss did not fall: ${first.loss} → ${last.loss}`);
  if (backend === 'wasm') assert.equal((model.optimizer as FusedAdamOptimizer).fused, true, 'Adam ran fused on wasm');
  else assert.equal(model.optimizer.constructor, tf.AdamOptimizer, 'createAdam gives tf.train.adam off wasm');
  x.dispose();
  model.dispose();
  await tf.setBackend('cpu');
});

test('state round-trips: weights and Adam moments restore to an identical next step', async () => {
  const a = new VaeModel(tiny, { ...DEFAULT_TRAINING, seed: 5 });
  const x = tf.randomUniform([4, 8, 12, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  for (let i = 0; i < 3; i++) a.trainStep(x);
  const state = await a.getState();
  const b = new VaeModel(tiny, { ...DEFAULT_TRAINING, seed: 5 }); // same seed: same ε at the same step
  await b.setState(state);
  b.step = a.step;
  const ra = a.trainStep(x), rb = b.trainStep(x);
  assert.ok(Math.abs(ra.loss - rb.loss) < 1e-4, `${ra.loss} vs ${rb.loss}`);
  await assert.rejects(b.setState(state.filter((s) => !s.name.includes('enc_conv1'))), /checkpoint has no tensor "encoder\/enc_conv1/);
  x.dispose(); a.dispose(); b.dispose();
});

test('encoder output splits into μ and log σ²', () => {
  const enc = tf.tensor2d([[1, 2, 3, 4, 5, 6]]);
  const { mu, logVar } = splitMuLogVar(enc);
  assert.deepEqual(mu.arraySync(), [[1, 2, 3]]);
  assert.deepEqual(logVar.arraySync(), [[4, 5, 6]]);
  tf.dispose([enc, mu, logVar]);
});

test('src/model is pure TensorFlow.js: no node:* module, nothing from src/backend or src/trainer at run time', () => {
  const dir = path.resolve(import.meta.dirname, '..', '..', 'src', 'model');
  const builtins = new Set(builtinModules);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    // Static imports that are not type-only, and dynamic imports.
    const specs = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]);
    for (const spec of specs) {
      assert.ok(!spec.startsWith('node:') && !builtins.has(spec), `${file} imports the Node module ${spec}`);
      if (spec.startsWith('.')) {
        const target = path.relative(path.resolve(dir, '..'), path.resolve(dir, spec));
        assert.ok(!/^(backend|trainer)([/\\]|$)/.test(target), `${file} imports ${spec} (src/${target})`);
      }
    }
  }
});
