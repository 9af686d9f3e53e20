/**
 * The map's hit index (src/webview/views/map/hitTest.ts): the point under the pointer and the
 * nearest points are VISIBLE ones — hiding a label (colour 0) takes its points out of hover,
 * click and the empty-spot estimate without rebuilding the tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HitIndex } from '../../src/webview/views/map/hitTest';

// Points on a line at x = 0, 1, 2, …, 9 (y = 0); point 10 is not placed (NaN).
const x = Float32Array.from({ length: 11 }, (_, i) => (i < 10 ? i : NaN));
const y = new Float32Array(11);
const shown = () => new Uint32Array(11).fill(0xff888888);

test('find: the nearest visible point within the radius; a hidden one is skipped without a rebuild', () => {
  const h = new HitIndex();
  h.rebuild(x, y);
  h.setColors(shown());
  assert.equal(h.find(3.2, 0, 0.5), 3);
  assert.equal(h.find(3.5, 5, 0.5), null, 'nothing within the radius');
  const colors = shown();
  colors[3] = 0; // its label hidden
  h.setColors(colors);
  assert.equal(h.find(3.2, 0, 0.5), null, 'the hidden point under the pointer is not found');
  assert.equal(h.find(3.2, 0, 1), 4, 'the nearest visible one within the radius is');
});

test('nearest: k visible points by distance; fewer when fewer are visible; unplaced points never', () => {
  const h = new HitIndex();
  h.rebuild(x, y);
  const colors = shown();
  colors[5] = 0;
  h.setColors(colors);
  // Point 5 is hidden: the two nearest to x = 5 are 4 and 6 (distance 1), then 3 and 7.
  assert.deepEqual(h.nearest(5, 0, 2, 0.1).map((n) => n.index).sort((a, b) => a - b), [4, 6]);
  assert.equal(h.nearest(5, 0, 4, 0.1).length, 4);
  const only = new Uint32Array(11);
  only[8] = 1; only[9] = 1;
  h.setColors(only);
  assert.deepEqual(h.nearest(0, 0, 5, 0.1).map((n) => n.index), [8, 9], 'only two visible: both, and the search ends');
});
