// Conv2DBackpropFilter (dL/dW of a convolution) for the TensorFlow.js wasm backend.
//
// Why: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel at all, so without this no
// convolution can be trained on wasm (docs/performance.md, "What was done"). Three paths:
//
//  * 1–3 input channels and a 3×3 filter (the first encoder layer; the logits Conv2DTranspose,
//    whose dW has the logits gradient as "x"): the companion kernel dw_single_channel_3x3
//    (9 taps × 8 channels in SIMD registers), one input channel at a time;
//  * otherwise, where the native kernels are loaded (nativeKernels.ts) and filterGradient is
//    'auto' (the default): their conv2dFilterGrad, the same transposed im2col on their thread
//    pool (not serial on the main thread) and XNNPACK's AVX2/AVX-512 matrix product;
//  * otherwise, with the companion kernels and Ci a multiple of 4 (the default, filterGradient
//    'auto'): a transposed im2col [KH·KW·Ci, chunk of B·OH·OW] in SIMD (im2col_t) + one plain
//    XNNPACK matMul per chunk, partial dWs summed (≈ 15 % less CPU than the conv below: XNNPACK's GEMM runs at
//    ≈ 22 GFLOP/s per core on this shape, its conv formulation at ≈ 16–18);
//  * else (filterGradient 'conv', or 'auto' without companion kernels or with Ci % 4 ≠ 0):
//    dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co]
//    as ONE XNNPACK Conv2D: x as [Ci, H, W, B] (batch Ci, channels B), dy as the filter
//    [OH, OW, B, Co], dilation = stride → [Ci, KH, KW, Co] (transposes in and out in the
//    companion kernels, or in JS without them); where that conv would need negative
//    padding, the im2col path (in JS without the companion kernels).
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor, type LensKernels } from './companion';
import { geometry, type ConvGeometry } from './convGeometry';
import { alloc, free, ptr, registerIfAbsent, run, view, type Attrs, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';
import { wasmKernelSettings } from './kernelSettings';
import { heapOf, nativeKernels } from './nativeKernels';
import { now, tick } from './partTimes';

/** The transposed im2col of pixels [m0, m0 + len) into colsT [KH·KW·Ci, len] in JS (companion kernel: im2col_t). */
function im2colTJs(xv: Float32Array, cv: Float32Array, srcOf: Int32Array, m0: number, len: number, g: ConvGeometry): void {
  const { inH, inW, inC, outH, outW, kH, kW, sH, sW, padTop, padLeft } = g;
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
}

function backpropFilterIm2col(args: KernelArgs): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
  const fShape = filterShape as [number, number, number, number];
  const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;
  const m = batch * outH * outW;
  const k = kH * kW * inC;
  const lk = lensKernelsFor(backend);

  // Transposed im2col: colsT[(kh, kw, ci), m] = x[b, oh·s+kh−pt, ow·s+kw−pl, ci] (0 outside),
  // m = (b, oh, ow) (SIMD 4×4 block transposes in the companion kernel im2col_t, else JS).
  // Then dW [K, Co] = colsT [K, m] × dy [m, Co]: a plain matMul whose
  // result already has the filter's layout. The reduction dimension m (= B·OH·OW, up to
  // 10⁵) is split into chunks (BackendOptions.im2colChunk): XNNPACK does not block K, so one matMul over all
  // of m re-streams the packed dy from memory for every row tile and is memory-bound;
  // chunks whose packed operand stays in L2 run ~2× faster, and the partial products
  // ([K, Co] each) are summed in JS.
  const mc = Math.min(m, wasmKernelSettings().im2colChunk);
  const acc = new Float32Array(k * outC);
  const srcOf = new Int32Array(mc);
  let t = now();
  for (let m0 = 0; m0 < m; m0 += mc) {
    const len = Math.min(mc, m - m0);
    const colsT = alloc(backend, [k, len]);
    const dyc = alloc(backend, [len, outC]);
    view(backend, dyc).set(view(backend, dy).subarray(m0 * outC, (m0 + len) * outC));
    if (lk && inC % 4 === 0) {
      lk.im2col_t(ptr(backend, x), ptr(backend, colsT), m0, len, inH, inW, inC, outH, outW, kH, kW, sH, sW, padTop, padLeft);
    } else {
      im2colTJs(view(backend, x), view(backend, colsT), srcOf, m0, len, g);
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
function backpropFilterConv(args: KernelArgs, g: ConvGeometry, fShape: number[]): TensorInfo | null {
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

/** Input channels up to which the companion kernel's per-channel dW beats XNNPACK (colour: 3). */
const MAX_SMALL_CI = 3;

/**
 * dW of a 3×3 convolution with 1–3 input channels (first encoder layer; the logits
 * Conv2DTranspose, whose dW has the logits gradient as "x") in the companion kernel: padded
 * copy of one channel of x, then 9 taps × Co accumulated in SIMD registers, channel by channel.
 * XNNPACK's conv formulation of this case streams a 10⁵-long reduction and reaches ≈ 2 GFLOP/s
 * for one channel, ≈ 5 for three (the 64×64×3 model's logits dW: 177–211 ms CPU per step).
 */
function backpropFilterSingleChannel(backend: Backend, lk: LensKernels, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, fShape: number[]): TensorInfo {
  const { batch, inH, inW, inC, outH, outW, outC, sH, sW, padTop, padLeft } = g;
  const t = now();
  const hp = Math.max((outH - 1) * sH + 3, padTop + inH);
  const wp = Math.max((outW - 1) * sW + 3, padLeft + inW);
  const xp = alloc(backend, [batch, hp, wp]);
  const out = alloc(backend, fShape);
  view(backend, out).fill(0);
  if (inC === 1) {
    lk.pad_single_channel(ptr(backend, x), ptr(backend, xp), batch, inH, inW, hp, wp, padTop, padLeft);
    lk.dw_single_channel_3x3(ptr(backend, xp), ptr(backend, dy), ptr(backend, out), batch, hp, wp, outH, outW, outC, sH, sW);
  } else {
    // One channel at a time into [3, 3, Co], then into its place in [3, 3, Ci, Co].
    const part = alloc(backend, [3, 3, outC]);
    for (let c = 0; c < inC; c++) {
      view(backend, part).fill(0);
      lk.pad_channel(ptr(backend, x), ptr(backend, xp), batch, inH, inW, inC, c, hp, wp, padTop, padLeft);
      lk.dw_single_channel_3x3(ptr(backend, xp), ptr(backend, dy), ptr(backend, part), batch, hp, wp, outH, outW, outC, sH, sW);
      const pv = view(backend, part), ov = view(backend, out);
      for (let q = 0; q < 9; q++) ov.set(pv.subarray(q * outC, (q + 1) * outC), (q * inC + c) * outC);
    }
    free(backend, part);
  }
  free(backend, xp);
  tick(`BackpropFilter(${inC} channel${inC > 1 ? 's' : ''}, lens kernel) ${x.shape.join('x')} * ${dy.shape.join('x')}`, t);
  return out;
}

function conv2dBackpropFilterWasm(args: KernelArgs): TensorInfo {
  const lk = lensKernelsFor(args.backend);
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
  const fShape = filterShape as [number, number, number, number];
  const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  if (lk && g.inC <= MAX_SMALL_CI && g.kH === 3 && g.kW === 3 && g.outC % 4 === 0 && g.padTop >= 0 && g.padLeft >= 0) {
    return backpropFilterSingleChannel(args.backend as Backend, lk, x, dy, g, fShape);
  }
  const nk = wasmKernelSettings().filterGradient === 'auto' ? nativeKernels() : null;
  if (nk && x.dtype === 'float32' && dy.dtype === 'float32' && g.padTop >= 0 && g.padLeft >= 0) {
    const backend = args.backend as Backend;
    const t = now();
    const out = alloc(backend, fShape);
    nk.conv2dFilterGrad(heapOf(backend), ptr(backend, x), ptr(backend, dy), ptr(backend, out), g.batch, g.inH, g.inW, g.inC,
      g.outH, g.outW, g.outC, g.kH, g.kW, g.sH, g.sW, g.padTop, g.padLeft);
    tick(`BackpropFilter native ${x.shape.join('x')} * ${dy.shape.join('x')}`, t);
    return out;
  }
  // 'auto': the SIMD im2col where it applies (channels a multiple of 4), else the conv (a JS
  // im2col is slower than the conv's transposes, e.g. for 3-channel colour images).
  const mode = wasmKernelSettings().filterGradient;
  if (mode === 'conv' || (mode === 'auto' && !(lk && g.inC % 4 === 0))) {
    const r = backpropFilterConv(args, g, fShape);
    if (r) return r;
  }
  return backpropFilterIm2col(args);
}

/** Registers conv2dBackpropFilterWasm as wasm's Conv2DBackpropFilter (tfjs has none). */
export function registerConvFilterGrad(): void {
  registerIfAbsent('Conv2DBackpropFilter', conv2dBackpropFilterWasm as unknown as tf.KernelFunc);
}
