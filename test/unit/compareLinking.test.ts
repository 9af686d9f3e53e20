/** Compare Runs: the same image across runs is linked by its dataset path (src/webview/compare/linking.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathLinks } from '../../src/webview/compare/linking';

const a = { files: ['bag/1.png', 'coat/2.png', 'dress/3.png'], dataDir: '/data/f' };
const b = { files: ['dress/3.png', 'bag/1.png'], dataDir: '/data/f' };
const other = { files: ['bag/1.png', 'coat/2.png'], dataDir: '/data/other' };

test('a point links to the point with the same path in each run, null where that run lacks it', () => {
  const links = new PathLinks([a, b]);
  assert.deepEqual(links.linkAll(0, 0, a.files), [0, 1]);
  assert.deepEqual(links.linkAll(0, 2, a.files), [2, 0]);
  assert.deepEqual(links.linkAll(0, 1, a.files), [1, null]);
  assert.equal(links.link(1, 0, 0, b.files), 2);
  assert.equal(links.shared(0, 1), 2);
});

test('runs on different data folders link nothing, even where relative paths coincide', () => {
  const links = new PathLinks([a, other]);
  assert.equal(links.sameData(0, 1), false);
  assert.deepEqual(links.linkAll(0, 0, a.files), [0, null]);
  assert.equal(links.shared(0, 1), 0);
});

test('an unknown data folder links by path alone; a point past the end links nothing', () => {
  const links = new PathLinks([{ files: a.files }, b]);
  assert.equal(links.link(0, 0, 1, a.files), 1);
  assert.equal(links.link(0, 99, 1, a.files), null);
});
