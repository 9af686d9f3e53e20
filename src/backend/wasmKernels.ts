// Training kernels for the TensorFlow.js wasm backend (see docs/performance.md).
//
// The wasm backend (tfjs 4.22) has no `Conv2DBackpropFilter` kernel, so training any
// convolution fails there, and its `Conv2DBackpropInput` (the forward pass of
// Conv2DTranspose and the input gradient of a strided Conv2D) is a plain C++ loop that is
// 10–20× slower than its XNNPACK-backed Conv2D. Its data-movement kernels (Transpose,
// StridedSlice, DepthToSpace, …) are generic per-element loops, and its BatchMatMul is
// 10–20× slower with transposed operands. This module registers, for 'wasm':
//
//  * Conv2DBackpropFilter with one input channel and a 3×3 filter: the companion kernel
//    dw_single_channel_3x3 (9 taps × 8 channels in SIMD registers).
//  * Conv2DBackpropFilter otherwise: dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co]
//    as ONE XNNPACK Conv2D: x as [Ci, H, W, B] (batch Ci, channels B), dy as the filter
//    [OH, OW, B, Co], dilation = stride → [Ci, KH, KW, Co] (JS transposes in and out).
//    Fallback / alternative: transposed im2col [KH·KW·Ci, B·OH·OW] in JS + plain matMul.
//  * Conv2DBackpropInput: stride 1 → one XNNPACK Conv2D with the flipped, channel-swapped
//    filter (or, for one output channel, a depthwise conv + channel sum); stride s → s²
//    exact stride-1 convs, one per output phase ("sub-pixel" decomposition: output row
//    h = s·i + p only receives taps kh ≡ p + pt mod s), interleaved in JS.
//    Fallback / alternative: matMul dy × Wᵀ + col2im in JS.
//  * BatchMatMul with transposeA/B → JS transpose + the plain form.
//  * Sum over leading axes (bias gradients) → global average pooling / JS column sum.
//  * Identity → a new reference instead of a copy (as the cpu backend does).
//
// Composite kernels call the backend's kernel functions directly (no engine, no tape) and
// free every intermediate at once. Data movement, and the one-input-channel dW, run in the
// companion SIMD kernels (lensKernels.ts, kernels/lens_kernels.c) on the same wasm heap, or
// as JS loops on that heap when those are disabled (LATENT_LENS_WASM_LENS_KERNELS=off).
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor, type LensKernels } from './lensKernels';

type TensorInfo = tf.TensorInfo;
type Backend = tf.KernelBackend & {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): tf.backend_util.TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
};
type Attrs = Record<string, unknown>;

const BACKEND = 'wasm';

function kernel(name: string): tf.KernelFunc {
  const k = tf.getKernel(name, BACKEND);
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc;
}

/** Runs the wasm kernel `name` directly (no engine bookkeeping). */
function run(backend: Backend, name: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: Attrs = {}): TensorInfo {
  return kernel(name)({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

function free(backend: Backend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

interface ConvGeometry {
  batch: number;
  inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number;
  sH: number; sW: number;
  padTop: number; padLeft: number;
}

function geometry(xShape: [number, number, number, number], filterShape: [number, number, number, number],
  strides: number | [number, number], pad: unknown, dimRoundingMode: unknown, dataFormat: unknown): ConvGeometry {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm training kernels support only NHWC data, got dataFormat=${String(dataFormat)}`);
  }
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1,
    pad as 'same' | 'valid' | number, dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined, false, 'channelsLast');
  return {
    batch: info.batchSize, inH: info.inHeight, inW: info.inWidth, inC: info.inChannels,
    outH: info.outHeight, outW: info.outWidth, outC: info.outChannels,
    kH: info.filterHeight, kW: info.filterWidth, sH: info.strideHeight, sW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

// ---------------------------------------------------------------------------------------
// Optional timing of the parts of these kernels (for scripts/profile-wasm.ts).

let timing = false;
const partTimes = new Map<string, number>();
/** Turns on/off accumulation of time per kernel part; returns and clears what was accumulated. */
export function wasmKernelPartTimes(enable?: boolean): Map<string, number> {
  const copy = new Map(partTimes);
  partTimes.clear();
  if (enable !== undefined) timing = enable;
  return copy;
}
function tick(label: string, since: number): number {
  if (!timing) return 0;
  const now = performance.now();
  partTimes.set(label, (partTimes.get(label) ?? 0) + now - since);
  return now;
}
function now(): number {
  return timing ? performance.now() : 0;
}

/** Size of the chunks of the reduction dimension in Conv2DBackpropFilter's matMul. */
let kChunk = Number(process.env.LATENT_LENS_WASM_KCHUNK) || 2048;
export function setBackpropFilterChunk(n: number): void {
  kChunk = Math.max(1, Math.floor(n));
}

// ---------------------------------------------------------------------------------------
// Heap access. The backend's data-movement kernels (StridedSlice, DepthToSpace, Transpose,
// multi-axis Slice, PadV2) are generic per-element loops, 10–100× slower than a JIT-compiled
// JS loop over the same memory, so the im2col / col2im steps run in JS directly on the wasm
// heap. Views must be re-taken after every allocation (the heap may grow and move).

function view(backend: Backend, t: TensorInfo): Float32Array {
  return (backend as unknown as { typedArrayFromHeap(t: TensorInfo): Float32Array }).typedArrayFromHeap(t);
}

/** Byte offset of a tensor's data in the wasm heap (what the companion kernels take). */
function ptr(backend: Backend, t: TensorInfo): number {
  return view(backend, t).byteOffset;
}

function alloc(backend: Backend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** [rows, cols] → [cols, rows] in JS, blocked for the cache. */
function transpose2d(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const BS = 32;
  for (let r0 = 0; r0 < rows; r0 += BS) {
    const r1 = Math.min(rows, r0 + BS);
    for (let c0 = 0; c0 < cols; c0 += BS) {
      const c1 = Math.min(cols, c0 + BS);
      for (let r = r0; r < r1; r++) {
        const so = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[so + c];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter

function backpropFilterIm2col(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
  const fShape = filterShape as [number, number, number, number];
  const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;
  const m = batch * outH * outW;
  const k = kH * kW * inC;

  // Transposed im2col: colsT[(kh, kw, ci), m] = x[b, oh·s+kh−pt, ow·s+kw−pl, ci] (0 outside),
  // m = (b, oh, ow). Then dW [K, Co] = colsT [K, m] × dy [m, Co]: a plain matMul whose
  // result already has the filter's layout. The reduction dimension m (= B·OH·OW, up to
  // 10⁵) is split into chunks of `kChunk`: XNNPACK does not block K, so one matMul over all
  // of m re-streams the packed dy from memory for every row tile and is memory-bound;
  // chunks whose packed operand stays in L2 run ~2× faster, and the partial products
  // ([K, Co] each) are summed in JS.
  const mc = Math.min(m, kChunk);
  const acc = new Float32Array(k * outC);
  const srcOf = new Int32Array(mc);
  let t = now();
  for (let m0 = 0; m0 < m; m0 += mc) {
    const len = Math.min(mc, m - m0);
    const colsT = alloc(backend, [k, len]);
    const dyc = alloc(backend, [len, outC]);
    const xv = view(backend, x);
    const cv = view(backend, colsT);
    const dyv = view(backend, dy);
    view(backend, dyc).set(dyv.subarray(m0 * outC, (m0 + len) * outC));
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const rowBase = (kh * kW + kw) * inC;
        for (let j = 0; j < len; j++) {
          const mm = m0 + j;
          const ow = mm % outW;
          const q = (mm - ow) / outW;
          const oh = q % outH;
          const b = (q - oh) / outH;
          const ih = oh * sH + kh - padTop;
          const iw = ow * sW + kw - padLeft;
          srcOf[j] = ih < 0 || ih >= inH || iw < 0 || iw >= inW ? -1 : ((b * inH + ih) * inW + iw) * inC;
        }
        for (let c = 0; c < inC; c++) {
          const dst = (rowBase + c) * len;
          for (let j = 0; j < len; j++) {
            const src = srcOf[j];
            cv[dst + j] = src < 0 ? 0 : xv[src + c];
          }
        }
      }
    }
    t = tick(`BackpropFilter im2colT [${k}x${m}]`, t);
    const prod = run(backend, 'BatchMatMul', { a: colsT, b: dyc }, { transposeA: false, transposeB: false });
    const pv = view(backend, prod);
    for (let i = 0; i < acc.length; i++) acc[i] += pv[i];
    free(backend, colsT, dyc, prod);
    t = tick(`BackpropFilter matMul [${k}x${m}]x[${m}x${outC}] in chunks of ${mc}`, t);
  }
  return backend.makeOutput(fShape, 'float32', undefined, acc);
}

/** x [B, HW, Ci] → [Ci, HW, B] and dy [B, OHW, Co] → [OHW, B, Co] in JS (no companion kernels). */
function transposeForFilterConvJs(backend: Backend, x: TensorInfo, dy: TensorInfo, xT: TensorInfo, dyT: TensorInfo, g: ConvGeometry): void {
  const { batch, inH, inW, inC, outH, outW, outC } = g;
  const hw = inH * inW, ohw = outH * outW;
  // x [B, HW, Ci] → [Ci, HW, B]
  const xv = view(backend, x), tv = view(backend, xT);
  const BB = 16;
  for (let p = 0; p < hw; p++) {
    for (let b0 = 0; b0 < batch; b0 += BB) {
      const b1 = Math.min(batch, b0 + BB);
      for (let b = b0; b < b1; b++) {
        const src = (b * hw + p) * inC;
        let dst = p * batch + b;
        for (let c = 0; c < inC; c++, dst += hw * batch) tv[dst] = xv[src + c];
      }
    }
  }
  // dy [B, OHW, Co] → [OHW, B, Co]
  const dv = view(backend, dy), ev = view(backend, dyT);
  if (outC >= 16) {
    const heap = new Float32Array(ev.buffer);
    const d0 = dv.byteOffset >> 2, e0 = ev.byteOffset >> 2;
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < ohw; p++) {
        const src = d0 + (b * ohw + p) * outC;
        heap.copyWithin(e0 + (p * batch + b) * outC, src, src + outC);
      }
    }
  } else {
    for (let b = 0; b < batch; b++) {
      for (let p = 0; p < ohw; p++) {
        const src = (b * ohw + p) * outC, dst = (p * batch + b) * outC;
        for (let c = 0; c < outC; c++) ev[dst + c] = dv[src + c];
      }
    }
  }
}

/**
 * dW as ONE XNNPACK convolution (no im2col copy: XNNPACK's indirection buffer does it):
 * with x as [Ci, H, W, B] (batch Ci, channels B) and dy as a filter [OH, OW, B, Co],
 * conv2d(x', dy', dilation = stride) = dW laid out [Ci, KH, KW, Co].
 */
function backpropFilterConv(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }, g: ConvGeometry, fShape: number[]): TensorInfo | null {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;
  // Padding of x' so that the output is exactly KH × KW.
  const padBottom = (outH - 1) * sH + kH - inH - padTop;
  const padRight = (outW - 1) * sW + kW - inW - padLeft;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) return null;
  let t = now();
  const hw = inH * inW, ohw = outH * outW;
  const xT = alloc(backend, [inC, inH, inW, batch]);
  const dyT = alloc(backend, [outH, outW, batch, outC]);
  const lk = lensKernelsFor(backend);
  if (lk) {
    // The same two transposes as below, in SIMD wasm (4×4 block transposes, vector copies).
    lk.transpose_apc_to_cpa(ptr(backend, x), ptr(backend, xT), batch, hw, inC);
    lk.copy_runs(ptr(backend, dy), ptr(backend, dyT), batch, 1, ohw, outC, ohw * outC, 0, outC, outC, 0, batch * outC);
  } else {
    transposeForFilterConvJs(backend, x, dy, xT, dyT, g);
  }
  t = tick(`BackpropFilter(conv) transposes x ${x.shape.join('x')}`, t);
  const res = run(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1], pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
    dataFormat: 'NHWC', dilations: [sH, sW], dimRoundingMode: undefined,
  });
  free(backend, xT, dyT);
  tick(`BackpropFilter(conv) conv2d [${inC}x${inH}x${inW}x${batch}]*[${outH}x${outW}x${batch}x${outC}]`, t);
  // [Ci, KH, KW, Co] → [KH, KW, Ci, Co]
  const out = alloc(backend, fShape);
  if (lk) {
    lk.copy_runs(ptr(backend, res), ptr(backend, out), inC, 1, kH * kW, outC, kH * kW * outC, 0, outC, outC, 0, inC * outC);
    free(backend, res);
    return out;
  }
  const rv = view(backend, res), ov = view(backend, out);
  for (let c = 0; c < inC; c++) {
    for (let q = 0; q < kH * kW; q++) {
      const src = (c * kH * kW + q) * outC, dst = (q * inC + c) * outC;
      for (let o = 0; o < outC; o++) ov[dst + o] = rv[src + o];
    }
  }
  free(backend, res);
  return out;
}

let filterStrategy = (process.env.LATENT_LENS_WASM_DW ?? 'conv') as 'conv' | 'im2col';
export function setBackpropFilterStrategy(s: 'conv' | 'im2col'): void {
  filterStrategy = s;
}

/**
 * dW of a 3×3 convolution with ONE input channel (first encoder layer; the logits
 * Conv2DTranspose, whose dW has the one-channel logits gradient as "x") in the companion
 * kernel: padded copy of x, then 9 taps × Co accumulated in SIMD registers. XNNPACK's conv
 * formulation of this case streams a 10⁵-long reduction and reaches ≈ 2 GFLOP/s.
 */
function backpropFilterSingleChannel(backend: Backend, lk: LensKernels, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, fShape: number[]): TensorInfo {
  const { batch, inH, inW, outH, outW, outC, sH, sW, padTop, padLeft } = g;
  const t = now();
  const hp = Math.max((outH - 1) * sH + 3, padTop + inH);
  const wp = Math.max((outW - 1) * sW + 3, padLeft + inW);
  const xp = alloc(backend, [batch, hp, wp]);
  const out = alloc(backend, fShape);
  view(backend, out).fill(0);
  lk.pad_single_channel(ptr(backend, x), ptr(backend, xp), batch, inH, inW, hp, wp, padTop, padLeft);
  lk.dw_single_channel_3x3(ptr(backend, xp), ptr(backend, dy), ptr(backend, out), batch, hp, wp, outH, outW, outC, sH, sW);
  free(backend, xp);
  tick(`BackpropFilter(1 channel, lens kernel) ${x.shape.join('x')} * ${dy.shape.join('x')}`, t);
  return out;
}

export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const lk = lensKernelsFor(args.backend);
  if (lk) {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
    const fShape = filterShape as [number, number, number, number];
    const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
    if (g.inC === 1 && g.kH === 3 && g.kW === 3 && g.outC % 4 === 0 && g.padTop >= 0 && g.padLeft >= 0) {
      return backpropFilterSingleChannel(args.backend as Backend, lk, x, dy, g, fShape);
    }
  }
  if (filterStrategy === 'conv') {
    const { x } = args.inputs as { x: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
    const fShape = filterShape as [number, number, number, number];
    const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
    const r = backpropFilterConv(args, g, fShape);
    if (r) return r;
  }
  return backpropFilterIm2col(args);
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput

let oneChannelViaDepthwise = process.env.LATENT_LENS_WASM_DX1 !== 'conv';
export function setOneChannelBackpropInputViaDepthwise(on: boolean): void {
  oneChannelViaDepthwise = on;
}

let inputStrategy = (process.env.LATENT_LENS_WASM_DX ?? 'phase') as 'phase' | 'col2im';
export function setBackpropInputStrategy(s: 'phase' | 'col2im'): void {
  inputStrategy = s;
}

/**
 * Strided Conv2DBackpropInput as s² exact stride-1 XNNPACK convolutions ("sub-pixel"
 * decomposition): output rows h = s·i + p receive only the taps kh = p + pt − s·d from dy
 * rows i + d, so phase (py, px) is a small correlation of dy with the sub-filter of those
 * taps (channels swapped), padded by XNNPACK itself; the phases are interleaved in JS.
 * Returns null when a phase would need negative padding (then col2im is used).
 */
function backpropInputPhases(backend: Backend, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | null {
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;
  interface Axis { lo: number; taps: number; n: number; padA: number; padB: number }
  const axis = (p: number, len: number, outLen: number, k: number, s: number, pt: number): Axis | null => {
    const lo = Math.ceil((p + pt - k + 1) / s);
    const hi = Math.floor((p + pt) / s);
    const taps = Math.max(0, hi - lo + 1);
    const n = Math.max(0, Math.ceil((len - p) / s));
    const padA = -lo;
    const padB = n - outLen - padA + taps - 1;
    if (taps > 0 && n > 0 && (padA < 0 || padB < 0)) return null;
    return { lo, taps, n, padA, padB };
  };
  const rows: Axis[] = [], cols: Axis[] = [];
  for (let p = 0; p < sH; p++) { const a = axis(p, inH, outH, kH, sH, padTop); if (!a) return null; rows.push(a); }
  for (let p = 0; p < sW; p++) { const a = axis(p, inW, outW, kW, sW, padLeft); if (!a) return null; cols.push(a); }

  const w = backend.readSync(filter.dataId) as Float32Array; // [KH, KW, Ci, Co]
  const out = alloc(backend, [batch, inH, inW, inC]);
  let t = now();
  for (let py = 0; py < sH; py++) {
    for (let px = 0; px < sW; px++) {
      const R = rows[py], C = cols[px];
      if (R.n === 0 || C.n === 0) continue;
      if (R.taps === 0 || C.taps === 0) {
        const ov = view(backend, out);
        for (let b = 0; b < batch; b++) for (let i = 0; i < R.n; i++) for (let j = 0; j < C.n; j++) {
          const dst = ((b * inH + i * sH + py) * inW + j * sW + px) * inC;
          ov.fill(0, dst, dst + inC);
        }
        continue;
      }
      // Sub-filter [Th, Tw, Co, Ci]: tap (t, u) ↔ kh = py + pt − s·(lo + t).
      const sub = new Float32Array(R.taps * C.taps * outC * inC);
      for (let tt = 0; tt < R.taps; tt++) {
        const kh = py + padTop - sH * (R.lo + tt);
        for (let u = 0; u < C.taps; u++) {
          const kw = px + padLeft - sW * (C.lo + u);
          const dst = (tt * C.taps + u) * outC * inC;
          for (let ci = 0; ci < inC; ci++) {
            const src = ((kh * kW + kw) * inC + ci) * outC;
            for (let co = 0; co < outC; co++) sub[dst + co * inC + ci] = w[src + co];
          }
        }
      }
      const wS = backend.makeOutput([R.taps, C.taps, outC, inC], 'float32', undefined, sub);
      const ph = run(backend, 'Conv2D', { x: dy, filter: wS }, {
        strides: [1, 1], pad: [[0, 0], [R.padA, R.padB], [C.padA, C.padB], [0, 0]],
        dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
      });
      free(backend, wS);
      t = tick(`BackpropInput(phase) convs ${dy.shape.join('x')}->${inC}`, t);
      const lk = lensKernelsFor(backend);
      const pv = view(backend, ph), ov = view(backend, out);
      if (lk) {
        // Phase (py, px) [B, R.n, C.n, Ci] → out[b, i·sH + py, j·sW + px, :]
        lk.copy_runs(pv.byteOffset, ov.byteOffset + ((py * inW + px) * inC) * 4, batch, R.n, C.n, inC,
          R.n * C.n * inC, C.n * inC, inC, inH * inW * inC, sH * inW * inC, sW * inC);
      } else if (inC >= 16) {
        // Runs of Ci floats: a native memmove per run inside the heap beats the JS loop.
        const heap = new Float32Array(ov.buffer);
        const o0 = ov.byteOffset >> 2, p0 = pv.byteOffset >> 2;
        let src = p0;
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < R.n; i++) {
            let dst = o0 + ((b * inH + i * sH + py) * inW + px) * inC;
            for (let j = 0; j < C.n; j++, dst += sW * inC, src += inC) heap.copyWithin(dst, src, src + inC);
          }
        }
      } else {
        let src = 0;
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < R.n; i++) {
            let dst = ((b * inH + i * sH + py) * inW + px) * inC;
            for (let j = 0; j < C.n; j++, dst += sW * inC, src += inC) {
              for (let c = 0; c < inC; c++) ov[dst + c] = pv[src + c];
            }
          }
        }
      }
      free(backend, ph);
      t = tick(`BackpropInput(phase) interleave ${dy.shape.join('x')}->${inC}`, t);
    }
  }
  return out;
}

export function conv2dBackpropInputWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = (args.attrs ?? {}) as Attrs;
  const xShape = inputShape as [number, number, number, number];
  const fShape = filter.shape as [number, number, number, number];
  const g = geometry(xShape, fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;

  if (sH === 1 && sW === 1) {
    // Full correlation with the flipped, channel-swapped filter: one XNNPACK Conv2D, with
    // the padding done by XNNPACK itself.
    // (outH + padTop' + padBottom − kH + 1 = inH with padTop' = kH − 1 − padTop)
    const padBottom = inH - outH + padTop;
    const padRight = inW - outW + padLeft;
    const pads = [kH - 1 - padTop, padBottom, kW - 1 - padLeft, padRight];
    if (pads.every((p) => p >= 0) && inC === 1 && oneChannelViaDepthwise) {
      // One output channel: a Conv2D would use 1/8 of XNNPACK's GEMM tiles. Instead a
      // depthwise conv of dy with the flipped per-channel taps, then a sum over channels.
      const t0 = now();
      const w = backend.readSync(filter.dataId) as Float32Array; // [KH, KW, 1, Co]
      const flipped = new Float32Array(w.length);
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const src = (kh * kW + kw) * outC, dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC;
          for (let co = 0; co < outC; co++) flipped[dst + co] = w[src + co];
        }
      }
      const wF = backend.makeOutput([kH, kW, outC, 1], 'float32', undefined, flipped);
      const dw = run(backend, 'DepthwiseConv2dNative', { x: dy, filter: wF }, {
        strides: [1, 1], pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
        dilations: [1, 1], dimRoundingMode: undefined, dataFormat: 'NHWC',
      });
      free(backend, wF);
      const summed = run(backend, 'Sum', { x: dw }, { axis: [3], keepDims: true });
      free(backend, dw);
      tick(`BackpropInput s1 depthwise+sum ${dy.shape.join('x')}->1`, t0);
      return summed;
    }
    if (pads.every((p) => p >= 0)) {
      const w = backend.readSync(filter.dataId) as Float32Array;
      const flipped = new Float32Array(w.length);
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          const dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC * inC;
          for (let ci = 0; ci < inC; ci++) {
            const src = ((kh * kW + kw) * inC + ci) * outC;
            for (let co = 0; co < outC; co++) flipped[dst + co * inC + ci] = w[src + co];
          }
        }
      }
      const wF = backend.makeOutput([kH, kW, outC, inC], 'float32', undefined, flipped);
      const t0 = now();
      const res = run(backend, 'Conv2D', { x: dy, filter: wF }, {
        strides: [1, 1], pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
        dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
      });
      free(backend, wF);
      tick(`BackpropInput s1 conv2d ${dy.shape.join('x')}->${inC}`, t0);
      return res;
    }
  }

  if (inputStrategy === 'phase') {
    const r = backpropInputPhases(backend, dy, filter, g);
    if (r) return r;
  }

  // Strided: cols = dy [m, Co] × Wᵀ [Co, (kh, kw, ci)] in XNNPACK, then col2im in JS:
  // dx[b, oh·s+kh−pt, ow·s+kw−pl, :] += cols[(b, oh, ow), (kh, kw), :].
  const m = batch * outH * outW;
  const k = kH * kW * inC;
  let t = now();
  const a = run(backend, 'Reshape', { x: dy }, { shape: [m, outC] });
  const wt = alloc(backend, [outC, k]);
  transpose2d(view(backend, filter), view(backend, wt), k, outC);
  const cols = run(backend, 'BatchMatMul', { a, b: wt }, { transposeA: false, transposeB: false });
  free(backend, a, wt);
  t = tick(`BackpropInput matMul [${m}x${outC}]x[${outC}x${k}]`, t);
  const out = alloc(backend, xShape);
  {
    const cv = view(backend, cols);
    const ov = view(backend, out);
    ov.fill(0);
    let row = 0;
    for (let b = 0; b < batch; b++) {
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++, row += k) {
          let o = row;
          for (let kh = 0; kh < kH; kh++) {
            const ih = oh * sH + kh - padTop;
            if (ih < 0 || ih >= inH) { o += kW * inC; continue; }
            const rowBase = (b * inH + ih) * inW;
            for (let kw = 0; kw < kW; kw++, o += inC) {
              const iw = ow * sW + kw - padLeft;
              if (iw < 0 || iw >= inW) continue;
              const dst = (rowBase + iw) * inC;
              for (let c = 0; c < inC; c++) ov[dst + c] += cv[o + c];
            }
          }
        }
      }
    }
  }
  free(backend, cols);
  tick(`BackpropInput col2im [${m}x${k}]`, t);
  return out;
}

// ---------------------------------------------------------------------------------------
// BatchMatMul with transposeA / transposeB: wasm's kernel handles the transposed forms 10–20×
// slower than the plain one (the gradients of every matMul use them), so transpose the
// operand in JS and call the plain form.

let originalBatchMatMul: tf.KernelFunc | null = null;

function transposedLast2(backend: Backend, t: TensorInfo): TensorInfo {
  const r = t.shape.length;
  const rows = t.shape[r - 2], cols = t.shape[r - 1];
  const batch = t.shape.slice(0, r - 2).reduce((p, q) => p * q, 1);
  const out = alloc(backend, [...t.shape.slice(0, r - 2), cols, rows]);
  const src = view(backend, t), dst = view(backend, out);
  const n = rows * cols;
  for (let i = 0; i < batch; i++) transpose2d(src.subarray(i * n, (i + 1) * n), dst.subarray(i * n, (i + 1) * n), rows, cols);
  return out;
}

export function batchMatMulWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
  const orig = originalBatchMatMul as tf.KernelFunc;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return orig(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const a2 = transposeA ? transposedLast2(backend, a) : a;
  const b2 = transposeB ? transposedLast2(backend, b) : b;
  const out = orig({ inputs: { a: a2, b: b2 }, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo;
  if (a2 !== a) free(backend, a2);
  if (b2 !== b) free(backend, b2);
  return out;
}

// ---------------------------------------------------------------------------------------
// Sum over leading axes (bias gradients: [B, H, W, C] → [C]): wasm's kernel first transposes
// the reduced axes to the end with its slow generic Transpose. Here: global average pooling
// (XNNPACK) + a small JS sum for NHWC bias gradients, else a JS column sum.
// (A matMul with a row of ones was tried: fast on a reused tensor, but XNNPACK repacks the
// fresh gradient each call and it was 2× slower than this loop in training.)

let originalSum: tf.KernelFunc | null = null;

export function sumWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims?: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).slice().sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < rank && axes.every((ax, i) => ax === i);
  if (!leading || x.dtype !== 'float32') return (originalSum as tf.KernelFunc)(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  const outer = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
  const innerShape = x.shape.slice(axes.length);
  const inner = innerShape.reduce((p, q) => p * q, 1);
  const outShape = keepDims ? [...x.shape.slice(0, axes.length).map(() => 1), ...innerShape] : innerShape;
  let src = x, rows = outer, scale = 1;
  if (rank === 4 && axes.length === 3 && x.shape[1] * x.shape[2] > 1) {
    // NHWC bias gradient: XNNPACK's global average pooling over H×W first (≈ 10× faster than
    // a JS pass over the whole cold tensor), then a JS sum over the batch rows.
    const [, h, w] = x.shape;
    src = run(backend, 'AvgPool', { x }, { filterSize: [h, w], strides: [h, w], pad: 'valid', dimRoundingMode: undefined });
    rows = x.shape[0];
    scale = h * w;
  }
  const out = alloc(backend, outShape);
  const xv = view(backend, src), ov = view(backend, out);
  const acc = new Float64Array(inner);
  for (let o = 0; o < rows; o++) {
    const base = o * inner;
    for (let i = 0; i < inner; i++) acc[i] += xv[base + i];
  }
  for (let i = 0; i < inner; i++) ov[i] = acc[i] * scale;
  if (src !== x) free(backend, src);
  return out;
}

// ---------------------------------------------------------------------------------------
// Identity (tf.clone, used ~65 times per training step by gradients/Adam): wasm's kernel copies
// the data; the cpu backend's just adds a reference, which is what this does (wasm kernels
// never write into their inputs, and their internal identity() calls are unaffected).

export function identityWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  (args.backend as unknown as { incRef(d: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

// ---------------------------------------------------------------------------------------
// Cast to the same dtype: wasm's kernel copies; the cpu backend returns a reference, as here.
// (The ReLU gradient of tfjs-core, dy · cast(step(x), 'float32'), casts float32 to float32.)

let originalCast: tf.KernelFunc | null = null;

export function castWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if ((args.attrs as { dtype?: string } | undefined)?.dtype === x.dtype) return identityWasm(args);
  return (originalCast as tf.KernelFunc)(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

// ---------------------------------------------------------------------------------------
// Kernels of our own, for the companion module (no tfjs op calls them but ours):
//  * LensReluGrad {dy, x} → dx = x > 0 ? dy : 0, one pass instead of Step + Cast + Multiply.
//    (Unlike dy · step(x) it gives 0, not NaN, where dy is ±∞/NaN and x ≤ 0; a NaN loss is
//    caught by the trainer all the same.)
//  * LensAdam {p, m, v, g} → [p', m', v'] (see FusedAdamOptimizer in fusedAdam.ts).

export const LENS_RELU_GRAD = 'LensReluGrad';
export const LENS_ADAM = 'LensAdam';

function reluGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend }): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const lk = lensKernelsFor(backend);
  if (!lk) throw new Error(`${LENS_RELU_GRAD} needs the companion wasm kernels`);
  const out = alloc(backend, x.shape);
  lk.relu_grad(ptr(backend, dy), ptr(backend, x), ptr(backend, out), tf.util.sizeFromShape(x.shape));
  return out;
}

export interface LensAdamAttrs { learningRate: number; beta1: number; beta2: number; epsilon: number; oneMinusAccBeta1: number; oneMinusAccBeta2: number }

function adamWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo[] {
  const backend = args.backend as Backend;
  const { p, m, v, g } = args.inputs as { p: TensorInfo; m: TensorInfo; v: TensorInfo; g: TensorInfo };
  const a = args.attrs as unknown as LensAdamAttrs;
  const lk = lensKernelsFor(backend);
  if (!lk) throw new Error(`${LENS_ADAM} needs the companion wasm kernels`);
  const po = alloc(backend, p.shape), mo = alloc(backend, p.shape), vo = alloc(backend, p.shape);
  // Scalars as tfjs's AdamOptimizer makes them: JS doubles (1 − β, −lr) rounded to float32.
  lk.adam_update(ptr(backend, p), ptr(backend, m), ptr(backend, v), ptr(backend, g), ptr(backend, po), ptr(backend, mo), ptr(backend, vo),
    tf.util.sizeFromShape(p.shape), -a.learningRate, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.oneMinusAccBeta1, a.oneMinusAccBeta2);
  return [po, mo, vo];
}

/** dL/dx of ReLU for the active backend: the companion kernel on wasm, else tfjs-core's formula. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (tf.getBackend() === BACKEND && dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(LENS_RELU_GRAD, BACKEND) && lensKernelsFor(tf.backend())) {
    return tf.engine().runKernel(LENS_RELU_GRAD, { dy, x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

// ---------------------------------------------------------------------------------------

let registered = false;

/**
 * Registers (once) the wasm kernels that training convolutions needs: a new
 * Conv2DBackpropFilter and a faster Conv2DBackpropInput. Everything else the canonical
 * VAE uses in training (Conv2D, BatchMatMul, Relu + its gradient via Step/Multiply,
 * Sigmoid, Softplus, Exp, Log, Adam's Sqrt/RealDiv/…) exists in tfjs-backend-wasm 4.22.
 * Safe to call before or after the wasm backend is initialised; idempotent.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  // Importing the package registers the wasm backend and its kernels.
  if (!tf.getKernel('Conv2D', BACKEND)) {
    throw new Error('registerWasmTrainingKernels: @tensorflow/tfjs-backend-wasm is not loaded');
  }
  if (!tf.getKernel('Conv2DBackpropFilter', BACKEND)) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: BACKEND, kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc });
  }
  const existing = tf.getKernel('Conv2DBackpropInput', BACKEND);
  if (existing && existing.kernelFunc !== (conv2dBackpropInputWasm as unknown as tf.KernelFunc)) {
    tf.unregisterKernel('Conv2DBackpropInput', BACKEND);
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, setupFunc: existing.setupFunc, kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc });
  } else if (!existing) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc });
  }
  const mm = tf.getKernel('BatchMatMul', BACKEND);
  if (mm && mm.kernelFunc !== (batchMatMulWasm as unknown as tf.KernelFunc)) {
    originalBatchMatMul = mm.kernelFunc;
    tf.unregisterKernel('BatchMatMul', BACKEND);
    tf.registerKernel({ kernelName: 'BatchMatMul', backendName: BACKEND, setupFunc: mm.setupFunc, kernelFunc: batchMatMulWasm as unknown as tf.KernelFunc });
  }
  const sum = tf.getKernel('Sum', BACKEND);
  if (sum && sum.kernelFunc !== (sumWasm as unknown as tf.KernelFunc)) {
    originalSum = sum.kernelFunc;
    tf.unregisterKernel('Sum', BACKEND);
    tf.registerKernel({ kernelName: 'Sum', backendName: BACKEND, setupFunc: sum.setupFunc, kernelFunc: sumWasm as unknown as tf.KernelFunc });
  }
  const cast = tf.getKernel('Cast', BACKEND);
  if (cast && cast.kernelFunc !== (castWasm as unknown as tf.KernelFunc)) {
    originalCast = cast.kernelFunc;
    tf.unregisterKernel('Cast', BACKEND);
    tf.registerKernel({ kernelName: 'Cast', backendName: BACKEND, setupFunc: cast.setupFunc, kernelFunc: castWasm as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel(LENS_RELU_GRAD, BACKEND)) tf.registerKernel({ kernelName: LENS_RELU_GRAD, backendName: BACKEND, kernelFunc: reluGradWasm as unknown as tf.KernelFunc });
  if (!tf.getKernel(LENS_ADAM, BACKEND)) tf.registerKernel({ kernelName: LENS_ADAM, backendName: BACKEND, kernelFunc: adamWasm as unknown as tf.KernelFunc });
  // ReLU's gradient through reluGrad (same formula as tfjs-core's on other backends).
  tf.registerGradient({
    kernelName: 'Relu', inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => reluGrad(dy as tf.Tensor, saved[0]) }),
  });
  const id = tf.getKernel('Identity', BACKEND);
  if (id && id.kernelFunc !== (identityWasm as unknown as tf.KernelFunc)) {
    tf.unregisterKernel('Identity', BACKEND);
    tf.registerKernel({ kernelName: 'Identity', backendName: BACKEND, setupFunc: id.setupFunc, kernelFunc: identityWasm as unknown as tf.KernelFunc });
  }
  registered = true;
}
