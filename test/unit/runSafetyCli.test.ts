// A hostile or damaged run folder through the real CLI (dist/cli.js, `npm run build` first):
// `latent-lens resume` refuses it with one message naming the file, exit code 1, and leaves
// both the run and a planted folder outside it unchanged (contents and mtimes). A training
// that cannot start leaves no run folder, or one marked failed that says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertUnchanged, plantOutside, snapshotFolder } from './fixtures/plantedFolder';
import { runCli } from './fixtures/runCli';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'samples', 'fashion-mnist-2k');
const small = ['--max-images', '64', '--image-size', '16', '--batch-size', '32', '--latent-dim', '2', '--backend', 'wasm', '--log-every', '1'];

const run = runCli;

let tmp: string;
/** A completed one-epoch run every case copies. */
let base: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'll-hostile-'));
  base = path.join(tmp, 'base');
  const r = await run(['train', sample, '--out', base, '--epochs', '1', ...small]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
});
after(async () => { await fs.rm(tmp, { recursive: true, force: true }); });

let n = 0;
/**
 * Copies the base run, lets `plant` damage it (the planted folder `outside` is beside it), then
 * resumes it for one more epoch through the CLI: the resume must fail with `message` on stderr,
 * and neither the run nor the planted folder may change.
 */
async function resumeRefused(plant: (run: string, outside: string) => Promise<void>, message: RegExp): Promise<void> {
  const parent = path.join(tmp, `case-${++n}`);
  const runDir = path.join(parent, 'run');
  await fs.cp(base, runDir, { recursive: true });
  const outside = await plantOutside(parent);
  await plant(runDir, outside);
  const [outsideBefore, runBefore] = [await snapshotFolder(outside), await snapshotFolder(runDir)];
  const r = await run(['resume', runDir, '--epochs', '2']);
  // First what matters most: nothing outside the run changed.
  await assertUnchanged(outside, outsideBefore, r.stderr);
  assert.equal(r.code, 1, `exit code ${r.code}\n${r.stderr}\n${r.stdout}`);
  assert.match(r.stderr, message);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one message: ${r.stderr}`);
  assert.doesNotMatch(r.stderr + r.stdout, /NaN|is not a function|TypeError|learning rate/);
  await assertUnchanged(runDir, runBefore, `${r.stderr} (the run itself)`);
}

/** Moves a file or folder of the run into the planted folder and leaves a link in its place. */
async function linkOut(runDir: string, outside: string, rel: string): Promise<void> {
  const target = path.join(outside, path.basename(rel));
  await fs.rename(path.join(runDir, rel), target);
  await fs.symlink(target, path.join(runDir, rel));
}
const linkMessage = (rel: string) => new RegExp(`^latent-lens: .*/run/${rel} is a symbolic link \\(to .*outside.*\\)\\. Latent Lens refuses links inside a run folder`);

test('resume refuses a symlinked checkpoints/ (today: every file of its target deleted)', () =>
  resumeRefused((r, o) => linkOut(r, o, 'checkpoints'), linkMessage('checkpoints')));

test('resume refuses a symlinked model/encoder (today: its target overwritten and its files deleted)', () =>
  resumeRefused((r, o) => linkOut(r, o, 'model/encoder'), linkMessage('model/encoder')));

test('resume refuses a symlinked metrics.jsonl and a symlinked status.json', async () => {
  await resumeRefused((r, o) => linkOut(r, o, 'metrics.jsonl'), linkMessage('metrics.jsonl'));
  await resumeRefused((r, o) => linkOut(r, o, 'status.json'), linkMessage('status.json'));
});

test('resume refuses checkpoint.json naming a folder outside the run (relative, absolute, checkpoints/..)', async () => {
  const pointTo = (dir: (outside: string) => string) => async (runDir: string, outside: string) => {
    const pointer = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoint.json'), 'utf8'));
    await fs.cp(path.join(runDir, pointer.dir), path.join(outside, 'ckpt'), { recursive: true });
    await fs.writeFile(path.join(runDir, 'checkpoint.json'), JSON.stringify({ ...pointer, dir: dir(outside) }));
  };
  const invalid = /^latent-lens: .*\/run\/checkpoint\.json is not a valid checkpoint pointer: dir: must be checkpoints\/<name>/;
  await resumeRefused(pointTo(() => '../outside/ckpt'), invalid);
  await resumeRefused(pointTo((o) => path.join(o, 'ckpt')), invalid);
  await resumeRefused(pointTo(() => 'checkpoints/..'), /^latent-lens: .*\/run\/checkpoint\.json names the checkpoint folder "checkpoints\/\.\.", which leaves the run folder/);
});

test('resume refuses a truncated data/pixels.u8, naming it (today: "the loss became NaN … try a lower learning rate")', () =>
  resumeRefused(async (r) => {
    const file = path.join(r, 'data/pixels.u8');
    await fs.writeFile(file, (await fs.readFile(file)).subarray(0, 1000));
  }, /^latent-lens: .*\/run\/data\/pixels\.u8 is truncated: it holds 1000 bytes, but dataset\.json lists 64 images of 16×16×1 = 16384 bytes/));

test('resume refuses a malformed dataset.json, naming it and the bad key (today: "o.images.flatMap is not a function")', () =>
  resumeRefused(async (r) => {
    const file = path.join(r, 'dataset.json');
    await fs.writeFile(file, JSON.stringify({ ...JSON.parse(await fs.readFile(file, 'utf8')), images: { '0': 'a.png' } }));
  }, /^latent-lens: .*\/run\/dataset\.json is not a valid dataset index: images: /));

test('train on a folder whose images all fail to decode: one message with the count, a run marked failed holding the reasons', async () => {
  const data = path.join(tmp, 'undecodable');
  await fs.mkdir(path.join(data, 'cats'), { recursive: true });
  for (const name of ['a.png', 'b.png', 'c.jpg']) await fs.writeFile(path.join(data, 'cats', name), 'not an image');
  const out = path.join(tmp, 'undecodable-run');
  const r = await run(['train', data, '--out', out, ...small]);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  const datasetFile = path.join(out, 'dataset.json');
  assert.match(r.stderr, new RegExp(`^latent-lens: no usable image in ".*undecodable": 3 files could not be decoded \\(reasons in ${datasetFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), e\\.g\\. cats/a\\.png: `));
  assert.doesNotMatch(r.stderr, /subfolder per label/);
  const status = JSON.parse(await fs.readFile(path.join(out, 'status.json'), 'utf8'));
  assert.equal(status.status, 'failed');
  assert.match(status.message, /3 files could not be decoded/);
  const dataset = JSON.parse(await fs.readFile(datasetFile, 'utf8'));
  assert.deepEqual([dataset.images.length, dataset.skipped.map((s: { path: string }) => s.path)], [0, ['cats/a.png', 'cats/b.png', 'cats/c.jpg']]);
  assert.equal(existsSync(path.join(out, 'data')), false, 'no pixels of a run that never started');
  // Resuming it is refused with the reason, not a crash.
  const again = await run(['resume', out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /dataset\.json lists no images: there is nothing to train on/);
});

test('train on a folder without image files leaves no run folder behind', async () => {
  const data = path.join(tmp, 'no-images');
  await fs.mkdir(data);
  await fs.writeFile(path.join(data, 'notes.txt'), 'no images here');
  const out = path.join(tmp, 'no-images-run');
  const r = await run(['train', data, '--out', out, ...small]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no image files .* were found; 1 other files skipped, e\.g\. notes\.txt: not an image type \(\.txt\)/);
  assert.equal(existsSync(out), false);
});
