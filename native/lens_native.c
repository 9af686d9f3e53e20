// Latent Lens' native kernels: the convolutions and matrix products of a training step on the
// CPU's own vector units (AVX2 / AVX-512 with FMA), through the system's XNNPACK, working in
// place on the TensorFlow.js wasm backend's heap.
//
// Why: tfjs-backend-wasm runs the same XNNPACK library compiled to wasm SIMD128, which has no
// FMA and 128-bit vectors: 19-28 GFLOP/s per core here, against 90-100 for the native build
// (docs/performance.md). The wasm backend keeps the tensors, the tape and every other kernel;
// these functions only take byte offsets into its heap and read and write there, so no tensor
// is copied. Functions: init (XNNPACK + thread pool), conv2d, deconv2d (Conv2DBackpropInput),
// matMul, conv2dFilterGrad (dW: an im2col on the pool + native matMuls).
//
// Loaded by src/backend/wasm/nativeLoader.ts, called through src/backend/wasm/nativeKernels.ts;
// built by scripts/build-native.mjs. Optional: without it (no compiler, no libxnnpack-dev,
// another OS) the wasm kernels run instead.
#include <math.h>
#include <node_api.h>
#include <pthreadpool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xnnpack.h>

static pthreadpool_t pool = NULL;
static int ready = 0;

// Every operator is created with XNN_FLAG_YIELD_WORKERS: the pool's workers sleep as soon as an
// operator is done instead of spinning for the next one. Between two of our operators the main
// thread runs JavaScript (elementwise kernels, the tape) for milliseconds; spinning workers took
// a core from it, or from the machine's other work (docs/performance.md, "Native kernels").
#define OP_FLAGS XNN_FLAG_YIELD_WORKERS

#define CHECK_NAPI(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "lens_native: bad arguments (" #call ")"); return NULL; } } while (0)

static napi_value fail(napi_env env, const char* what, enum xnn_status st) {
  char msg[160];
  snprintf(msg, sizeof msg, "lens_native: %s failed (xnn_status %d)", what, (int)st);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

// The heap: argument 0, a typed array over the whole wasm memory.
typedef struct { uint8_t* base; size_t len; } heap_t;

static int get_heap(napi_env env, napi_value v, heap_t* h) {
  napi_typedarray_type type; size_t length; void* data; napi_value ab; size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok) return 0;
  if (type != napi_uint8_array || data == NULL) return 0;
  h->base = (uint8_t*)data; h->len = length;
  return 1;
}

// Arguments 1..want-1 are numbers: whole numbers from -1 (no bias) to 2^40, except those in
// `clamp_args` (a bit per index: the output clamp, which may be ±Infinity, never NaN).
static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value* argv, heap_t* h, double* num, uint64_t clamp_args) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != want) return 0;
  if (!get_heap(env, argv[0], h)) return 0;
  for (size_t i = 1; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &num[i]) != napi_ok || isnan(num[i])) return 0;
    if (clamp_args & (1ull << i)) continue;
    if (!isfinite(num[i]) || num[i] != floor(num[i]) || num[i] < -1 || num[i] > 1099511627776.0) return 0;
  }
  return 1;
}

// a·b·c·d elements, or SIZE_MAX when that overflows (then no heap is large enough).
static size_t count4(size_t a, size_t b, size_t c, size_t d) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_mul_overflow(r, c, &r) || __builtin_mul_overflow(r, d, &r)) return SIZE_MAX;
  return r;
}

// A float pointer into the heap for `count` floats at byte offset `off`, or NULL when out of
// range. XNNPACK may read up to XNN_EXTRA_BYTES past an input's end: when that would pass the
// heap's end, the input is copied into *tmp (freed by the caller).
static const float* input_at(const heap_t* h, double off, size_t count, float** tmp) {
  if (count > h->len / sizeof(float)) return NULL;
  size_t bytes = count * sizeof(float);
  if (off < 0 || (size_t)off + bytes > h->len || ((size_t)off & 3)) return NULL;
  const uint8_t* p = h->base + (size_t)off;
  if ((size_t)off + bytes + XNN_EXTRA_BYTES <= h->len) return (const float*)p;
  *tmp = malloc(bytes + XNN_EXTRA_BYTES);
  if (!*tmp) return NULL;
  memcpy(*tmp, p, bytes);
  return *tmp;
}

static float* output_at(const heap_t* h, double off, size_t count) {
  if (count > h->len / sizeof(float)) return NULL;
  size_t bytes = count * sizeof(float);
  if (off < 0 || (size_t)off + bytes > h->len || ((size_t)off & 3)) return NULL;
  return (float*)(h->base + (size_t)off);
}

// init(threads): XNNPACK and a thread pool of `threads` (the caller's thread included).
static napi_value init(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; double threads = 1;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) CHECK_NAPI(napi_get_value_double(env, argv[0], &threads));
  if (!ready) {
    enum xnn_status st = xnn_initialize(NULL);
    if (st != xnn_status_success) return fail(env, "xnn_initialize (does this CPU have SSE4.1?)", st);
    ready = 1;
  }
  if (pool) { pthreadpool_destroy(pool); pool = NULL; }
  if (threads > 1) pool = pthreadpool_create((size_t)threads);
  napi_value out;
  CHECK_NAPI(napi_create_uint32(env, pool ? (uint32_t)pthreadpool_get_threads_count(pool) : 1, &out));
  return out;
}

// [A, B, C, D] → [C, A, B, D] for a filter (tfjs HWIO → XNNPACK OHWI, with A·B = KH·KW).
static float* hwio_to_ohwi(const float* w, size_t hw, size_t ci, size_t co) {
  float* o = malloc(hw * ci * co * sizeof(float) + XNN_EXTRA_BYTES);
  if (!o) return NULL;
  for (size_t k = 0; k < hw; k++)
    for (size_t i = 0; i < ci; i++)
      for (size_t c = 0; c < co; c++) o[(c * hw + k) * ci + i] = w[(k * ci + i) * co + c];
  return o;
}

// conv2d(heap, x, w, bias, y, batch, inH, inW, inC, outC, kH, kW, sH, sW, dH, dW,
//        padTop, padRight, padBottom, padLeft, outMin, outMax, outH, outW)
// x [batch, inH, inW, inC], w [kH, kW, inC, outC] (tfjs), bias [outC] or -1, y [batch, outH, outW, outC].
static napi_value conv2d(napi_env env, napi_callback_info info) {
  enum { N = 24 }; napi_value argv[N]; heap_t h; double a[N];
  if (!get_args(env, info, N, argv, &h, a, (1ull << 20) | (1ull << 21))) { napi_throw_error(env, NULL, "lens_native.conv2d: bad arguments"); return NULL; }
  size_t batch = a[5], inH = a[6], inW = a[7], inC = a[8], outC = a[9], kH = a[10], kW = a[11];
  size_t outH = a[22], outW = a[23];
  float *tx = NULL, *tw = NULL, *tb = NULL;
  const float* x = input_at(&h, a[1], count4(batch, inH, inW, inC), &tx);
  const float* w = input_at(&h, a[2], count4(kH, kW, inC, outC), &tw);
  const float* b = a[3] < 0 ? NULL : input_at(&h, a[3], outC, &tb);
  float* y = output_at(&h, a[4], count4(batch, outH, outW, outC));
  napi_value result = NULL;
  if (!x || !w || (a[3] >= 0 && !b) || !y) { napi_throw_range_error(env, NULL, "lens_native.conv2d: a tensor lies outside the heap"); goto done; }
  float* wo = hwio_to_ohwi(w, kH * kW, inC, outC);
  if (!wo) { napi_throw_error(env, NULL, "lens_native.conv2d: out of memory"); goto done; }
  xnn_operator_t op = NULL;
  enum xnn_status st = xnn_create_convolution2d_nhwc_f32(
      a[16], a[17], a[18], a[19], kH, kW, a[12], a[13], a[14], a[15], 1, inC, outC, inC, outC,
      wo, b, a[20], a[21], OP_FLAGS, &op);
  if (st == xnn_status_success) st = xnn_setup_convolution2d_nhwc_f32(op, batch, inH, inW, x, y, pool);
  if (st == xnn_status_success) st = xnn_run_operator(op, pool);
  if (op) xnn_delete_operator(op);
  free(wo);
  if (st != xnn_status_success) fail(env, "convolution", st);
done:
  free(tx); free(tw); free(tb);
  return result;
}

// deconv2d(heap, dy, w, out, batch, dyH, dyW, dyC, xC, kH, kW, sH, sW,
//          padTop, padRight, padBottom, padLeft, adjH, adjW, outH, outW)
// The transposed convolution (= Conv2DBackpropInput): dy [batch, dyH, dyW, dyC], w the forward
// conv's filter [kH, kW, xC, dyC], out [batch, outH, outW, xC].
static napi_value deconv2d(napi_env env, napi_callback_info info) {
  enum { N = 21 }; napi_value argv[N]; heap_t h; double a[N];
  if (!get_args(env, info, N, argv, &h, a, 0)) { napi_throw_error(env, NULL, "lens_native.deconv2d: bad arguments"); return NULL; }
  size_t batch = a[4], dyH = a[5], dyW = a[6], dyC = a[7], xC = a[8], kH = a[9], kW = a[10];
  size_t outH = a[19], outW = a[20];
  float *tdy = NULL, *tw = NULL;
  const float* dy = input_at(&h, a[1], count4(batch, dyH, dyW, dyC), &tdy);
  const float* w = input_at(&h, a[2], count4(kH, kW, xC, dyC), &tw);
  float* out = output_at(&h, a[3], count4(batch, outH, outW, xC));
  if (!dy || !w || !out) { napi_throw_range_error(env, NULL, "lens_native.deconv2d: a tensor lies outside the heap"); goto done; }
  // [kH, kW, xC, dyC] → [xC, kH, kW, dyC]: XNNPACK's deconvolution kernel layout [O, KH, KW, I].
  float* wd = malloc(kH * kW * xC * dyC * sizeof(float) + XNN_EXTRA_BYTES);
  if (!wd) { napi_throw_error(env, NULL, "lens_native.deconv2d: out of memory"); goto done; }
  for (size_t k = 0; k < kH * kW; k++)
    for (size_t i = 0; i < xC; i++)
      memcpy(wd + (i * kH * kW + k) * dyC, w + (k * xC + i) * dyC, dyC * sizeof(float));
  xnn_operator_t op = NULL;
  enum xnn_status st = xnn_create_deconvolution2d_nhwc_f32(
      a[13], a[14], a[15], a[16], kH, kW, a[11], a[12], 1, 1, 1, dyC, xC, dyC, xC,
      wd, NULL, -INFINITY, INFINITY, OP_FLAGS, &op);
  if (st == xnn_status_success) st = xnn_setup_deconvolution2d_nhwc_f32(op, batch, dyH, dyW, a[17], a[18], dy, out, pool);
  if (st == xnn_status_success) st = xnn_run_operator(op, pool);
  if (op) xnn_delete_operator(op);
  free(wd);
  if (st != xnn_status_success) fail(env, "deconvolution", st);
done:
  free(tdy); free(tw);
  return NULL;
}

// matMul(heap, a, b, bias, out, M, K, N, outMin, outMax): out[M, N] = a[M, K] · b[K, N] (+ bias[N]).
static napi_value mat_mul(napi_env env, napi_callback_info info) {
  enum { N_ = 10 }; napi_value argv[N_]; heap_t h; double a[N_];
  if (!get_args(env, info, N_, argv, &h, a, (1ull << 8) | (1ull << 9))) { napi_throw_error(env, NULL, "lens_native.matMul: bad arguments"); return NULL; }
  size_t M = a[5], K = a[6], N = a[7];
  float *ta = NULL, *tb = NULL, *tbias = NULL;
  const float* A = input_at(&h, a[1], count4(M, K, 1, 1), &ta);
  const float* B = input_at(&h, a[2], count4(K, N, 1, 1), &tb);
  const float* bias = a[3] < 0 ? NULL : input_at(&h, a[3], N, &tbias);
  float* out = output_at(&h, a[4], count4(M, N, 1, 1));
  if (!A || !B || (a[3] >= 0 && !bias) || !out) { napi_throw_range_error(env, NULL, "lens_native.matMul: a tensor lies outside the heap"); goto done; }
  xnn_operator_t op = NULL;
  enum xnn_status st = xnn_create_fully_connected_nc_f32(K, N, K, N, B, bias, a[8], a[9], XNN_FLAG_TRANSPOSE_WEIGHTS | OP_FLAGS, &op);
  if (st == xnn_status_success) st = xnn_setup_fully_connected_nc_f32(op, M, A, out, pool);
  if (st == xnn_status_success) st = xnn_run_operator(op, pool);
  if (op) xnn_delete_operator(op);
  if (st != xnn_status_success) fail(env, "fully connected", st);
done:
  free(ta); free(tb); free(tbias);
  return NULL;
}

// ----- dW of a convolution: a transposed im2col on the pool, then one XNNPACK matrix product -----
//   dW[(kh, kw, ci), co] = Σ_pixels colsT[(kh, kw, ci), pixel] · dy[pixel, co]
// in chunks of CHUNK output pixels (the chunk's colsT stays in the cache), partial dWs summed.

#ifndef CHUNK
#define CHUNK 4096
#endif
#ifndef BLOCK
#define BLOCK 16 /* pixels per im2col task: a [Ci × 16] block transpose */
#endif

typedef struct {
  const float* x; float* colsT; size_t m0, len;
  size_t H, W, Ci, OH, OW, KW, sH, sW, pt, pl;
} im2col_ctx;

// Task (tap, block): for pixels [m0 + 16·block, +16) of the chunk, the Ci input values under
// filter tap `tap` (= kh·KW + kw) go to rows tap·Ci … tap·Ci + Ci − 1 of colsT (0 outside x).
static void im2col_block(void* p, size_t tap, size_t block) {
  const im2col_ctx* c = p;
  const size_t kh = tap / c->KW, kw = tap % c->KW, Ci = c->Ci, len = c->len;
  float* rows = c->colsT + tap * Ci * len;
  const size_t j0 = block * BLOCK, n = j0 + BLOCK < len ? BLOCK : len - j0;
  static const float zeros[1] = { 0.0f };
  const float* src[BLOCK];
  size_t step[BLOCK]; // 1 for a pixel inside x, 0 for padding (reads zeros[0] Ci times)
  for (size_t j = 0; j < n; j++) {
    const size_t pix = c->m0 + j0 + j, ow = pix % c->OW, q = pix / c->OW, oh = q % c->OH, b = q / c->OH;
    const ptrdiff_t ih = (ptrdiff_t)(oh * c->sH + kh) - (ptrdiff_t)c->pt, iw = (ptrdiff_t)(ow * c->sW + kw) - (ptrdiff_t)c->pl;
    const int inside = ih >= 0 && iw >= 0 && ih < (ptrdiff_t)c->H && iw < (ptrdiff_t)c->W;
    src[j] = inside ? c->x + ((b * c->H + (size_t)ih) * c->W + (size_t)iw) * Ci : zeros;
    step[j] = inside;
  }
  // Row by row: each row's n values are one contiguous write (a cache line for n = 16); the n
  // pixel runs read along stay in L1.
  for (size_t ci = 0; ci < Ci; ci++) {
    float* d = rows + ci * len + j0;
    for (size_t j = 0; j < n; j++) d[j] = src[j][ci * step[j]];
  }
}

// conv2dFilterGrad(heap, x, dy, dw, batch, H, W, Ci, OH, OW, Co, KH, KW, sH, sW, padTop, padLeft)
// x [batch, H, W, Ci], dy [batch, OH, OW, Co] → dw [KH, KW, Ci, Co].
static napi_value conv2d_filter_grad(napi_env env, napi_callback_info info) {
  enum { N = 17 }; napi_value argv[N]; heap_t h; double a[N];
  if (!get_args(env, info, N, argv, &h, a, 0)) { napi_throw_error(env, NULL, "lens_native.conv2dFilterGrad: bad arguments"); return NULL; }
  const size_t batch = a[4], H = a[5], W = a[6], Ci = a[7], OH = a[8], OW = a[9], Co = a[10], KH = a[11], KW = a[12];
  const size_t K = KH * KW * Ci, m = batch * OH * OW;
  float *tx = NULL, *tdy = NULL, *colsT = NULL, *part = NULL;
  const float* x = input_at(&h, a[1], count4(batch, H, W, Ci), &tx);
  const float* dy = input_at(&h, a[2], count4(batch, OH, OW, Co), &tdy);
  float* dw = output_at(&h, a[3], count4(KH, KW, Ci, Co));
  if (!x || !dy || !dw) { napi_throw_range_error(env, NULL, "lens_native.conv2dFilterGrad: a tensor lies outside the heap"); goto done; }
  const size_t chunk = m < CHUNK ? m : CHUNK;
  colsT = malloc(K * chunk * sizeof(float) + XNN_EXTRA_BYTES);
  part = malloc(K * Co * sizeof(float));
  if (!colsT || !part) { napi_throw_error(env, NULL, "lens_native.conv2dFilterGrad: out of memory"); goto done; }
  memset(dw, 0, K * Co * sizeof(float));
  if (m == 0) goto done;
  im2col_ctx c = { x, colsT, 0, 0, H, W, Ci, OH, OW, KW, a[13], a[14], a[15], a[16] };
  for (size_t m0 = 0; m0 < m; m0 += chunk) {
    const size_t len = m - m0 < chunk ? m - m0 : chunk;
    c.m0 = m0; c.len = len;
    pthreadpool_parallelize_2d(pool, im2col_block, &c, KH * KW, (len + BLOCK - 1) / BLOCK, PTHREADPOOL_FLAG_YIELD_WORKERS);
    // part [K, Co] = colsT [K, len] · dy[m0 … m0 + len) [len, Co]: K rows of `len` inputs, dy as [in, out] weights.
    xnn_operator_t op = NULL;
    enum xnn_status st = xnn_create_fully_connected_nc_f32(len, Co, len, Co, dy + m0 * Co, NULL, -INFINITY, INFINITY,
        XNN_FLAG_TRANSPOSE_WEIGHTS | OP_FLAGS, &op);
    if (st == xnn_status_success) st = xnn_setup_fully_connected_nc_f32(op, K, colsT, part, pool);
    if (st == xnn_status_success) st = xnn_run_operator(op, pool);
    if (op) xnn_delete_operator(op);
    if (st != xnn_status_success) { fail(env, "filter gradient (fully connected)", st); goto done; }
    for (size_t i = 0; i < K * Co; i++) dw[i] += part[i];
  }
done:
  free(tx); free(tdy); free(colsT); free(part);
  return NULL;
}

static napi_value module_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "init", NULL, init, NULL, NULL, NULL, napi_default, NULL },
    { "conv2d", NULL, conv2d, NULL, NULL, NULL, napi_default, NULL },
    { "deconv2d", NULL, deconv2d, NULL, NULL, NULL, napi_default, NULL },
    { "matMul", NULL, mat_mul, NULL, NULL, NULL, napi_default, NULL },
    { "conv2dFilterGrad", NULL, conv2d_filter_grad, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, module_init)
