import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignTo, closeProjectionWorker, pca2d, projectLatents, umap2d } from '../../src/trainer/projection';

function clusters(n: number, dim: number, k: number, seed = 3): Float32Array {
  let s = seed;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
  const g = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const centers = Array.from({ length: k }, () => Array.from({ length: dim }, () => g() * 4));
  const mu = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mu[i * dim + d] = centers[i % k][d] + g() * 0.3;
  return mu;
}

/** Fraction of points whose nearest 2-D neighbour has the same cluster. */
function neighbourPurity(x: Float32Array, y: Float32Array, k: number): number {
  let same = 0;
  for (let i = 0; i < x.length; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < x.length; j++) {
      if (j === i) continue;
      const d = (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    if (best % k === i % k) same++;
  }
  return same / x.length;
}

test('pca2d finds the axis of largest variance', () => {
  const mu = new Float32Array([0, 0, 0, 2, 0, 0, 4, 0.1, 0, 6, 0, 0]);
  const { x, y } = pca2d(mu, 4, 3);
  assert.ok(Math.abs(x[3] - x[0]) > 5.9);
  assert.ok(Math.abs(y[3] - y[0]) < 0.2);
});

test('alignTo undoes rotation, reflection, scale and translation', () => {
  const px = Float32Array.from({ length: 50 }, (_, i) => Math.cos(i) * i);
  const py = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.3) * 5);
  const t = 0.9;
  const x = px.map((v, i) => 3 * (Math.cos(t) * v - Math.sin(t) * -py[i]) + 7);
  const y = px.map((v, i) => 3 * (Math.sin(t) * v + Math.cos(t) * -py[i]) - 2);
  alignTo(x, y, px, py);
  for (let i = 0; i < 50; i++) {
    assert.ok(Math.abs(x[i] - px[i]) < 1e-3 && Math.abs(y[i] - py[i]) < 1e-3, `point ${i}`);
  }
});

test('umap2d separates clusters, including interpolated (non-sample) points', () => {
  const n = 600, k = 5;
  const mu = clusters(n, 16, k);
  const { x, y } = umap2d(mu, n, 16, null, { sampleSize: 300 });
  assert.ok(neighbourPurity(x, y, k) > 0.95);
});

test('projectLatents: PCA first, then a UMAP that stays close to the previous layout', async () => {
  const n = 800, dim = 8, k = 4;
  const mu = clusters(n, dim, k);
  let pcaSeen = false;
  const first = await projectLatents(mu, n, dim, null, { sampleSize: 400, onPca: (p) => { pcaSeen = p.method === 'pca' && p.x.length === n; } });
  assert.ok(pcaSeen);
  assert.equal(first.method, 'umap');
  // a small change of μ, as between two epochs
  const mu2 = mu.map((v, i) => v + Math.sin(i) * 0.05);
  const second = await projectLatents(mu2, n, dim, first, { sampleSize: 400 });
  let span = 0, moved = 0;
  for (let i = 0; i < n; i++) { span = Math.max(span, Math.abs(first.x[i]), Math.abs(first.y[i])); moved += Math.hypot(second.x[i] - first.x[i], second.y[i] - first.y[i]); }
  assert.ok(moved / n / span < 0.15, `mean displacement ${(moved / n / span).toFixed(3)} of the span`);
  await closeProjectionWorker();
});

test('knnGrouped (issue 13: placing 200k rows on the UMAP sample) finds the same neighbours as brute force', async () => {
  const { knn, knnGrouped } = await import('../../src/analysis/projectionMath');
  for (const [dim, spread] of [[16, 0.3], [7, 3], [3, 1]] as const) {
    const S = clusters(600, dim, 6, 5), Q = clusters(900, dim, 6, 9).map((v, i) => v + (i % 3) * spread * 0.1);
    const a = knn(Q, 900, S, 600, dim, 15, false), b = knnGrouped(Q, 900, S, 600, dim, 15);
    for (let i = 0; i < a.dist.length; i++) assert.ok(Math.abs(a.dist[i] - b.dist[i]) < 1e-4, `dim ${dim}: distance ${i}`);
    let sameIdx = 0;
    for (let i = 0; i < a.idx.length; i++) if (a.idx[i] === b.idx[i]) sameIdx++;
    assert.ok(sameIdx / a.idx.length > 0.99, 'the same rows (up to ties)');
  }
});
