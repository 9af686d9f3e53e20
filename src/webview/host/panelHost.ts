/**
 * The VS Code panel host: acquireVsCodeApi (the extension's shim hands out the one instance),
 * the webview state slot, and the message path — `ready` pulls the snapshot, then every message
 * from the extension is validated (src/protocol/panelIpc.ts) before use; invalid ones are
 * reported back as `log` and dropped.
 */
import { parseToWebviewMessage, type FromWebviewMessage, type ToWebviewMessage } from '../../protocol/panelIpc';
import { vscodeSlot } from '../store/persistence';
import type { Host } from './host';

export interface VsCodeApi {
  postMessage(msg: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi | null {
  return typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
}

export function panelHost(api: VsCodeApi): Host {
  let nextMessageId = 1;
  const post = (m: FromWebviewMessage) => api.postMessage(m);
  return {
    kind: 'panel',
    slot: vscodeSlot(api),
    post,
    nextId: () => nextMessageId++,
    async start(receive) {
      window.addEventListener('message', (e: MessageEvent) => {
        let msg: ToWebviewMessage;
        try {
          msg = parseToWebviewMessage(e.data);
        } catch (err) {
          post({ type: 'log', level: 'warn', message: `Invalid message from host: ${err instanceof Error ? err.message.slice(0, 500) : String(err)}` });
          return;
        }
        receive(msg).catch((err) => post({ type: 'log', level: 'error', message: String(err) }));
      });
      post({ type: 'ready', messageId: nextMessageId++ });
    },
  };
}
