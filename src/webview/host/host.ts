/**
 * The two hosts of the one bundle, behind one interface: the VS Code panel (the message envelope
 * of src/protocol/rpc.ts over VS Code's postMessage, state in VS Code's webview state) and the
 * standalone report (the run embedded in the page, state in sessionStorage).
 */
import type { FromWebviewMessage, ToWebviewMessage, ViewImageRows } from '../../protocol/panelIpc';
import type { StateSlot } from '../store/persistence';
import { panelHost, vscodeApi } from './panelHost';
import { reportHost } from './reportHost';

export interface Host {
  readonly kind: 'panel' | 'report';
  /** Where the view state is kept between loads. */
  readonly slot: StateSlot;
  /** An event to the extension (a no-op in a report). */
  post(msg: FromWebviewMessage): void;
  /** A request to the extension; resolves with its reply, rejects with its error (a report rejects at once). */
  request(msg: FromWebviewMessage): Promise<ToWebviewMessage>;
  /**
   * Start delivering validated messages to `receive` (panel: request the snapshot with `ready`,
   * then every event; report: the embedded snapshot). Resolves when the first state is applied
   * (or the host's error shown), or rejects with a message for the user.
   */
  start(receive: (msg: ToWebviewMessage) => Promise<void>): Promise<void>;
  /**
   * Issue 13: the originals of some dataset rows, on demand (panel: the `images` request, read by
   * the extension from data/pixels.u8; report: unpacked from the page's embedded blocks). Absent: the page cannot fetch originals (Compare Runs).
   */
  images?(rows: number[]): Promise<ViewImageRows>;
}

/** The panel when the page runs inside VS Code, else the report. */
export function detectHost(): Host {
  const api = vscodeApi();
  return api ? panelHost(api) : reportHost();
}
