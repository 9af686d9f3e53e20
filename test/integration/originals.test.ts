/**
 * Originals on demand in a real VS Code panel (issue 13): a run whose pixels pass the snapshot's
 * budget (16 MB: 25,000 images of 28×28) is shown without them, and the page asks the extension
 * for the rows it shows (`images` request, read by offset from data/pixels.u8). What a user
 * checks: the pinned point's original beside its decoded image is that image's own pixels.
 * Runs on a synthetic run of its own (test/browser/makeFakeRun.ts), so `--grep` works alone.
 */
import type {} from 'mocha';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentLensApi } from '../../src/extension/extension';
import type { LatentPanel } from '../../src/extension/panel/latentPanel';
import { makeFakeRun } from '../browser/makeFakeRun';
import { waitFor as waitForShared, type Probe } from './waitFor';
import { askPage } from './askPage';
import { showRunPanel } from './showRunPanel';

const N = 25_000, SIZE = 28 * 28;
const waitFor = <T>(what: string, probe: Probe<T>, timeoutMs = 60_000, everyMs = 300): Promise<T> => waitForShared(what, probe, timeoutMs, everyMs);

interface CanvasView { original: string | null; label: string | null; red: number[] }

const ask = <T>(lp: LatentPanel, op: string, args?: unknown) => askPage<T>(lp, op, args);

describe('Latent Lens originals on demand', function () {
  let api: LatentLensApi;
  let tmp: string, runDir: string, pixels: Buffer;

  before(async function () {
    const ext = vscode.extensions.getExtension<LatentLensApi>('latent-lens.latent-lens');
    assert.ok(ext);
    api = await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latent-lens-originals-'));
    runDir = path.join(tmp, 'run');
    await makeFakeRun(runDir, N, 8, true);
    pixels = fs.readFileSync(path.join(runDir, 'data', 'pixels.u8'));
    assert.ok(pixels.length > 16 * 2 ** 20, 'the run is past the snapshot\'s pixel budget');
  });

  after(function () {
    api?.panel(runDir)?.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a pinned point of a 25,000-image run shows its own original, fetched from the extension', async function () {
    const lp = await showRunPanel(api, runDir);
    for (const row of [7, 12_345, N - 1]) {
      await ask(lp, 'set', { pinnedRow: row, hovered: null });
      const shown = await waitFor(`the original of row ${row}`, async () => {
        const c = await ask<CanvasView>(lp, 'canvas', { selector: '#ll-original' });
        return c && c.original === 'shown' && c.label?.includes(`img_${row}.png`) && c;
      });
      assert.deepEqual(shown.red, Array.from(pixels.subarray(row * SIZE, (row + 1) * SIZE)), `row ${row}: the original is its own pixels`);
    }
  });
});
