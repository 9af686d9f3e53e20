// The models of issue 12 as a user runs them: the built dist/cli.js trains a small conditional
// model on the embedded sample, `samples --label` writes its PNG grid, and a folder with a label
// the model was not trained with is refused by samples, eval and encode with a message naming it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { runCli } from './fixtures/runCli';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const small = ['--max-images', '160', '--image-size', '16', '--batch-size', '32', '--latent-dim', '4', '--backend', 'wasm', '--log-every', '1'];

const run = runCli;

let tmp = '';
let runDir = '';
let labels: string[] = [];

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'll-models-'));
  runDir = path.join(tmp, 'run');
  const r = await run(['train', sample, '--out', runDir, '--epochs', '1', '--conditional', ...small]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /conditional conv VAE \(10 labels\), latent 4/);
  labels = JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8')).model.labels;
});
after(async () => { if (tmp) await fs.rm(tmp, { recursive: true, force: true }); });

test('a conditional run stores its label list with the model; samples --label writes a PNG grid of the right size', async () => {
  assert.deepEqual(labels, [...labels].sort());
  assert.equal(labels.length, 10);
  const out = path.join(tmp, 'samples.png');
  const r = await run(['samples', runDir, '--label', 'trouser', '--count', '10', '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual([info.count, info.columns, info.rows, info.tileHeight, info.channels, info.gap, info.label], [10, 4, 3, 16, 1, 2, 'trouser']);
  const meta = await sharp(out).metadata();
  // 4 columns of 16 px + 5 gaps of 2 px, 3 rows.
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 4 * 16 + 5 * 2, 3 * 16 + 4 * 2]);
});

test('samples with a label the model does not know exits 1 naming it and the labels it knows', async () => {
  const r = await run(['samples', runDir, '--label', 'wolf', '--out', path.join(tmp, 'wolf.png')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /label "wolf" is not one the model was trained with; its labels: "ankle-boot", "bag"/);
  assert.ok(!existsSync(path.join(tmp, 'wolf.png')));
  const none = await run(['samples', runDir, '--out', path.join(tmp, 'x.png')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /give --label, one of "ankle-boot"/);
});

test('the other pictures of a conditional run decode with labels: recon and interpolate with each image\'s own, traverse from z = 0 with --label', async () => {
  const recon = await run(['recon', runDir, '--n', '4', '--out', path.join(tmp, 'recon.png'), '--json']);
  assert.equal(recon.code, 0, recon.stderr);
  assert.deepEqual(JSON.parse(recon.stdout.trim().split('\n').pop()!).count, 8);
  const inter = await run(['interpolate', runDir, '--from', '0', '--to', '5', '--steps', '4', '--out', path.join(tmp, 'inter.png'), '--json']);
  assert.equal(inter.code, 0, inter.stderr);
  const info = JSON.parse(inter.stdout.trim().split('\n').pop()!);
  assert.ok(labels.includes(info.label), `the steps are decoded with image 0's own label (${info.label})`);
  const bare = await run(['traverse', runDir, '--steps', '3', '--n', '2', '--out', path.join(tmp, 'trav-none.png')]);
  assert.equal(bare.code, 1);
  assert.match(bare.stderr, /traverse from z = 0 needs --label, one of "ankle-boot"/);
  assert.ok(!existsSync(path.join(tmp, 'trav-none.png')));
  const trav = await run(['traverse', runDir, '--steps', '3', '--n', '2', '--label', 'bag', '--out', path.join(tmp, 'trav.png')]);
  assert.equal(trav.code, 0, trav.stderr);
  const meta = await sharp(path.join(tmp, 'trav.png')).metadata();
  assert.deepEqual([meta.width, meta.height], [3 * 16 + 4 * 2, 2 * 16 + 3 * 2]);
  const n = await run(['samples', runDir, '--label', 'bag', '--n', '4', '--temperature', '0.5', '--out', path.join(tmp, 's4.png'), '--json']);
  assert.equal(n.code, 0, n.stderr);
  assert.match(JSON.parse(n.stdout.trim().split('\n').pop()!).what, /temperature 0\.5.*decoded as "bag"/);
});

test('eval and encode map a folder\'s labels onto the model\'s; an unknown label is a clear error naming it', async () => {
  const folder = path.join(tmp, 'with-wolf');
  for (const label of ['bag', 'trouser']) {
    await fs.mkdir(path.join(folder, label), { recursive: true });
    for (const f of (await fs.readdir(path.join(sample, label))).slice(0, 3)) await fs.copyFile(path.join(sample, label, f), path.join(folder, label, f));
  }
  const ok = await run(['eval', runDir, '--data', folder, '--json', '--backend', 'wasm']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout.trim().split('\n').pop()!).images, 6, 'a subset of the labels in another order maps by name');
  await fs.mkdir(path.join(folder, 'wolf'));
  await fs.copyFile(path.join(folder, 'bag', (await fs.readdir(path.join(folder, 'bag')))[0]), path.join(folder, 'wolf', 'w.png'));
  const bad = await run(['eval', runDir, '--data', folder, '--json', '--backend', 'wasm']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /has the label "wolf", which the conditional model was not trained with/);
  const enc = await run(['encode', runDir, folder, '--out', path.join(tmp, 'encoded'), '--backend', 'wasm']);
  assert.equal(enc.code, 1);
  assert.match(enc.stderr, /has the label "wolf", which the conditional model was not trained with/);
  await fs.rm(path.join(folder, 'wolf'), { recursive: true });
  const enc2 = await run(['encode', runDir, folder, '--out', path.join(tmp, 'encoded'), '--backend', 'wasm']);
  assert.equal(enc2.code, 0, enc2.stderr + enc2.stdout);
  const cfg = JSON.parse(await fs.readFile(path.join(tmp, 'encoded', 'config.json'), 'utf8'));
  assert.deepEqual([cfg.model.conditional, cfg.model.arch, cfg.model.labels], [true, 'conv', labels]);
});

test('encode on a bare conditional model folder (encoder/ and decoder/ copied out of the run) reads the label list from the model itself', async () => {
  const bare = path.join(tmp, 'bare-model');
  await fs.cp(path.join(runDir, 'model'), bare, { recursive: true });
  const stored = JSON.parse(await fs.readFile(path.join(bare, 'decoder', 'model.json'), 'utf8')).userDefinedMetadata;
  assert.deepEqual(stored.latentLens.model.labels, labels, 'model.json records the label list');
  const folder = path.join(tmp, 'bare-data');
  for (const label of ['sneaker', 'bag']) {
    await fs.mkdir(path.join(folder, label), { recursive: true });
    for (const f of (await fs.readdir(path.join(sample, label))).slice(0, 2)) await fs.copyFile(path.join(sample, label, f), path.join(folder, label, f));
  }
  const ok = await run(['encode', bare, folder, '--out', path.join(tmp, 'bare-encoded'), '--backend', 'wasm']);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  const cfg = JSON.parse(await fs.readFile(path.join(tmp, 'bare-encoded', 'config.json'), 'utf8'));
  assert.deepEqual([cfg.model.conditional, cfg.model.arch, cfg.model.likelihood, cfg.model.labels], [true, 'conv', 'bernoulli', labels]);
  // The encoded run's own model keeps the record.
  const again = JSON.parse(await fs.readFile(path.join(tmp, 'bare-encoded', 'model', 'encoder', 'model.json'), 'utf8')).userDefinedMetadata;
  assert.deepEqual(again.latentLens.model.labels, labels);
  await fs.mkdir(path.join(folder, 'wolf'));
  await fs.copyFile(path.join(folder, 'bag', (await fs.readdir(path.join(folder, 'bag')))[0]), path.join(folder, 'wolf', 'w.png'));
  const bad = await run(['encode', bare, folder, '--out', path.join(tmp, 'bare-wolf'), '--backend', 'wasm']);
  assert.equal(bad.code, 1, bad.stdout);
  assert.match(bad.stderr, /has the label "wolf", which the conditional model was not trained with: a conditional model decodes only the labels it was trained on \("ankle-boot", "bag", .*"tshirt-top"\)/);
  assert.ok(!existsSync(path.join(tmp, 'bare-wolf', 'config.json')), 'nothing written for a refused folder');
});

test('a bare conditional model folder without the record (saved before it existed) is refused with a message saying why', async () => {
  const old = path.join(tmp, 'old-model');
  await fs.cp(path.join(runDir, 'model'), old, { recursive: true });
  for (const part of ['encoder', 'decoder']) {
    const file = path.join(old, part, 'model.json');
    const json = JSON.parse(await fs.readFile(file, 'utf8'));
    delete json.userDefinedMetadata;
    await fs.writeFile(file, JSON.stringify(json));
  }
  const r = await run(['encode', old, path.join(sample), '--out', path.join(tmp, 'old-encoded'), '--backend', 'wasm']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /is conditional .* but its label list is unknown: .*give the run folder it was trained in/);
});

test('--arch mlp takes any image size and channel count (29×27×3 trains one step); the conv arch refuses an odd side naming the rule', async () => {
  const mlp = await run(['train', sample, '--out', path.join(tmp, 'mlp-odd'), '--arch', 'mlp', '--image-size', '29x27', '--channels', '3', '--epochs', '1', '--max-images', '32', '--batch-size', '32', '--val-split', '0', '--backend', 'wasm']);
  assert.equal(mlp.code, 0, mlp.stderr + mlp.stdout);
  const cfg = JSON.parse(await fs.readFile(path.join(tmp, 'mlp-odd', 'config.json'), 'utf8'));
  assert.deepEqual([cfg.model.arch, cfg.model.imageHeight, cfg.model.imageWidth, cfg.model.channels], ['mlp', 29, 27, 3]);
  assert.ok(existsSync(path.join(tmp, 'mlp-odd', 'model', 'decoder', 'model.json')));
  const conv = await run(['train', sample, '--out', path.join(tmp, 'conv-odd'), '--image-size', '29x27', '--epochs', '1', '--max-images', '32', '--backend', 'wasm']);
  assert.equal(conv.code, 2, 'a usage error');
  assert.match(conv.stderr, /--image-size "29x27" is not valid: .*even for the conv arch.*--arch mlp takes any size/);
  assert.ok(!existsSync(path.join(tmp, 'conv-odd', 'config.json')));
});
