/**
 * The VS Code panel host: acquireVsCodeApi (the extension's shim hands out the one instance),
 * the webview state slot, and the message path — one `Endpoint` (src/protocol/rpc.ts) over
 * VS Code's postMessage. `ready` is a request whose reply is the snapshot; every message from the
 * extension is validated (src/protocol/panelIpc.ts) before use, and an invalid one is reported
 * back as `log` and dropped. Typed arrays arrive as typed arrays (VS Code's structured clone).
 */
import { ToWebviewMessage, type FromWebviewMessage } from '../../protocol/panelIpc';
import { Endpoint, parserOf, type Wire } from '../../protocol/rpc';
import { vscodeSlot } from '../store/persistence';
import type { Host } from './host';

export interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi | null {
  return typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
}

/** The webview's side of the wire: VS Code's postMessage out, window `message` events in. */
export function vscodeWire(api: VsCodeApi): Wire {
  return {
    post: (envelope) => api.postMessage(envelope),
    listen(receive) {
      const onMessage = (e: MessageEvent) => receive(e.data);
      window.addEventListener('message', onMessage);
      return () => window.removeEventListener('message', onMessage);
    },
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function panelHost(api: VsCodeApi): Host {
  const endpoint: Endpoint<FromWebviewMessage, ToWebviewMessage> = new Endpoint(vscodeWire(api), {
    parse: parserOf(ToWebviewMessage),
    onInvalid: (error) => endpoint.emit({ type: 'log', level: 'warn', message: `Invalid message from host: ${error.slice(0, 500)}` }),
  });
  const post = (m: FromWebviewMessage) => endpoint.emit(m);
  return {
    kind: 'panel',
    slot: vscodeSlot(api),
    post,
    request: (m) => endpoint.request(m),
    async images(rows) {
      const reply = await endpoint.request({ type: 'images', rows });
      if (reply.type !== 'images') throw new Error(`"images" was answered with "${reply.type}"`);
      return reply.images;
    },
    async start(receive) {
      const apply = (msg: ToWebviewMessage) => receive(msg).catch((err) => post({ type: 'log', level: 'error', message: errorText(err) }));
      endpoint.onEvent((msg) => void apply(msg));
      let first: ToWebviewMessage;
      try {
        first = await endpoint.request({ type: 'ready' });
      } catch (err) {
        first = { type: 'error', message: errorText(err) };
      }
      await apply(first);
    },
  };
}
