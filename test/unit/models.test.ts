// The models of the seed tutorials (issue 12): the MLP VAE, the conditional VAE and the 64×64×3
// conv VAE, held to the PyTorch models of shared/bench/torch_ref.py layer by layer, plus the
// label plumbing (one-hot, label lists mapped by name) and the PNG grid writer.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildDecoder, buildEncoder, decodeToImage, oneHotLabels } from '../../src/model/vae';
import { VaeModel } from '../../src/model/vaeModel';
import { DEFAULT_TRAINING, PRESETS, modelForSize, modelKind } from '../../src/protocol/config';
import { configFromRequest, requestFromFlags, trainFlagOptions, trainUsage } from '../../src/protocol/trainRequest';
import { ModelConfig, RunConfig } from '../../src/protocol/runFormat';
import { labelFeed } from '../../src/trainer/dataset';
import { gridPixels } from '../../src/trainer/pictures/pngGrid';
import { modelLabelIndex } from '../../src/trainer/pictures/samples';
import { benchModel } from '../../src/trainer/bench';

before(async () => { await tf.setBackend('cpu'); });

const TEN = ['ankle-boot', 'bag', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 'trouser', 'tshirt-top'];
const shapes = (m: tf.LayersModel) => m.layers.map((l) => `${l.getClassName()}${JSON.stringify(l.outputShape)}`);
const params = (...ms: tf.LayersModel[]) => ms.reduce((s, m) => s + m.countParams(), 0);
const free = (...ms: tf.LayersModel[]) => ms.forEach((m) => m.dispose());
/** Weight shapes in layer order, tfjs layout (Dense kernel [in, out]; torch's Linear weight is [out, in]). */
const weightShapes = (m: tf.LayersModel) => m.weights.map((w) => w.shape.join('×'));

// Parameter counts of torch_ref.py's models, from `sum(p.numel() for p in m.parameters())`:
//   MlpVAE(20, 28, 1, 0) 652,824 · MlpVAE(20, 28, 1, 10) 660,824 · ConvVAE(16, 28, 1, [32, 64], 0) 228,193
//   ConvVAE(16, 28, 1, [32, 64], 10) 259,873 · ConvVAE(16, 64, 3, [32, 64, 128, 256], 0) 1,567,395
// and by hand for the MLP: (784·400 + 400) + (400·40 + 40) + (20·400 + 400) + (400·784 + 784) = 652,824.
test('canonical-mlp is the MLP VAE of pytorch/examples (torch_ref.py --arch mlp), layer by layer', () => {
  const m = PRESETS['canonical-mlp'].model;
  assert.equal(m.latentDim, 20);
  const enc = buildEncoder(m), dec = buildDecoder(m);
  assert.deepEqual(shapes(enc), ['InputLayer[null,28,28,1]', 'Flatten[null,784]', 'Dense[null,400]', 'Dense[null,40]']);
  assert.deepEqual(shapes(dec), ['InputLayer[null,20]', 'Dense[null,400]', 'Dense[null,784]', 'Reshape[null,28,28,1]']);
  assert.deepEqual(weightShapes(enc), ['784×400', '400', '400×40', '40']);
  assert.deepEqual(weightShapes(dec), ['20×400', '400', '400×784', '784']);
  assert.equal((enc.layers[2].getConfig() as { activation: string }).activation, 'relu');
  assert.equal((dec.layers[1].getConfig() as { activation: string }).activation, 'relu');
  assert.equal((dec.layers[2].getConfig() as { activation: string }).activation, 'linear', 'the decoder returns logits');
  assert.equal(params(enc, dec), 652_824);
  free(enc, dec);
  const cond = { ...m, conditional: true, labels: TEN };
  const ce = buildEncoder(cond), cd = buildDecoder(cond);
  assert.deepEqual(weightShapes(ce), ['794×400', '400', '400×40', '40'], 'the one-hot joins the flattened image before fc1');
  assert.deepEqual(weightShapes(cd), ['30×400', '400', '400×784', '784'], 'and z before fc3');
  assert.equal(params(ce, cd), 660_824);
  free(ce, cd);
});

test('canonical-cvae is the canonical conv VAE made conditional (torch_ref.py --conditional), layer by layer', () => {
  const m: ModelConfig = { ...PRESETS['canonical-cvae'].model, labels: TEN };
  const enc = buildEncoder(m), dec = buildDecoder(m);
  assert.deepEqual(enc.inputs.map((i) => i.shape), [[null, 28, 28, 1], [null, 10]]);
  assert.deepEqual(dec.inputs.map((i) => i.shape), [[null, 16], [null, 10]]);
  assert.deepEqual(shapes(enc), ['InputLayer[null,28,28,1]', 'Conv2D[null,14,14,32]', 'Conv2D[null,7,7,64]', 'Flatten[null,3136]', 'InputLayer[null,10]', 'Concatenate[null,3146]', 'Dense[null,32]']);
  assert.deepEqual(shapes(dec), ['InputLayer[null,16]', 'InputLayer[null,10]', 'Concatenate[null,26]', 'Dense[null,3136]', 'Reshape[null,7,7,64]', 'Conv2DTranspose[null,14,14,64]', 'Conv2DTranspose[null,28,28,32]', 'Conv2DTranspose[null,28,28,1]']);
  assert.equal(params(enc, dec), 259_873);
  // Initialisation as torch's defaults: U(±1/√fan_in), fan_in counting the one-hot (head: 3146, fc: 26).
  const head = enc.getLayer('enc_mu_logvar').getWeights().map((w) => Array.from(w.dataSync()));
  const fc = dec.getLayer('dec_dense').getWeights().map((w) => Array.from(w.dataSync()));
  for (const [w, fanIn] of [[head[0], 3146], [head[1], 3146], [fc[0], 26], [fc[1], 26]] as const) {
    const bound = 1 / Math.sqrt(fanIn);
    const max = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    assert.ok(max <= bound + 1e-7 && max > 0.8 * bound, `weights within ±1/√${fanIn} and spread over it (max ${max}, bound ${bound})`);
  }
  free(enc, dec);
  const plain = PRESETS.canonical.model;
  const pe = buildEncoder(plain), pd = buildDecoder(plain);
  assert.equal(params(pe, pd), 228_193, 'the canonical model is unchanged');
  free(pe, pd);
});

test('64×64×3: the default model has filters 32, 64, 128, 256 and a 4×4×256 bottleneck, as torch_ref.py --size 64 --channels 3', () => {
  const m = modelForSize(64, 64, 3, 16);
  assert.deepEqual(m.filters, [32, 64, 128, 256]);
  const enc = buildEncoder(m), dec = buildDecoder(m);
  assert.deepEqual(enc.layers.at(-2)!.outputShape, [null, 4096]);
  assert.deepEqual(dec.outputs[0].shape, [null, 64, 64, 3]);
  assert.equal(params(enc, dec), 1_567_395);
  free(enc, dec);
  const { config } = configFromRequest('/data', { imageSize: 64, channels: 3 });
  assert.deepEqual(config.model.filters, [32, 64, 128, 256]);
  assert.deepEqual(benchModel({ imageSize: 64, channels: 3 }).filters, [32, 64, 128, 256]);
  assert.deepEqual(benchModel({}).filters, [32, 64], 'bench without model flags: the canonical model');
  // The MLP takes any image size and channels.
  const mlp = { ...m, arch: 'mlp' as const, latentDim: 20 };
  const me = buildEncoder(mlp), md = buildDecoder(mlp);
  assert.deepEqual(md.outputs[0].shape, [null, 64, 64, 3]);
  assert.equal(params(me, md), 9_867_528);
  free(me, md);
});

test('a conditional decoder\'s output changes with the label; the same label gives the same image', () => {
  const m: ModelConfig = { imageHeight: 8, imageWidth: 8, channels: 1, latentDim: 3, filters: [4], likelihood: 'bernoulli', conditional: true, labels: ['a', 'b', 'c'] };
  for (const arch of ['conv', 'mlp'] as const) {
    const dec = buildDecoder({ ...m, arch }, 5);
    const z = tf.randomNormal([1, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const as = (k: number) => decodeToImage(dec, z, oneHotLabels([k], 3));
    const [a, b, a2] = [as(0), as(1), as(0)];
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] > 1e-4, `${arch}: label a and label b decode differently`);
    assert.equal(tf.max(tf.abs(tf.sub(a, a2))).dataSync()[0], 0);
    tf.dispose([z, a, b, a2]);
    free(dec);
  }
  assert.throws(() => buildDecoder({ ...m, labels: undefined }), /needs its label list/);
});

test('a conditional MLP trains: a step with one-hot labels is finite, leaves no tensor behind and lowers the loss', () => {
  const m: ModelConfig = { imageHeight: 8, imageWidth: 8, channels: 3, latentDim: 2, filters: [4], likelihood: 'bernoulli', arch: 'mlp', conditional: true, labels: ['a', 'b'] };
  const vae = new VaeModel(m, { ...DEFAULT_TRAINING, learningRate: 1e-3 });
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 3).round() as tf.Tensor4D;
  const y = oneHotLabels([0, 1, 1, 0], 2);
  const first = vae.trainStep(x, y);
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 20; i++) last = vae.trainStep(x, y);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Number.isFinite(last.loss) && last.loss < first.loss, `${first.loss} → ${last.loss}`);
  const sums = vae.evaluateBatch(x, 1, y);
  assert.equal(sums.images, 4);
  tf.dispose([x, y]);
  vae.dispose();
});

test('presets, flags and settings: --arch mlp (latent 20 unless given), --conditional as a switch, the kind in words', () => {
  const mlp = configFromRequest('/d', { arch: 'mlp' }).config.model;
  assert.equal(mlp.arch, 'mlp');
  assert.equal(mlp.latentDim, 20);
  assert.equal(configFromRequest('/d', { arch: 'mlp', latentDim: 8 }).config.model.latentDim, 8);
  const cvae = configFromRequest('/d', { preset: 'canonical-cvae' }).config;
  assert.deepEqual([cvae.model.arch, cvae.model.conditional, cvae.model.latentDim, cvae.training.batchSize], ['conv', true, 16, 128]);
  assert.ok(RunConfig.safeParse(cvae).success);
  assert.deepEqual(configFromRequest('/d', { preset: 'canonical-mlp' }).config.model.arch, 'mlp');
  assert.equal(configFromRequest('/d', {}).config.model.conditional, false);
  assert.deepEqual(trainFlagOptions().conditional, { type: 'boolean' });
  assert.deepEqual(trainFlagOptions().arch, { type: 'string' });
  assert.equal(requestFromFlags({ conditional: true, arch: 'mlp' }).conditional, true);
  assert.throws(() => requestFromFlags({ arch: 'transformer' }), /--arch "transformer" is not valid: one of conv, mlp/);
  assert.match(trainUsage(), /\[--conditional\]/);
  assert.match(trainUsage(), /\[--arch conv\|mlp\]/);
  // Runs written before these fields: a conv, unconditional model.
  const old = ModelConfig.parse({ imageHeight: 28, imageWidth: 28, channels: 1, latentDim: 16, filters: [32, 64], likelihood: 'bernoulli' });
  assert.equal(modelKind(old), 'conv VAE');
  assert.equal(modelKind({ arch: 'mlp', conditional: true, labels: TEN }), 'conditional MLP VAE (10 labels)');
});

test('a folder\'s labels map onto a conditional model\'s labels by name; an unknown label is a clear error naming it', () => {
  const model = { conditional: true, labels: ['cat', 'dog', 'fox'] };
  const images = [{ path: 'dog/1.png', label: 0, split: 'train' as const }, { path: 'fox/1.png', label: 1, split: 'train' as const }];
  const feed = labelFeed(model, { labels: ['dog', 'fox'], images, dataDir: '/data' })!;
  assert.deepEqual(Array.from(feed.rows), [1, 2]);
  assert.equal(feed.count, 3);
  assert.equal(labelFeed({ conditional: false }, { labels: ['x'], images, dataDir: '/d' }), undefined);
  assert.throws(() => labelFeed(model, { labels: ['dog', 'wolf'], images, dataDir: '/data' }), (e: Error) => {
    assert.match(e.message, /\/data has the label "wolf", which the conditional model was not trained with/);
    assert.match(e.message, /"cat", "dog", "fox"/);
    return true;
  });
  // A label with no image left (e.g. an empty subfolder) is not an error.
  assert.doesNotThrow(() => labelFeed(model, { labels: ['dog', 'wolf'], images: [images[0]], dataDir: '/data' }));
  const m: ModelConfig = { ...PRESETS['canonical-cvae'].model, labels: TEN };
  assert.equal(modelLabelIndex(m, 'trouser'), 8);
  assert.throws(() => modelLabelIndex(m, 'hat'), /label "hat" is not one the model was trained with; its labels: "ankle-boot"/);
  assert.throws(() => modelLabelIndex(m, undefined), /give --label, one of/);
  assert.throws(() => modelLabelIndex(PRESETS.canonical.model, 'trouser'), /--label needs a conditional model/);
});

test('PNG grid: tiles in a near-square grid with padding, grey or colour', () => {
  const tiles = { pixels: new Float32Array(5 * 2 * 3 * 3).fill(1), count: 5, height: 2, width: 3, channels: 3 as const };
  const g = gridPixels(tiles, { rows: 2, cols: 3, gap: 1 });
  assert.deepEqual([g.width, g.height], [3 * 3 + 4, 2 * 2 + 3]);
  assert.equal(g.data.length, g.width * g.height * 3);
  const at = (x: number, y: number) => g.data[(y * g.width + x) * 3];
  assert.equal(at(0, 0), 0, 'padding');
  assert.equal(at(1, 1), 255, 'first tile');
  assert.equal(at(g.width - 2, g.height - 2), 0, 'the sixth cell is empty');
});
