// Conv2DBackpropInput (dL/dx of a convolution, and the forward pass of Conv2DTranspose) for
// the TensorFlow.js wasm backend.
//
// Why: tfjs-backend-wasm 4.22's own Conv2DBackpropInput is a plain C++ loop, 10–20× slower
// than its XNNPACK-backed Conv2D, and the decoder's Conv2DTransposes run it forward and back
// (docs/performance.md, "What was done"). This replaces it with XNNPACK convolutions:
//
//  * stride 1: one Conv2D of dy with the flipped, channel-swapped filter; for one output
//    channel (a Conv2D would use 1/8 of XNNPACK's GEMM tiles) the companion kernel
//    conv_to_one_channel, or without it a depthwise conv + a channel sum;
//  * stride s: s² exact stride-1 convs, one per output phase ("sub-pixel" decomposition:
//    output row h = s·i + p only receives taps kh ≡ p + pt mod s), interleaved into the
//    output by the companion kernel copy_runs (or in JS without it);
//  * fallback (a phase would need negative padding) or alternative: matMul dy × Wᵀ in XNNPACK
//    + col2im in JS;
//  * before all of these, where the native kernels are loaded (nativeKernels.ts): one native
//    XNNPACK deconvolution (it does the sub-pixel decomposition itself, on AVX2/AVX-512),
//    except a stride-1 one-output-channel case that the companion kernel handles (a GEMM
//    with one output column uses a sliver of its tiles).
import * as tf from '@tensorflow/tfjs';
import { lensKernelsFor } from './companion';
import { geometry, type ConvGeometry } from './convGeometry';
import { alloc, free, ptr, replaceKernel, run, transpose2d, view, type Attrs, type Backend, type KernelArgs, type TensorInfo } from './kernelUtil';
import { wasmKernelSettings } from './kernelSettings';
import { heapOf, nativeKernels } from './nativeKernels';
import { now, tick } from './partTimes';

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

/**
 * The native deconvolution: dy [B, OH, OW, Co] → dx [B, H, W, Ci], or null where XNNPACK's
 * output cropping cannot express the geometry (an adjustment of a stride or more).
 */
function backpropInputNative(backend: Backend, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo | null {
  const nk = nativeKernels();
  if (!nk) return null;
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;
  const padBottom = Math.max(0, (outH - 1) * sH + kH - inH - padTop);
  const padRight = Math.max(0, (outW - 1) * sW + kW - inW - padLeft);
  const adjH = inH - ((outH - 1) * sH + kH - padTop - padBottom);
  const adjW = inW - ((outW - 1) * sW + kW - padLeft - padRight);
  if (padTop < 0 || padLeft < 0 || adjH < 0 || adjW < 0 || adjH >= sH || adjW >= sW) return null;
  const t = now();
  const out = alloc(backend, [batch, inH, inW, inC]);
  nk.deconv2d(heapOf(backend), ptr(backend, dy), ptr(backend, filter), ptr(backend, out), batch, outH, outW, outC, inC, kH, kW, sH, sW,
    padTop, padRight, padBottom, padLeft, adjH, adjW, inH, inW);
  tick(`BackpropInput native deconv ${dy.shape.join('x')}->${inC}`, t);
  return out;
}

function conv2dBackpropInputWasm(args: KernelArgs): TensorInfo {
  const backend = args.backend as Backend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = (args.attrs ?? {}) as Attrs;
  const xShape = inputShape as [number, number, number, number];
  const fShape = filter.shape as [number, number, number, number];
  const g = geometry(xShape, fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;

  const oneChannelByCompanion = sH === 1 && sW === 1 && inC === 1 && outC % 4 === 0 && lensKernelsFor(backend) !== null;
  if (!oneChannelByCompanion && dy.dtype === 'float32') {
    const r = backpropInputNative(backend, dy, filter, g);
    if (r) return r;
  }

  if (sH === 1 && sW === 1) {
    // Full correlation with the flipped, channel-swapped filter: one XNNPACK Conv2D, with
    // the padding done by XNNPACK itself.
    // (outH + padTop' + padBottom − kH + 1 = inH with padTop' = kH − 1 − padTop)
    const padBottom = inH - outH + padTop;
    const padRight = inW - outW + padLeft;
    const pads = [kH - 1 - padTop, padBottom, kW - 1 - padLeft, padRight];
    if (pads.every((p) => p >= 0) && inC === 1) {
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
      const lk = lensKernelsFor(backend);
      if (lk && outC % 4 === 0) {
        // The companion kernel: per output pixel, SIMD dot products of the contiguous runs of
        // dy and the flipped filter (no Co-wide intermediate, no second pass).
        const out = alloc(backend, [batch, inH, inW, 1]);
        lk.conv_to_one_channel(ptr(backend, dy), ptr(backend, wF), ptr(backend, out), batch, outH, outW, outC, inH, inW, kH, kW, pads[0], pads[2]);
        free(backend, wF);
        tick(`BackpropInput s1 one-channel lens kernel ${dy.shape.join('x')}->1`, t0);
        return out;
      }
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

  if (wasmKernelSettings().inputGradient === 'phase') {
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

/** Puts conv2dBackpropInputWasm in place of wasm's Conv2DBackpropInput (idempotent). */
export function registerConvInputGrad(): void {
  replaceKernel('Conv2DBackpropInput', conv2dBackpropInputWasm as unknown as tf.KernelFunc);
}
