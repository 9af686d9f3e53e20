// The geometry of an NHWC 2-D convolution (sizes, strides, padding), as tfjs computes it, for
// the two convolution-gradient kernels (convFilterGrad.ts, convInputGrad.ts).
import * as tf from '@tensorflow/tfjs';

export interface ConvGeometry {
  batch: number;
  inH: number; inW: number; inC: number;
  outH: number; outW: number; outC: number;
  kH: number; kW: number;
  sH: number; sW: number;
  padTop: number; padLeft: number;
}

export function geometry(xShape: [number, number, number, number], filterShape: [number, number, number, number],
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
