// How VS Code carries a postMessage from the extension host to a webview, for the benchmarks that
// replay it without VS Code (scripts/bench-200k.mjs, scripts/bench-snapshot.mjs): the JSON text
// with every ArrayBuffer and typed array lifted out beside it, as VS Code's
// serializeWebviewMessage (extHostWebviewMessaging.ts) does.

/** The message as VS Code sends it: JSON with buffer references, and the buffers. */
export function vscodeSerialize(message) {
  const buffers = [];
  const add = (b) => { let i = buffers.indexOf(b); if (i < 0) { i = buffers.length; buffers.push(b); } return i; };
  const json = JSON.stringify(message, (_k, v) => {
    if (v instanceof ArrayBuffer) return { $$vscode_array_buffer_reference$$: true, index: add(v) };
    if (ArrayBuffer.isView(v)) return { $$vscode_array_buffer_reference$$: true, index: add(v.buffer), view: { type: v.constructor.name, byteLength: v.byteLength, byteOffset: v.byteOffset } };
    return v;
  });
  return { json, buffers: buffers.map((b) => new Uint8Array(b)) };
}
