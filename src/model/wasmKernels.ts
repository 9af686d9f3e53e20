// Training kernels for the TensorFlow.js wasm backend.
//
// The wasm backend (tfjs 4.22) has no `Conv2DBackpropFilter` kernel, so training any
// convolution fails there, and its `Conv2DBackpropInput` (the forward pass of
// Conv2DTranspose and the input gradient of a strided Conv2D) is a plain C++ loop that is
// 10–20× slower than its XNNPACK-backed Conv2D. This module registers both kernels for
// 'wasm', composed from the backend's own fast kernels (XNNPACK BatchMatMul and Conv2D,
// plus data-movement kernels), by calling their kernel functions directly on the backend
// so that no engine/tape overhead is added and every intermediate is freed at once.
//
//  * Conv2DBackpropFilter: dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co].
//    x is turned channel-first ([Ci,B,H,W]), padded, and the KH·KW strided windows are
//    cut out and concatenated into the transposed im2col matrix [KH·KW·Ci, B·OH·OW]; one
//    matMul with dy viewed as [B·OH·OW, Co] gives dW. (The transposed-A form of wasm's
//    matMul is ~10× slower than the plain form, hence the channel-first layout.)
//  * Conv2DBackpropInput ("sub-pixel" / phase decomposition): for stride s the output
//    pixel h = s·i + p only receives taps k ≡ p + pt (mod s), so dx is s² small stride-1
//    convolutions of dy. They are packed into ONE stride-1 'valid' Conv2D whose T×T
//    filter (T = ⌈K/s⌉ for the usual paddings) has s²·Ci output channels (unused taps are
//    zero), followed by DepthToSpace(s) and a crop. For K=3, s=2 that is 16/9 of the
//    ideal multiply count, all inside XNNPACK; for s=1 it is a plain Conv2D with the
//    flipped filter.
import * as tf from '@tensorflow/tfjs';

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

/** Pads (positive) or crops (negative) the spatial axes `ah`, `aw` of `t`. Returns `t` itself when nothing changes. */
function padOrCrop(backend: Backend, t: TensorInfo, ah: number, aw: number,
  top: number, bottom: number, left: number, right: number): TensorInfo {
  let cur = t;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const begin = cur.shape.map(() => 0);
    const sz = cur.shape.slice();
    begin[ah] = Math.max(0, -top); sz[ah] -= Math.max(0, -top) + Math.max(0, -bottom);
    begin[aw] = Math.max(0, -left); sz[aw] -= Math.max(0, -left) + Math.max(0, -right);
    cur = run(backend, 'Slice', { x: cur }, { begin, size: sz });
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    const paddings = cur.shape.map(() => [0, 0]);
    paddings[ah] = [Math.max(0, top), Math.max(0, bottom)];
    paddings[aw] = [Math.max(0, left), Math.max(0, right)];
    const padded = run(backend, 'PadV2', { x: cur }, { paddings, constantValue: 0 });
    if (cur !== t) free(backend, cur);
    cur = padded;
  }
  return cur;
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter

export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): TensorInfo {
  const backend = args.backend as Backend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = (args.attrs ?? {}) as Attrs;
  const fShape = filterShape as [number, number, number, number];
  const g = geometry(x.shape as [number, number, number, number], fShape, strides as [number, number], pad, dimRoundingMode, dataFormat);
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft } = g;

  // x → channel-first [Ci, B, H, W], padded so that every window lies inside.
  const xT = run(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  const needH = (outH - 1) * sH + kH;
  const needW = (outW - 1) * sW + kW;
  const xP = padOrCrop(backend, xT, 2, 3, padTop, needH - inH - padTop, padLeft, needW - inW - padLeft);
  if (xP !== xT) free(backend, xT);

  // Transposed im2col: [KH·KW·Ci, B, OH, OW], rows ordered (kh, kw, ci) like the filter.
  const pieces: TensorInfo[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      if (sH === 1 && sW === 1) {
        pieces.push(run(backend, 'Slice', { x: xP }, { begin: [0, 0, kh, kw], size: [inC, batch, outH, outW] }));
      } else {
        pieces.push(run(backend, 'StridedSlice', { x: xP }, {
          begin: [0, 0, kh, kw], end: [inC, batch, kh + (outH - 1) * sH + 1, kw + (outW - 1) * sW + 1],
          strides: [1, 1, sH, sW], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
        }));
      }
    }
  }
  free(backend, xP);
  const cols = pieces.length === 1 ? pieces[0] : run(backend, 'Concat', pieces, { axis: 0 });
  if (pieces.length > 1) free(backend, ...pieces);

  const m = batch * outH * outW;
  const a = run(backend, 'Reshape', { x: cols }, { shape: [kH * kW * inC, m] });
  const b = run(backend, 'Reshape', { x: dy }, { shape: [m, outC] });
  const prod = run(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  free(backend, cols, a, b);
  const out = run(backend, 'Reshape', { x: prod }, { shape: fShape });
  free(backend, prod);
  return out;
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput

interface PhasePlan { dMin: number; taps: number; phaseRows: number }

/** Per axis: which dy rows feed output rows h = s·i + p (see the header comment). */
function phasePlan(inLen: number, outLen: number, k: number, s: number, padBefore: number): PhasePlan {
  const dMin = Math.ceil((padBefore - k + 1) / s);
  const dMax = Math.floor((s - 1 + padBefore) / s);
  return { dMin, taps: dMax - dMin + 1, phaseRows: Math.ceil(inLen / s) };
}

let originalBackpropInput: tf.KernelFunc | null = null;

function packPhaseFilter(w: Float32Array, kH: number, kW: number, inC: number, outC: number,
  sH: number, sW: number, ph: PhasePlan, pw: PhasePlan, padTop: number, padLeft: number): Float32Array {
  // Result layout: [Th, Tw, outC (conv input channels), sH·sW·inC (conv output channels)].
  const th = ph.taps, tw = pw.taps, oc = sH * sW * inC;
  const out = new Float32Array(th * tw * outC * oc);
  for (let t = 0; t < th; t++) {
    for (let py = 0; py < sH; py++) {
      const kh = py + padTop - sH * (t + ph.dMin);
      if (kh < 0 || kh >= kH) continue;
      for (let u = 0; u < tw; u++) {
        for (let px = 0; px < sW; px++) {
          const kw = px + padLeft - sW * (u + pw.dMin);
          if (kw < 0 || kw >= kW) continue;
          const chBase = (py * sW + px) * inC;
          for (let ci = 0; ci < inC; ci++) {
            const src = ((kh * kW + kw) * inC + ci) * outC;
            for (let co = 0; co < outC; co++) {
              out[((t * tw + u) * outC + co) * oc + chBase + ci] = w[src + co];
            }
          }
        }
      }
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
  if (sH !== sW) {
    // DepthToSpace needs one block size; unequal strides are not used by Latent Lens.
    if (!originalBackpropInput) throw new Error('Conv2DBackpropInput on wasm: unequal strides are not supported');
    return originalBackpropInput(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }

  const ph = phasePlan(inH, outH, kH, sH, padTop);
  const pw = phasePlan(inW, outW, kW, sW, padLeft);

  // dy cropped/padded so that phase row i reads dy rows i+dMin … i+dMin+T−1.
  const needH = ph.phaseRows + ph.taps - 1;
  const needW = pw.phaseRows + pw.taps - 1;
  const dyP = padOrCrop(backend, dy, 1, 2, -ph.dMin, ph.dMin + needH - outH, -pw.dMin, pw.dMin + needW - outW);

  // The filter is small (KH·KW·Ci·Co floats): rearrange it on the JS side.
  const w = backend.readSync(filter.dataId) as Float32Array;
  const packed = packPhaseFilter(w, kH, kW, inC, outC, sH, sW, ph, pw, padTop, padLeft);
  const wP = backend.makeOutput([ph.taps, pw.taps, outC, sH * sW * inC], 'float32', undefined, packed);
  const conv = run(backend, 'Conv2D', { x: dyP, filter: wP }, {
    strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
  });
  if (dyP !== dy) free(backend, dyP);
  free(backend, wP);

  let full = conv;
  if (sH > 1) {
    full = run(backend, 'DepthToSpace', { x: conv }, { blockSize: sH, dataFormat: 'NHWC' });
    free(backend, conv);
  }
  if (full.shape[1] === inH && full.shape[2] === inW) return full;
  const out = run(backend, 'Slice', { x: full }, { begin: [0, 0, 0, 0], size: [batch, inH, inW, inC] });
  free(backend, full);
  return out;
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
    originalBackpropInput = existing.kernelFunc;
    // Keep the original's setupFunc so it still works as the fallback (its cwrap needs it).
    tf.unregisterKernel('Conv2DBackpropInput', BACKEND);
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, setupFunc: existing.setupFunc, kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc });
  } else if (!existing) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, kernelFunc: conv2dBackpropInputWasm as unknown as tf.KernelFunc });
  }
  registered = true;
}
