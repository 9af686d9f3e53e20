// The wasm kernels the page's decoder needs (the webview panel and report.html decode with
// TensorFlow.js wasm in the page) — the one module of src/backend the webview may import
// (eslint.config.mjs holds that boundary).
//
// Why: a Conv2DTranspose's forward pass is Conv2DBackpropInput, and tfjs-backend-wasm 4.22's
// own is a plain C++ loop. The canonical decoder took ~5 ms per image with it (725 ms for a
// 16 × 9 traversal grid of 144 images, one thread); with convInputGrad.ts's sub-pixel XNNPACK
// convolutions, 114 ms (docs/performance.md, "Decoding in the page").
import { registerConvInputGrad } from './convInputGrad';

let registered = false;

/** Registers (once) the inference kernels with the wasm backend; call after it is selected. */
export function registerWasmInferenceKernels(): void {
  if (registered) return;
  registerConvInputGrad();
  registered = true;
}
