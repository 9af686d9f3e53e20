// The configuration table (src/protocol/config.ts) is THE schema: package.json's settings, the
// CLI flags, the wizard's field validation and the TrainRequest all agree with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PARAMS, settingSpecs, SETTINGS_SECTION, DEFAULT_TRAINING, bottleneckShape, defaultFilters, stagesFor } from '../../src/protocol/config';
import {
  ConfigError, configFromRequest, parseField, parseTrainRequest, parseTrainRequestJson, requestFromFlags, requestFromSettings, trainCommandArgs,
} from '../../src/protocol/trainRequest';
import { RunConfig } from '../../src/protocol/runFormat';

const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'));
const properties: Record<string, Record<string, unknown>> = pkg.contributes.configuration.properties;

test('every setting derived from the schema is in package.json with the same type, default, bounds and enum', () => {
  const specs = settingSpecs();
  assert.ok(specs.length >= 12);
  for (const s of specs) {
    const p = properties[s.key];
    assert.ok(p, `package.json has no setting ${s.key}`);
    assert.equal(p.type, s.type, `${s.key}: type`);
    assert.deepEqual(p.default, s.default, `${s.key}: default`);
    assert.equal(p.minimum, s.minimum, `${s.key}: minimum`);
    assert.equal(p.maximum, s.maximum, `${s.key}: maximum`);
    assert.equal(p.exclusiveMinimum, s.exclusiveMinimum, `${s.key}: exclusiveMinimum`);
    assert.deepEqual(p.enum, s.enum ? [...s.enum] : undefined, `${s.key}: enum`);
  }
});

test('package.json has no latentLens setting the schema does not know', () => {
  const known = new Set(settingSpecs().map((s) => s.key));
  for (const key of Object.keys(properties)) {
    assert.ok(key.startsWith(`${SETTINGS_SECTION}.`), `${key} is outside ${SETTINGS_SECTION}.*`);
    assert.ok(known.has(key), `${key} is in package.json but not in src/protocol/config.ts PARAMS`);
  }
});

test('the defaults of config.json are the table defaults', () => {
  assert.equal(DEFAULT_TRAINING.epochs, PARAMS.epochs.default);
  const { config } = configFromRequest('/data', {});
  assert.ok(RunConfig.safeParse(config).success);
  assert.equal(config.model.imageHeight, PARAMS.imageSize.default);
  assert.equal(config.training.learningRate, PARAMS.learningRate.default);
});

test('parseField: strict decimal numbers, bounds, and clear errors', () => {
  assert.deepEqual(parseField('beta', '4'), { value: 4 });
  assert.deepEqual(parseField('beta', '0.25'), { value: 0.25 });
  assert.deepEqual(parseField('learningRate', '1e-3'), { value: 0.001 });
  for (const bad of ['0x10', '0b1', '', ' ', 'Infinity', 'NaN', '1,5', '-1', '4 nats']) {
    const r = parseField('beta', bad);
    assert.ok(r.error, `beta ${JSON.stringify(bad)} should not parse (got ${JSON.stringify(r)})`);
  }
  assert.match(parseField('beta', '0x10').error!, /^"0x10" is not valid: a number ≥ 0$/);
  assert.match(parseField('epochs', '0').error!, /a whole number from 1 to 10000/);
  assert.ok(parseField('epochs', '10001').error, 'epochs have an upper bound');
  assert.ok(parseField('epochs', '2.5').error);
  assert.deepEqual(parseField('epochs', ' 20 '), { value: 20 });
  assert.ok(parseField('learningRate', '0').error, 'the learning rate must be > 0');
  assert.deepEqual(parseField('backend', 'wasm'), { value: 'wasm' });
  assert.match(parseField('backend', 'gpu').error!, /one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu/);
  assert.deepEqual(parseField('channels', '3'), { value: 3 });
  assert.deepEqual(parseField('confirmBeforeTraining', 'false'), { value: false });
});

test('parseField: the image size follows the model stage rule and suggests the nearest valid sizes', () => {
  assert.deepEqual(parseField('imageSize', '28'), { value: 28 });
  assert.deepEqual(parseField('imageSize', '32x48'), { value: '32x48' });
  assert.deepEqual(parseField('imageSize', '64X64'), { value: 64 });
  for (const [text, nearest] of [['0', '8, 10'], ['7x7', '8, 10'], ['4096', '512, 510'], ['9', '8, 10'], ['30x31', '30, 30x32']]) {
    const r = parseField('imageSize', text);
    assert.ok(r.error, `${text} must not pass`);
    assert.ok(r.error.endsWith(`nearest valid sizes: ${nearest}`), r.error);
  }
  assert.ok(parseField('imageSize', 'big').error);
  // Every size the field accepts builds a model (the stage rule of bottleneckShape).
  for (let h = 8; h <= 80; h++) {
    for (const w of [h, h + 2, h + 1]) {
      const r = parseField('imageSize', `${h}x${w}`);
      if (r.error) continue;
      assert.doesNotThrow(() => bottleneckShape({ imageHeight: h, imageWidth: w, filters: defaultFilters(stagesFor(h, w)) }), `${h}x${w}`);
    }
  }
});

test('the image size rule depends on the arch: conv needs even sides, mlp takes any size in bounds (field, flags, request, settings)', () => {
  assert.match(parseField('imageSize', '29x27').error!, /even for the conv arch.*--arch mlp takes any size.*nearest valid sizes: 28x26, 28$/);
  assert.deepEqual(parseField('imageSize', '29x27', { arch: 'mlp' }), { value: '29x27' });
  assert.deepEqual(parseField('imageSize', '9', { arch: 'mlp' }), { value: 9 });
  assert.match(parseField('imageSize', '7', { arch: 'mlp' }).error!, /from 8 to 512 pixels; nearest valid sizes: 8, 9$/);
  assert.throws(() => parseTrainRequest({ imageSize: 29 }), /imageSize: image size 29 is not usable/);
  assert.throws(() => parseTrainRequest({ imageSize: 29, arch: 'conv' }), /imageSize: image size 29 is not usable/);
  assert.throws(() => parseTrainRequest({ imageSize: 29, preset: 'canonical-cvae' }), /imageSize: image size 29 is not usable/);
  assert.deepEqual(parseTrainRequest({ imageSize: 29, arch: 'mlp' }), { imageSize: 29, arch: 'mlp' });
  assert.deepEqual(parseTrainRequest({ imageSize: '29x27', preset: 'canonical-mlp' }), { imageSize: '29x27', preset: 'canonical-mlp' });
  assert.throws(() => parseTrainRequest({ imageSize: 513, arch: 'mlp' }), /from 8 to 512/);
  // Flags: the arch (or the preset's) decides, whatever the order; a --request's arch counts too.
  assert.deepEqual(requestFromFlags({ 'image-size': '29', arch: 'mlp' }), { imageSize: 29, arch: 'mlp' });
  assert.deepEqual(requestFromFlags({ 'image-size': '29', preset: 'canonical-mlp' }), { imageSize: 29, preset: 'canonical-mlp' });
  assert.deepEqual(requestFromFlags({ 'image-size': '29' }, { arch: 'mlp' }), { imageSize: 29, arch: 'mlp' });
  assert.throws(() => requestFromFlags({ 'image-size': '29' }), /--image-size "29" is not valid: .*conv arch/);
  const { config } = configFromRequest('/data', parseTrainRequest({ imageSize: '29x27', arch: 'mlp', channels: 3 }));
  assert.deepEqual([config.model.arch, config.model.imageHeight, config.model.imageWidth, config.model.channels, config.model.latentDim], ['mlp', 29, 27, 3, 20]);
  assert.deepEqual(requestFromSettings((k) => ({ imageSize: 29, arch: 'mlp' } as Record<string, unknown>)[k]), { imageSize: 29, arch: 'mlp' });
  assert.throws(() => requestFromSettings((k) => ({ imageSize: 29 } as Record<string, unknown>)[k]), /imageSize: image size 29/);
});

test('TrainRequest: validated with zod, errors name the bad key; flags and settings map onto it once', () => {
  assert.throws(() => parseTrainRequest({ epochs: 0 }), (e: Error) => e instanceof ConfigError && /epochs: /.test(e.message));
  assert.throws(() => parseTrainRequest({ epoch: 3 }), /Unrecognized key: "epoch"/);
  assert.throws(() => parseTrainRequest({ imageSize: 9 }), /imageSize: image size 9 is not usable.*nearest valid sizes: 8, 10/);
  assert.throws(() => parseTrainRequest({ beta: '4' }), /beta: /);
  assert.throws(() => parseTrainRequestJson('{epochs: 3}'), /--request is not valid JSON/);
  const request = parseTrainRequest({ imageSize: '32x48', beta: 4, backend: 'wasm', epochs: 3 });
  const { config } = configFromRequest('/data', request);
  assert.deepEqual([config.model.imageHeight, config.model.imageWidth, config.model.filters], [32, 48, [32, 64, 128]]);
  assert.equal(config.training.beta, 4);
  // Flags give the same request as the JSON, and override it.
  assert.deepEqual(requestFromFlags({ 'image-size': '32x48', beta: '4', backend: 'wasm', epochs: '3' }), request);
  assert.equal(requestFromFlags({ beta: '2' }, request).beta, 2);
  assert.throws(() => requestFromFlags({ beta: '0x10' }), /--beta "0x10" is not valid/);
  // The command line the extension forks carries the request as one validated JSON value.
  const args = trainCommandArgs('/data', '/runs/a', request);
  assert.deepEqual(args.slice(0, 5), ['train', '/data', '--out', '/runs/a', '--request']);
  assert.deepEqual(JSON.parse(args[5]), request);
  // Settings: every training setting is a request key.
  const settings: Record<string, unknown> = { imageSize: 64, latentDim: 8, epochs: 5, beta: 1, batchSize: 64, learningRate: 0.002, klWarmupSteps: 100, freeBits: 0.5, backend: 'cpu', maxImages: 0, runsDirectory: 'x', maxPoints: 100 };
  const fromSettings = requestFromSettings((k) => settings[k]);
  assert.deepEqual(fromSettings, { imageSize: 64, latentDim: 8, epochs: 5, beta: 1, batchSize: 64, learningRate: 0.002, klWarmupSteps: 100, freeBits: 0.5, maxImages: 0, backend: 'cpu' });
});
