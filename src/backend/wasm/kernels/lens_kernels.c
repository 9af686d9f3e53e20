// Latent Lens companion kernels for the TensorFlow.js wasm backend (docs/performance.md).
//
// This module is instantiated on the SAME linear memory as tfjs-backend-wasm (it imports
// that memory), so its functions read and write tensors in place, by heap offset, with no
// copies. It must therefore never touch memory it was not given: no data segments, no
// static variables and no stack (no local arrays, no address-taken locals);
// scripts/build-kernels.mjs checks the linked module for all three.
//
// Build: node scripts/build-kernels.mjs (needs clang and lld ≥ 14 with the wasm32 target).
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) name

typedef float f32;
typedef int i32;

// ---------------------------------------------------------------------------------------
// Zero-padded copy of a one-channel batch: x [B, H, W] → xp [B, Hp, Wp] with x at (pt, pl).
void EXPORT(pad_single_channel)(const f32 *x, f32 *xp, i32 B, i32 H, i32 W, i32 Hp, i32 Wp, i32 pt, i32 pl) {
  for (i32 b = 0; b < B; b++) {
    f32 *dst = xp + (long)b * Hp * Wp;
    const f32 *src = x + (long)b * H * W;
    for (i32 i = 0; i < Hp * Wp; i++) dst[i] = 0.0f;
    for (i32 h = 0; h < H; h++) {
      f32 *d = dst + (h + pt) * Wp + pl;
      const f32 *s = src + h * W;
      for (i32 w = 0; w < W; w++) d[w] = s[w];
    }
  }
}

// ---------------------------------------------------------------------------------------
// The same for channel c of a C-channel batch: x [B, H, W, C] → xp [B, Hp, Wp] (one channel,
// zero-padded), so that dw_single_channel_3x3 also serves inputs of 2–3 channels (colour
// images, and the logits gradient of a colour model), one channel at a time.
void EXPORT(pad_channel)(const f32 *x, f32 *xp, i32 B, i32 H, i32 W, i32 C, i32 c, i32 Hp, i32 Wp, i32 pt, i32 pl) {
  for (i32 b = 0; b < B; b++) {
    f32 *dst = xp + (long)b * Hp * Wp;
    const f32 *src = x + (long)b * H * W * C + c;
    for (i32 i = 0; i < Hp * Wp; i++) dst[i] = 0.0f;
    for (i32 h = 0; h < H; h++) {
      f32 *d = dst + (h + pt) * Wp + pl;
      const f32 *s = src + (long)h * W * C;
      for (i32 w = 0; w < W; w++) d[w] = s[(long)w * C];
    }
  }
}

// ---------------------------------------------------------------------------------------
// Filter gradient of a 3×3 convolution whose input has ONE channel (the first encoder conv,
// and the logits Conv2DTranspose whose dW is conv2dBackpropFilter(dy_logits, z)):
//
//   dw[kh, kw, co] = Σ_{b, oh, ow} xp[b, oh·sH + kh, ow·sW + kw] · dy[b, oh, ow, co]
//
// xp is the zero-padded input (pad_single_channel). As a GEMM this is [9, N] × [N, Co] with
// N = B·OH·OW ≈ 10⁵ and one of the operands a gather: XNNPACK's conv formulation streams
// the long reduction badly (≈ 2 GFLOP/s). Here the 9 taps × 8 output channels live in 18
// SIMD accumulators over a run of pixels; partial sums are flushed into dw every `chunk`
// pixels so that float32 rounding stays that of a ≈ chunk-long sum. dw must be zeroed by
// the caller; Co must be a multiple of 4.
#define TAPS9(M) M(0, 0, 0) M(1, 0, 1) M(2, 0, 2) M(3, 1, 0) M(4, 1, 1) M(5, 1, 2) M(6, 2, 0) M(7, 2, 1) M(8, 2, 2)

static inline v128_t splat_at(const f32 *p) { return wasm_v128_load32_splat(p); }

void EXPORT(dw_single_channel_3x3)(const f32 *xp, const f32 *dy, f32 *dw, i32 B, i32 Hp, i32 Wp,
                                    i32 OH, i32 OW, i32 Co, i32 sH, i32 sW) {
  i32 co = 0;
  for (; co + 8 <= Co; co += 8) {
#define DECL(t, kh, kw) v128_t a##t = wasm_f32x4_splat(0.0f), b##t = wasm_f32x4_splat(0.0f);
    TAPS9(DECL)
#undef DECL
    for (i32 b = 0; b < B; b++) {
      for (i32 oh = 0; oh < OH; oh++) {
        const f32 *xrow = xp + ((long)b * Hp + oh * sH) * Wp;
        const f32 *drow = dy + (((long)b * OH + oh) * OW) * Co + co;
        for (i32 ow = 0; ow < OW; ow++) {
          const f32 *xq = xrow + ow * sW;
          const v128_t d0 = wasm_v128_load(drow + (long)ow * Co);
          const v128_t d1 = wasm_v128_load(drow + (long)ow * Co + 4);
#define ACC(t, kh, kw) { const v128_t s = splat_at(xq + kh * Wp + kw); a##t = wasm_f32x4_add(a##t, wasm_f32x4_mul(s, d0)); b##t = wasm_f32x4_add(b##t, wasm_f32x4_mul(s, d1)); }
          TAPS9(ACC)
#undef ACC
        }
      }
      // Flush per image (OH·OW ≤ a few thousand terms per partial sum).
#define FLUSH(t, kh, kw) { f32 *o = dw + t * Co + co; \
        wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a##t)); wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), b##t)); \
        a##t = wasm_f32x4_splat(0.0f); b##t = wasm_f32x4_splat(0.0f); }
      TAPS9(FLUSH)
#undef FLUSH
    }
  }
  for (; co + 4 <= Co; co += 4) {
#define DECL(t, kh, kw) v128_t a##t = wasm_f32x4_splat(0.0f);
    TAPS9(DECL)
#undef DECL
    for (i32 b = 0; b < B; b++) {
      for (i32 oh = 0; oh < OH; oh++) {
        const f32 *xrow = xp + ((long)b * Hp + oh * sH) * Wp;
        const f32 *drow = dy + (((long)b * OH + oh) * OW) * Co + co;
        for (i32 ow = 0; ow < OW; ow++) {
          const f32 *xq = xrow + ow * sW;
          const v128_t d0 = wasm_v128_load(drow + (long)ow * Co);
#define ACC(t, kh, kw) { a##t = wasm_f32x4_add(a##t, wasm_f32x4_mul(splat_at(xq + kh * Wp + kw), d0)); }
          TAPS9(ACC)
#undef ACC
        }
      }
#define FLUSH(t, kh, kw) { f32 *o = dw + t * Co + co; wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a##t)); a##t = wasm_f32x4_splat(0.0f); }
      TAPS9(FLUSH)
#undef FLUSH
    }
  }
}

// ---------------------------------------------------------------------------------------
// src [A, P, C] → dst [C, P, A] (e.g. activations [B, H·W, C] → [C, H·W, B] for the dW
// convolution). 4×4 SIMD block transposes when A and C are multiples of 4.
void EXPORT(transpose_apc_to_cpa)(const f32 *src, f32 *dst, i32 A, i32 P, i32 C) {
  const long PA = (long)P * A;
  if ((A & 3) == 0 && (C & 3) == 0) {
    for (i32 p = 0; p < P; p++) {
      for (i32 a = 0; a < A; a += 4) {
        const f32 *s0 = src + ((long)a * P + p) * C;
        const long sa = (long)P * C;
        f32 *d0 = dst + (long)p * A + a;
        for (i32 c = 0; c < C; c += 4) {
          const v128_t r0 = wasm_v128_load(s0 + c);
          const v128_t r1 = wasm_v128_load(s0 + sa + c);
          const v128_t r2 = wasm_v128_load(s0 + 2 * sa + c);
          const v128_t r3 = wasm_v128_load(s0 + 3 * sa + c);
          const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
          const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          f32 *d = d0 + (long)c * PA;
          wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
          wasm_v128_store(d + PA, wasm_i64x2_shuffle(t0, t1, 1, 3));
          wasm_v128_store(d + 2 * PA, wasm_i64x2_shuffle(t2, t3, 0, 2));
          wasm_v128_store(d + 3 * PA, wasm_i64x2_shuffle(t2, t3, 1, 3));
        }
      }
    }
    return;
  }
  for (i32 a = 0; a < A; a++)
    for (i32 p = 0; p < P; p++)
      for (i32 c = 0; c < C; c++) dst[(long)c * PA + (long)p * A + a] = src[((long)a * P + p) * C + c];
}

// ---------------------------------------------------------------------------------------
// Copies n0 × n1 × n2 runs of `len` floats: run (i, j, k) goes from
// src + i·s0 + j·s1 + k·s2 to dst + i·d0 + j·d1 + k·d2. Covers the [B, P, C] → [P, B, C]
// transpose of dy and the interleave of the sub-pixel phases of Conv2DBackpropInput.
void EXPORT(copy_runs)(const f32 *src, f32 *dst, i32 n0, i32 n1, i32 n2, i32 len,
                       i32 s0, i32 s1, i32 s2, i32 d0, i32 d1, i32 d2) {
  for (i32 i = 0; i < n0; i++) {
    for (i32 j = 0; j < n1; j++) {
      const f32 *s = src + (long)i * s0 + (long)j * s1;
      f32 *d = dst + (long)i * d0 + (long)j * d1;
      for (i32 k = 0; k < n2; k++, s += s2, d += d2) {
        i32 c = 0;
        for (; c + 4 <= len; c += 4) wasm_v128_store(d + c, wasm_v128_load(s + c));
        for (; c < len; c++) d[c] = s[c];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// One Adam step (Kingma & Ba 2015) for one variable, with the operations in the order and
// float32 rounding of tfjs's AdamOptimizer.applyGradients, so that the result is the same:
//   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2)
//   p' = (m'/c1) / (sqrt(v'/c2) + ε) · (−lr) + p,   c1 = 1 − β1^t, c2 = 1 − β2^t
// One pass instead of ~13 tfjs ops (each a pass over the variable plus engine bookkeeping).
void EXPORT(adam_update)(const f32 *p, const f32 *m, const f32 *v, const f32 *g, f32 *po, f32 *mo, f32 *vo, i32 n,
                         f32 neg_lr, f32 b1, f32 one_minus_b1, f32 b2, f32 one_minus_b2, f32 eps, f32 c1, f32 c2) {
  const v128_t vb1 = wasm_f32x4_splat(b1), vb1c = wasm_f32x4_splat(one_minus_b1);
  const v128_t vb2 = wasm_f32x4_splat(b2), vb2c = wasm_f32x4_splat(one_minus_b2);
  const v128_t veps = wasm_f32x4_splat(eps), vc1 = wasm_f32x4_splat(c1), vc2 = wasm_f32x4_splat(c2);
  const v128_t vlr = wasm_f32x4_splat(neg_lr);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), vb1), wasm_f32x4_mul(gi, vb1c));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), vb2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), vb2c));
    const v128_t step = wasm_f32x4_div(wasm_f32x4_div(mi, vc1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vc2)), veps));
    wasm_v128_store(po + i, wasm_f32x4_add(wasm_f32x4_mul(step, vlr), wasm_v128_load(p + i)));
    wasm_v128_store(mo + i, mi);
    wasm_v128_store(vo + i, vi);
  }
  for (; i < n; i++) {
    const f32 gi = g[i];
    const f32 mi = m[i] * b1 + gi * one_minus_b1;
    const f32 vi = v[i] * b2 + (gi * gi) * one_minus_b2;
    po[i] = ((mi / c1) / (__builtin_sqrtf(vi / c2) + eps)) * neg_lr + p[i];
    mo[i] = mi;
    vo[i] = vi;
  }
}

// ---------------------------------------------------------------------------------------
// Gradient of ReLU: dx = x > 0 ? dy : 0 (tfjs: dy · cast(step(x)) — three passes, one here).
void EXPORT(relu_grad)(const f32 *dy, const f32 *x, f32 *dx, i32 n) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t mask = wasm_f32x4_gt(wasm_v128_load(x + i), zero);
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), mask));
  }
  for (; i < n; i++) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

// ---------------------------------------------------------------------------------------
// Transposed im2col of a chunk of output pixels, for dW = colsᵀ · dy (Conv2DBackpropFilter,
// im2col path):
//   colsT[(kh·KW + kw)·Ci + ci][j] = x[b, oh·sH + kh − pt, ow·sW + kw − pl, ci]   (0 outside x)
// for j in [0, len), m = m0 + j = (b·OH + oh)·OW + ow. x is [B, H, W, Ci], colsT is
// [KH·KW·Ci, len]. Four pixels at a time: their Ci-runs are read as vectors and written as
// 4×4 transposed blocks (one 4-float store per row), which is what the JS loop did one float
// at a time. Ci must be a multiple of 4 (the caller checks).
static inline const f32 *pixel_at(const f32 *x, i32 m, i32 H, i32 W, i32 Ci, i32 OH, i32 OW,
                                  i32 kh, i32 kw, i32 sH, i32 sW, i32 pt, i32 pl) {
  const i32 ow = m % OW, q = m / OW, oh = q % OH, b = q / OH;
  const i32 ih = oh * sH + kh - pt, iw = ow * sW + kw - pl;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0;
  return x + (((long)b * H + ih) * W + iw) * Ci;
}

void EXPORT(im2col_t)(const f32 *x, f32 *colsT, i32 m0, i32 len, i32 H, i32 W, i32 Ci, i32 OH, i32 OW,
                      i32 KH, i32 KW, i32 sH, i32 sW, i32 pt, i32 pl) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (i32 kh = 0; kh < KH; kh++) {
    for (i32 kw = 0; kw < KW; kw++) {
      f32 *rows = colsT + (long)(kh * KW + kw) * Ci * len;
      i32 j = 0;
      for (; j + 4 <= len; j += 4) {
        const f32 *p0 = pixel_at(x, m0 + j, H, W, Ci, OH, OW, kh, kw, sH, sW, pt, pl);
        const f32 *p1 = pixel_at(x, m0 + j + 1, H, W, Ci, OH, OW, kh, kw, sH, sW, pt, pl);
        const f32 *p2 = pixel_at(x, m0 + j + 2, H, W, Ci, OH, OW, kh, kw, sH, sW, pt, pl);
        const f32 *p3 = pixel_at(x, m0 + j + 3, H, W, Ci, OH, OW, kh, kw, sH, sW, pt, pl);
        f32 *d = rows + j;
        for (i32 c = 0; c < Ci; c += 4, d += 4 * (long)len) {
          const v128_t r0 = p0 ? wasm_v128_load(p0 + c) : zero;
          const v128_t r1 = p1 ? wasm_v128_load(p1 + c) : zero;
          const v128_t r2 = p2 ? wasm_v128_load(p2 + c) : zero;
          const v128_t r3 = p3 ? wasm_v128_load(p3 + c) : zero;
          const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
          const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          wasm_v128_store(d, wasm_i64x2_shuffle(t0, t1, 0, 2));
          wasm_v128_store(d + len, wasm_i64x2_shuffle(t0, t1, 1, 3));
          wasm_v128_store(d + 2 * (long)len, wasm_i64x2_shuffle(t2, t3, 0, 2));
          wasm_v128_store(d + 3 * (long)len, wasm_i64x2_shuffle(t2, t3, 1, 3));
        }
      }
      for (; j < len; j++) {
        const f32 *p = pixel_at(x, m0 + j, H, W, Ci, OH, OW, kh, kw, sH, sW, pt, pl);
        for (i32 c = 0; c < Ci; c++) rows[(long)c * len + j] = p ? p[c] : 0.0f;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// A stride-1 correlation with ONE output channel (Conv2DBackpropInput of a conv whose input
// has one channel: the forward pass of the logits Conv2DTranspose):
//   dx[b, i, j] = Σ_{kh, kw, co} dy[b, i + kh − pt, j + kw − pl, co] · wf[kh, kw, co]
// (0 outside dy). wf is the flipped filter [KH, KW, Co]. For each output pixel and filter
// row, the taps inside dy are one contiguous run of (kw1 − kw0)·Co floats in both dy and wf,
// so the pixel is a few SIMD dot products with one horizontal sum at the end — instead of
// a depthwise conv writing Co values per pixel and a channel sum reading them back. Co must be
// a multiple of 4 (the caller checks).
void EXPORT(conv_to_one_channel)(const f32 *dy, const f32 *wf, f32 *dx, i32 B, i32 OH, i32 OW, i32 Co,
                                 i32 H, i32 W, i32 KH, i32 KW, i32 pt, i32 pl) {
  for (i32 b = 0; b < B; b++) {
    for (i32 i = 0; i < H; i++) {
      for (i32 j = 0; j < W; j++) {
        v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = wasm_f32x4_splat(0.0f);
        const i32 c0 = j - pl;
        const i32 kw0 = c0 < 0 ? -c0 : 0;
        const i32 kw1 = OW - c0 < KW ? OW - c0 : KW;
        if (kw0 < kw1) {
          const i32 n = (kw1 - kw0) * Co;
          for (i32 kh = 0; kh < KH; kh++) {
            const i32 r = i + kh - pt;
            if (r < 0 || r >= OH) continue;
            const f32 *a = dy + (((long)b * OH + r) * OW + c0 + kw0) * Co;
            const f32 *w = wf + ((long)kh * KW + kw0) * Co;
            i32 k = 0;
            for (; k + 8 <= n; k += 8) {
              acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + k), wasm_v128_load(w + k)));
              acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(a + k + 4), wasm_v128_load(w + k + 4)));
            }
            for (; k < n; k += 4) acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(a + k), wasm_v128_load(w + k)));
          }
        }
        const v128_t s = wasm_f32x4_add(acc0, acc1);
        dx[((long)b * H + i) * W + j] = wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) +
                                        wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3);
      }
    }
  }
}
