/**
 * The pure mathematics of the latent map's 2-D projections: PCA, UMAP (typed-array port of
 * umap-js's algorithm) and Procrustes alignment. No Node or DOM imports: used by the trainer
 * (src/trainer/projection.ts, in a worker thread) and by the webview (PCA when a run has no
 * projection yet). See src/trainer/projection.ts for how the pieces make a fast, stable map.
 */
import { findABParams } from 'umap-js/dist/umap';
import { mulberry32 } from '../shared/random';
import { insertTopK } from './topK';

export interface Layout2D {
  x: Float32Array;
  y: Float32Array;
}

/** Options of `umap2d` (also accepted by projectLatents). */
export interface UmapOptions {
  /** Rows fitted by UMAP; the others are placed by k-NN interpolation. Default 2500. */
  sampleSize?: number;
  /** UMAP nNeighbors. Default 15. */
  nNeighbors?: number;
  /** Optimisation epochs for a first layout. Default 200. */
  nEpochs?: number;
  /** Optimisation epochs when warm-started from `previous`. Default 60. */
  refreshEpochs?: number;
  /** Seed of the deterministic RNG. Default 1. */
  seed?: number;
}

// ───────────────────────────── small linear algebra ─────────────────────────────

/** Top-2 principal axes of the rows of mu (count × dim) by power iteration with deflation. */
export function pca2d(mu: Float32Array, count: number, dim: number): Layout2D {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d] += mu[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= Math.max(1, count);
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) row[d] = mu[i * dim + d] - mean[d];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
  const axes: Float64Array[] = [];
  const rnd = mulberry32(7);
  for (let k = 0; k < Math.min(2, dim); k++) {
    let v = new Float64Array(dim).map(() => rnd() - 0.5);
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b] * v[b];
        w[a] = s;
      }
      for (const u of axes) {
        let p = 0;
        for (let a = 0; a < dim; a++) p += w[a] * u[a];
        for (let a = 0; a < dim; a++) w[a] -= p * u[a];
      }
      let n = 0;
      for (let a = 0; a < dim; a++) n += w[a] * w[a];
      n = Math.sqrt(n);
      if (n < 1e-20) break;
      let delta = 0;
      for (let a = 0; a < dim; a++) {
        const nv = w[a] / n;
        delta += Math.abs(nv - v[a]);
        w[a] = nv;
      }
      v = w;
      if (delta < 1e-10) break;
    }
    // Deterministic sign: the largest component is positive.
    let big = 0;
    for (let a = 0; a < dim; a++) if (Math.abs(v[a]) > Math.abs(v[big])) big = a;
    if (v[big] < 0) for (let a = 0; a < dim; a++) v[a] = -v[a];
    axes.push(v);
  }
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sx = 0, sy = 0;
    for (let d = 0; d < dim; d++) {
      const c = mu[i * dim + d] - mean[d];
      sx += c * (axes[0]?.[d] ?? 0);
      sy += c * (axes[1]?.[d] ?? 0);
    }
    x[i] = sx;
    y[i] = sy;
  }
  return { x, y };
}

/**
 * Procrustes: transform (x, y) in place by the similarity (rotation, optional reflection,
 * uniform scale, translation) that best maps it onto (px, py) in least squares.
 */
export function alignTo(x: Float32Array, y: Float32Array, px: Float32Array, py: Float32Array): void {
  const n = Math.min(x.length, px.length);
  if (n < 2 || px.length !== x.length) return;
  let mx = 0, my = 0, mpx = 0, mpy = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; mpx += px[i]; mpy += py[i]; }
  mx /= n; my /= n; mpx /= n; mpy /= n;
  // Cross terms of centred coordinates.
  let sxx = 0, sxy = 0, syx = 0, syy = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx, b = y[i] - my, c = px[i] - mpx, d = py[i] - mpy;
    sxx += a * c; sxy += a * d; syx += b * c; syy += b * d; norm += a * a + b * b;
  }
  if (norm === 0) return;
  // Rotation by θ of (a, b): (a cosθ − b sinθ, a sinθ + b cosθ). Best θ maximises the trace.
  const thetaR = Math.atan2(sxy - syx, sxx + syy);
  const gainR = Math.hypot(sxx + syy, sxy - syx);
  // With reflection (a, b) → (a, −b) first.
  const thetaF = Math.atan2(sxy + syx, sxx - syy);
  const gainF = Math.hypot(sxx - syy, sxy + syx);
  const flip = gainF > gainR;
  const theta = flip ? thetaF : thetaR;
  const scale = (flip ? gainF : gainR) / norm;
  const cs = Math.cos(theta) * scale, sn = Math.sin(theta) * scale;
  for (let i = 0; i < x.length; i++) {
    const a = x[i] - mx, b = flip ? -(y[i] - my) : y[i] - my;
    x[i] = a * cs - b * sn + mpx;
    y[i] = a * sn + b * cs + mpy;
  }
}

function rescaleInto(x: Float32Array, y: Float32Array, half: number): { x: Float32Array; y: Float32Array } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) { lo = Math.min(lo, x[i], y[i]); hi = Math.max(hi, x[i], y[i]); }
  const mid = (lo + hi) / 2, s = hi > lo ? (2 * half) / (hi - lo) : 1;
  return { x: x.map((v) => (v - mid) * s), y: y.map((v) => (v - mid) * s) };
}

/** Exact k nearest rows of Q among rows of S (squared distances, ascending; self excluded when Q === S). */
export function knn(Q: Float32Array, nq: number, S: Float32Array, ns: number, dim: number, k: number, self: boolean): { idx: Int32Array; dist: Float32Array } {
  const idx = new Int32Array(nq * k), dist = new Float32Array(nq * k);
  const bd = new Float64Array(k), bi = new Int32Array(k);
  for (let r = 0; r < nq; r++) {
    bd.fill(Infinity); bi.fill(0);
    const qo = r * dim;
    let worst = Infinity;
    for (let s = 0; s < ns; s++) {
      if (self && s === r) continue;
      const so = s * dim;
      let d2 = 0;
      // Partial distance: give up on this row as soon as it is already farther than the k-th best.
      let d = 0;
      for (; d + 4 <= dim; d += 4) {
        const t0 = Q[qo + d] - S[so + d], t1 = Q[qo + d + 1] - S[so + d + 1];
        const t2 = Q[qo + d + 2] - S[so + d + 2], t3 = Q[qo + d + 3] - S[so + d + 3];
        d2 += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
        if (d2 >= worst) break;
      }
      if (d2 >= worst) continue;
      for (; d < dim; d++) { const t = Q[qo + d] - S[so + d]; d2 += t * t; }
      if (d2 < worst) worst = insertTopK(bd, bi, d2, s);
    }
    for (let j = 0; j < k; j++) { idx[r * k + j] = bi[j]; dist[r * k + j] = Math.sqrt(bd[j]); }
  }
  return { idx, dist };
}

/**
 * The same exact k nearest rows as `knn`, for many queries against one sample (issue 13: placing
 * 200,000 rows on a 2,500-row UMAP): the sample is grouped around √ns centres (a few Lloyd
 * iterations, deterministic), and the triangle inequality skips whole groups and single rows that
 * cannot beat the k-th best so far — |d(q, c) − d(s, c)| ≤ d(q, s). Groups are visited nearest
 * first, so the k-th best tightens early, and the dimensions are taken by decreasing variance.
 * Same neighbours as brute force (up to ties); on the μ of a Fashion-MNIST run 2.3× faster
 * (docs/performance.md, "200,000 points").
 */
export function knnGrouped(Q0: Float32Array, nq: number, S0: Float32Array, ns: number, dim: number, k: number): { idx: Int32Array; dist: Float32Array } {
  // Dimensions by decreasing variance (over the sample): the partial distance passes the k-th best sooner.
  const mean = new Float64Array(dim), vari = new Float64Array(dim);
  for (let s = 0; s < ns; s++) for (let d = 0; d < dim; d++) mean[d] += S0[s * dim + d] / ns;
  for (let s = 0; s < ns; s++) for (let d = 0; d < dim; d++) vari[d] += (S0[s * dim + d] - mean[d]) ** 2;
  const perm = Array.from({ length: dim }, (_, d) => d).sort((a, b) => vari[b] - vari[a]);
  const permute = (A: Float32Array, n: number) => {
    const out = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = A[i * dim + perm[d]];
    return out;
  };
  const S = permute(S0, ns), Q = permute(Q0, nq);
  const nc = Math.max(1, Math.min(ns, Math.round(Math.sqrt(ns))));
  const C = new Float64Array(nc * dim);
  for (let c = 0; c < nc; c++) for (let d = 0; d < dim; d++) C[c * dim + d] = S[Math.floor((c * ns) / nc) * dim + d];
  const owner = new Int32Array(ns), dC = new Float64Array(ns);
  const dist2 = (a: Float32Array, ao: number, b: Float64Array, bo: number) => {
    let t = 0;
    for (let d = 0; d < dim; d++) { const v = a[ao + d] - b[bo + d]; t += v * v; }
    return t;
  };
  for (let it = 0; it < 4; it++) {
    for (let s = 0; s < ns; s++) {
      let best = Infinity, bc = 0;
      for (let c = 0; c < nc; c++) { const v = dist2(S, s * dim, C, c * dim); if (v < best) { best = v; bc = c; } }
      owner[s] = bc; dC[s] = Math.sqrt(best);
    }
    if (it === 3) break;
    const sum = new Float64Array(nc * dim), cnt = new Int32Array(nc);
    for (let s = 0; s < ns; s++) { cnt[owner[s]]++; for (let d = 0; d < dim; d++) sum[owner[s] * dim + d] += S[s * dim + d]; }
    for (let c = 0; c < nc; c++) if (cnt[c]) for (let d = 0; d < dim; d++) C[c * dim + d] = sum[c * dim + d] / cnt[c];
  }
  // Members of each group in one array, by group; each group's radius.
  const start = new Int32Array(nc + 1);
  for (let s = 0; s < ns; s++) start[owner[s] + 1]++;
  for (let c = 0; c < nc; c++) start[c + 1] += start[c];
  const members = new Int32Array(ns), fill = start.slice(0, nc), radius = new Float64Array(nc);
  for (let s = 0; s < ns; s++) { members[fill[owner[s]]++] = s; radius[owner[s]] = Math.max(radius[owner[s]], dC[s]); }

  const idx = new Int32Array(nq * k), dist = new Float32Array(nq * k);
  const bd = new Float64Array(k), bi = new Int32Array(k);
  const dq = new Float64Array(nc), visit = new Int32Array(nc);
  const slack = 1 + 1e-9;
  for (let r = 0; r < nq; r++) {
    const qo = r * dim;
    for (let c = 0; c < nc; c++) { dq[c] = Math.sqrt(dist2(Q, qo, C, c * dim)); visit[c] = c; }
    // Nearest group first (insertion sort: nc is about 50).
    for (let a = 1; a < nc; a++) { const v = visit[a]; let b = a - 1; while (b >= 0 && dq[visit[b]] > dq[v]) { visit[b + 1] = visit[b]; b--; } visit[b + 1] = v; }
    bd.fill(Infinity); bi.fill(0);
    let worst = Infinity;
    for (let g = 0; g < nc; g++) {
      const c = visit[g], dqc = dq[c];
      const gap = dqc - radius[c];
      if (gap > 0 && gap * gap > worst * slack) continue;
      for (let m = start[c]; m < start[c + 1]; m++) {
        const s = members[m];
        const lb = dqc - dC[s];
        if (lb * lb > worst * slack) continue;
        const so = s * dim;
        let d2 = 0;
        for (let d = 0; d < dim; d++) { const t = Q[qo + d] - S[so + d]; d2 += t * t; if (d2 >= worst) break; }
        if (d2 < worst) worst = insertTopK(bd, bi, d2, s);
      }
    }
    for (let j = 0; j < k; j++) { idx[r * k + j] = bi[j]; dist[r * k + j] = Math.sqrt(bd[j]); }
  }
  return { idx, dist };
}

/**
 * UMAP's fuzzy simplicial set (McInnes et al. 2018, §3; umap-js `fuzzySimplicialSet`): per-row
 * ρ (nearest distance) and σ (binary search so Σ exp(−(d−ρ)/σ) = log2 k), memberships
 * exp(−(d−ρ)/σ), symmetrised by probabilistic union a + b − ab. Returns the edge list.
 */
function fuzzyGraph(idx: Int32Array, dist: Float32Array, n: number, k: number): { head: Int32Array; tail: Int32Array; w: Float32Array } {
  const target = Math.log2(k);
  const weights = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    let rho = 0;
    for (let j = 0; j < k; j++) if (dist[i * k + j] > 0) { rho = dist[i * k + j]; break; }
    let lo = 0, hi = Infinity, mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) { const d = dist[i * k + j] - rho; psum += d > 0 ? Math.exp(-d / mid) : 1; }
      if (Math.abs(psum - target) < 1e-5) break;
      if (psum > target) { hi = mid; mid = (lo + hi) / 2; } else { lo = mid; mid = hi === Infinity ? mid * 2 : (lo + hi) / 2; }
    }
    const sigma = Math.max(mid, 1e-3 * (rho || 1));
    for (let j = 0; j < k; j++) {
      const c = idx[i * k + j];
      if (c === i) continue;
      const d = dist[i * k + j] - rho;
      weights.set(i * n + c, d > 0 ? Math.exp(-d / sigma) : 1);
    }
  }
  const head: number[] = [], tail: number[] = [], w: number[] = [];
  for (const [key, a] of weights) {
    const i = Math.floor(key / n), j = key - i * n;
    const b = weights.get(j * n + i) ?? 0;
    if (b && j < i) continue; // the pair was emitted from (j, i)
    head.push(i); tail.push(j); w.push(a + b - a * b);
  }
  return { head: Int32Array.from(head), tail: Int32Array.from(tail), w: Float32Array.from(w) };
}

/**
 * UMAP layout optimisation (umap-js `optimizeLayout`, on typed arrays): per epoch, every edge due
 * by its weight pulls its ends together, and `negativeSampleRate` random points push its head away.
 */
function optimizeLayout(emb: Float32Array, n: number, g: { head: Int32Array; tail: Int32Array; w: Float32Array }, nEpochs: number, learningRate: number, rnd: () => number): void {
  const { a, b } = findABParams(1, 0.1);
  const negativeRate = 5, gamma = 1, clip = 4;
  let wmax = 0;
  for (let e = 0; e < g.w.length; e++) wmax = Math.max(wmax, g.w[e]);
  const E = g.w.length;
  const eps = new Float32Array(E), next = new Float32Array(E), epsNeg = new Float32Array(E), nextNeg = new Float32Array(E);
  for (let e = 0; e < E; e++) {
    const ns = (g.w[e] / wmax) * nEpochs;
    eps[e] = ns > 0 && g.w[e] >= wmax / nEpochs ? nEpochs / ns : -1;
    next[e] = eps[e]; epsNeg[e] = eps[e] / negativeRate; nextNeg[e] = epsNeg[e];
  }
  const clipf = (v: number) => (v > clip ? clip : v < -clip ? -clip : v);
  for (let ep = 0; ep < nEpochs; ep++) {
    const alpha = learningRate * (1 - ep / nEpochs);
    for (let e = 0; e < E; e++) {
      if (eps[e] < 0 || next[e] > ep) continue;
      const i = g.head[e], j = g.tail[e];
      let dx = emb[2 * i] - emb[2 * j], dy = emb[2 * i + 1] - emb[2 * j + 1];
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const coef = (-2 * a * b * Math.pow(d2, b - 1)) / (a * Math.pow(d2, b) + 1);
        const gx = clipf(coef * dx) * alpha, gy = clipf(coef * dy) * alpha;
        emb[2 * i] += gx; emb[2 * i + 1] += gy; emb[2 * j] -= gx; emb[2 * j + 1] -= gy;
      }
      next[e] += eps[e];
      const nNeg = Math.floor((ep - nextNeg[e]) / epsNeg[e]);
      for (let s = 0; s < nNeg; s++) {
        const c = Math.floor(rnd() * n);
        if (c === i) continue;
        dx = emb[2 * i] - emb[2 * c]; dy = emb[2 * i + 1] - emb[2 * c + 1];
        d2 = dx * dx + dy * dy;
        let gx = 0, gy = 0;
        if (d2 > 0) {
          const coef = (2 * gamma * b) / ((0.001 + d2) * (a * Math.pow(d2, b) + 1));
          gx = clipf(coef * dx); gy = clipf(coef * dy);
        } else { gx = 4; gy = 4; }
        emb[2 * i] += gx * alpha; emb[2 * i + 1] += gy * alpha;
      }
      nextNeg[e] += Math.max(0, nNeg) * epsNeg[e];
    }
  }
}

/**
 * UMAP of the rows of mu, computed in the calling thread (see the file comment for the method).
 * The algorithm is umap-js's (k-NN → fuzzy simplicial set → SGD layout, `findABParams` from
 * umap-js) re-done on typed arrays: umap-js itself keeps its graph in a string-keyed sparse
 * matrix and its layout in number[][] and needed 4 s to build the graph and 6.7 s for 200
 * epochs on just 2,500 points here.
 */
export function umap2d(mu: Float32Array, count: number, dim: number, previous?: Layout2D | null, opts: UmapOptions = {}): Layout2D {
  if (count < 8) return pca2d(mu, count, dim);
  const sampleSize = Math.min(count, opts.sampleSize ?? 2500);
  const k = Math.min(opts.nNeighbors ?? 15, sampleSize - 1);
  const warm = !!previous && previous.x.length === count;
  const nEpochs = warm ? (opts.refreshEpochs ?? 60) : (opts.nEpochs ?? 200);
  const rnd = mulberry32(opts.seed ?? 1);
  // Evenly spaced sample (deterministic, so successive epochs fit the same rows).
  const sample = new Int32Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) sample[i] = Math.floor((i * count) / sampleSize);
  const S = new Float32Array(sampleSize * dim);
  for (let i = 0; i < sampleSize; i++) S.set(mu.subarray(sample[i] * dim, sample[i] * dim + dim), i * dim);

  const nn = knn(S, sampleSize, S, sampleSize, dim, k, true);
  const graph = fuzzyGraph(nn.idx, nn.dist, sampleSize, k);
  // Start from the previous layout (warm) or from PCA, scaled to umap's usual [-10, 10] range.
  const init = warm ? { x: previous!.x, y: previous!.y } : pca2d(mu, count, dim);
  const sx = new Float32Array(sampleSize), sy = new Float32Array(sampleSize);
  for (let i = 0; i < sampleSize; i++) { sx[i] = init.x[sample[i]]; sy[i] = init.y[sample[i]]; }
  const scaled = rescaleInto(sx, sy, 10);
  const emb = new Float32Array(sampleSize * 2);
  // A little jitter separates coincident points (the gradient between them is 0).
  for (let i = 0; i < sampleSize; i++) { emb[2 * i] = scaled.x[i] + (rnd() - 0.5) * 1e-2; emb[2 * i + 1] = scaled.y[i] + (rnd() - 0.5) * 1e-2; }
  optimizeLayout(emb, sampleSize, graph, nEpochs, warm ? 0.5 : 1, rnd);

  const x = new Float32Array(count), y = new Float32Array(count);
  const inSample = new Uint8Array(count);
  for (let i = 0; i < sampleSize; i++) { inSample[sample[i]] = 1; x[sample[i]] = emb[2 * i]; y[sample[i]] = emb[2 * i + 1]; }
  // Transform the rest: inverse-distance-weighted mean of the k nearest sample rows' positions.
  const rest: number[] = [];
  for (let r = 0; r < count; r++) if (!inSample[r]) rest.push(r);
  if (rest.length) {
    const Q = new Float32Array(rest.length * dim);
    rest.forEach((r, i) => Q.set(mu.subarray(r * dim, r * dim + dim), i * dim));
    const kt = Math.min(k, sampleSize);
    const q = knnGrouped(Q, rest.length, S, sampleSize, dim, kt);
    rest.forEach((r, i) => {
      let wx = 0, wy = 0, ws = 0;
      for (let j = 0; j < kt; j++) {
        const w = 1 / (q.dist[i * kt + j] + 1e-6), s = q.idx[i * kt + j];
        wx += w * emb[2 * s]; wy += w * emb[2 * s + 1]; ws += w;
      }
      x[r] = wx / ws; y[r] = wy / ws;
    });
  }
  if (warm) alignTo(x, y, previous!.x, previous!.y);
  return { x, y };
}

