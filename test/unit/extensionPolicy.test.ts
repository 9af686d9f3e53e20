/**
 * What a run folder (untrusted input, issue 14) may make the extension do, and what the extension
 * hands the trainer: "open this image" only inside the run's data folder (runs/datasetImage.ts),
 * where a run lies against the open workspace and when Open Run… offers a resume
 * (runs/runPolicy.ts), the TrainRequest of Train on Folder (runs/launchRequest.ts), and the
 * wizard's validation by the schema (commands/wizardFields.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveDatasetImage } from '../../src/extension/runs/datasetImage';
import { requestFromCommandArgs } from '../../src/extension/runs/launchRequest';
import { isInsideAny, realPathOf, resumeOffer } from '../../src/extension/runs/runPolicy';
import { parseWizardField, validateWizardField, wizardValues } from '../../src/extension/commands/wizardFields';

function tmp(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A data folder with one image, a run whose dataset.json lists `images` (paths relative to `dataDir`). */
function crafted(images: string[], dataDir?: string) {
  const data = tmp('ll-data-');
  fs.mkdirSync(path.join(data, 'bag'));
  fs.writeFileSync(path.join(data, 'bag', '1.png'), 'png');
  const run = tmp('ll-run-');
  fs.writeFileSync(path.join(run, 'dataset.json'), JSON.stringify({
    dataDir: dataDir ?? data, labels: ['bag'], images: images.map((p) => ({ path: p, label: 0, split: 'train' })),
  }));
  return { data, run };
}

test('open image: an image inside the data folder opens by its real path', async () => {
  const { data, run } = crafted(['bag/1.png']);
  assert.deepEqual(await resolveDatasetImage(run, 0), { file: path.join(data, 'bag', '1.png'), shown: 'bag/1.png' });
});

test('open image: a crafted run cannot open files outside its data folder, nor non-images', async () => {
  const outside = tmp('ll-outside-');
  fs.writeFileSync(path.join(outside, 'secret.png'), 'x');
  const { data, run } = crafted([`../${path.basename(outside)}/secret.png`, path.join(outside, 'secret.png'), 'bag/link.png']);
  // A symbolic link inside the data folder that points out of it.
  fs.symlinkSync(path.join(outside, 'secret.png'), path.join(data, 'bag', 'link.png'));
  for (const i of [0, 2]) {
    const r = await resolveDatasetImage(run, i);
    assert.equal(r.file, undefined, `image ${i} is refused`);
    assert.match(r.problem ?? '', /resolves to .*secret\.png, outside the run's data folder/);
  }
  // An absolute path is taken as relative to the data folder (the format's paths are relative).
  assert.match((await resolveDatasetImage(run, 1)).problem ?? '', /is no longer in the data folder/);
  // dataDir = /etc and a non-image name: refused by type before anything is resolved.
  const etc = crafted(['passwd'], '/etc');
  assert.match((await resolveDatasetImage(etc.run, 0)).problem ?? '', /"passwd" is not an image file/);
  assert.match((await resolveDatasetImage(run, 9)).problem ?? '', /no image number 9/);
  assert.match((await resolveDatasetImage(tmp('ll-empty-'), 0)).problem ?? '', /no dataset index/);
  const gone = crafted(['bag/1.png'], '/nonexistent/data');
  assert.match((await resolveDatasetImage(gone.run, 0)).problem ?? '', /data folder \/nonexistent\/data is not on this machine/);
});

test('open image: a damaged dataset.json is reported with its file name', async () => {
  const run = tmp('ll-run-');
  fs.writeFileSync(path.join(run, 'dataset.json'), '{"dataDir": 3');
  assert.match((await resolveDatasetImage(run, 0)).problem ?? '', /dataset\.json is not valid JSON/);
});

test('a run folder inside the workspace or the runs folder needs no question; outside, or through a link out, it does', () => {
  const ws = tmp('ll-ws-');
  const elsewhere = tmp('ll-elsewhere-');
  fs.mkdirSync(path.join(ws, '.vae-runs'));
  assert.equal(isInsideAny(path.join(ws, '.vae-runs', 'new-run'), [ws]), true, 'a folder that does not exist yet');
  assert.equal(isInsideAny(path.join(ws, '.vae-runs', '..', '..', path.basename(elsewhere)), [ws]), false);
  assert.equal(isInsideAny(elsewhere, [ws]), false);
  assert.equal(isInsideAny(elsewhere, [ws, elsewhere]), true);
  fs.symlinkSync(elsewhere, path.join(ws, 'link'));
  assert.equal(isInsideAny(path.join(ws, 'link', 'run'), [ws]), false, 'a link inside the workspace that leads out of it');
  assert.equal(realPathOf(path.join(ws, 'link', 'a', 'b')), path.join(elsewhere, 'a', 'b'));
  assert.equal(isInsideAny(`${ws}-sibling`, [ws]), false, 'a sibling whose name starts with the workspace name');
});

test('Open Run… offers a resume only in a trusted workspace, for an idle run with a checkpoint', () => {
  assert.equal(resumeOffer({ trusted: true, running: false, resumable: true }), 'offer');
  assert.equal(resumeOffer({ trusted: false, running: false, resumable: true }), 'none', 'Restricted Mode: no resume at all');
  assert.equal(resumeOffer({ trusted: false, running: false, resumable: true, requested: true }), 'none');
  assert.equal(resumeOffer({ trusted: true, running: true, resumable: true }), 'none');
  assert.equal(resumeOffer({ trusted: true, running: false, resumable: false }), 'none');
  assert.equal(resumeOffer({ trusted: true, running: false, resumable: true, requested: true }), 'resume');
  assert.equal(resumeOffer({ trusted: true, running: false, resumable: true, requested: false }), 'none');
});

test('Train on Folder: the settings, then the arguments, validated as one TrainRequest', () => {
  const settings = { imageSize: 28, epochs: 10, beta: 1, backend: 'auto' as const, maxImages: 0 };
  assert.deepEqual(requestFromCommandArgs({ folder: '/d', runDir: '/r', confirm: false, showPanel: false, epochs: 1, backend: undefined }, settings),
    { imageSize: 28, epochs: 1, beta: 1, backend: 'auto', maxImages: 0 });
  assert.throws(() => requestFromCommandArgs({ folder: '/d', epoch: 3 }, settings), /unknown option "epoch"/);
  assert.throws(() => requestFromCommandArgs({ folder: '/d', imageSize: 9 }, settings), /^Error: Latent Lens: cannot train: imageSize: image size 9 is not usable/);
  assert.throws(() => requestFromCommandArgs({ folder: '/d', beta: -1 }, settings), /beta/);
});

test('the wizard validates with the schema: the stage rule with the nearest sizes, strict decimals, bounded epochs', () => {
  assert.equal(validateWizardField('imageSize', '28'), undefined);
  assert.equal(validateWizardField('imageSize', '32x48'), undefined);
  assert.match(validateWizardField('imageSize', '9') ?? '', /nearest valid sizes: 8, 10/);
  assert.match(validateWizardField('imageSize', '4') ?? '', /from 8 to 512/);
  assert.match(validateWizardField('beta', '0x10') ?? '', /"0x10" is not valid/);
  assert.equal(validateWizardField('beta', '0.5'), undefined);
  assert.equal(validateWizardField('beta', '1e-2'), undefined);
  assert.match(validateWizardField('beta', '') ?? '', /not valid/);
  assert.match(validateWizardField('epochs', '0') ?? '', /from 1 to 10000/);
  assert.match(validateWizardField('epochs', '100000') ?? '', /from 1 to 10000/);
  assert.match(validateWizardField('epochs', '2.5') ?? '', /whole number/);
  assert.match(validateWizardField('latentDim', '513') ?? '', /from 1 to 512/);
  assert.equal(parseWizardField('imageSize', ' 32X48 '), '32x48');
  assert.equal(parseWizardField('imageSize', '64'), 64);
  assert.equal(parseWizardField('beta', '4'), 4);
  assert.throws(() => parseWizardField('beta', '0x10'));
  assert.deepEqual(wizardValues({ epochs: 3, beta: 2 }, { beta: 4 }), { imageSize: 28, latentDim: 16, epochs: 3, beta: 4 });
});
