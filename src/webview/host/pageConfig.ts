/** The page settings block (`ll-config`, written by html.ts): where the decoder's wasm binaries are. */
import { base64ToBytes } from '../../protocol/rpc';
import type { WebviewPageConfig } from '../html';

export function readPageConfig(): WebviewPageConfig {
  try {
    const block = document.getElementById('ll-config')?.textContent;
    if (block) return JSON.parse(block) as WebviewPageConfig;
  } catch {
    /* fall through: decode on the cpu backend */
  }
  return {};
}

/** URLs of the two wasm binaries (blob: URLs of the inlined bytes in a report), or undefined. */
export function wasmUrls(cfg: WebviewPageConfig): { simd: string; plain: string } | undefined {
  const w = cfg.wasm;
  if (!w || typeof w.simd !== 'string' || typeof w.plain !== 'string') return undefined;
  if (!w.inline) return { simd: w.simd, plain: w.plain };
  const url = (b64: string) => URL.createObjectURL(new Blob([base64ToBytes(b64).buffer as ArrayBuffer], { type: 'application/wasm' }));
  return { simd: url(w.simd), plain: url(w.plain) };
}
