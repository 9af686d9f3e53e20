/**
 * The map's rasteriser (issue 13: 200,000 points a frame): the unrolled loop draws exactly the
 * pixels of the plain one, for every point size, with NaN positions, points at the edges and a
 * drawing order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rasterisePoints, rasterisePointsReference } from '../../src/webview/views/map/rasterise';

test('the fast rasteriser draws the same pixels as the reference loop', () => {
  const N = 5000, W = 120, H = 90;
  let seed = 3;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const x = Float32Array.from({ length: N }, () => rnd() * 2.4 - 1.2), y = Float32Array.from({ length: N }, () => rnd() * 2.4 - 1.2);
  x[3] = NaN; y[9] = NaN; x[11] = Infinity;
  const colors = Uint32Array.from({ length: N }, (_, i) => (i % 7 === 0 ? 0 : 0xff000000 | i));
  const order = Uint32Array.from({ length: N }, (_, i) => (i * 7919) % N);
  const a = new Uint32Array(W * H), b = new Uint32Array(W * H);
  for (const size of [1, 2, 3, 4, 6]) {
    for (const t of [{ ax: 50, bx: 60, ay: -40, by: 45 }, { ax: 49.5, bx: 60.5, ay: 37.25, by: 44.5 }, { ax: 400, bx: -3.5, ay: 300, by: 0.5 }]) {
      for (const o of [null, order]) {
        rasterisePoints(a, W, H, x, y, colors, t, size, o);
        rasterisePointsReference(b, W, H, x, y, colors, t, size, o);
        assert.deepEqual(a, b, `size ${size}, ${JSON.stringify(t)}, ${o ? 'ordered' : 'dataset order'}`);
        assert.ok(a.some((v) => v !== 0));
      }
    }
  }
});
