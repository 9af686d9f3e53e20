/**
 * The standalone report host: the run is embedded in the page (<script type="application/json"
 * id="ll-snapshot">, its typed arrays as base64 by `toJsonSafe`: the one place base64 remains),
 * restored with `fromJsonSafe` and validated like a message; nothing is sent anywhere; the view
 * state is kept in sessionStorage for this file (memory where storage is refused).
 */
import { RunSnapshot } from '../../protocol/panelIpc';
import { fromJsonSafe } from '../../protocol/rpc';
import { sessionSlot } from '../store/persistence';
import type { Host } from './host';
import { reportImages } from './reportImages';

/** A start-up failure whose message is for the user as it is. */
export class StartError extends Error {}

export function reportHost(): Host {
  let images: ReturnType<typeof reportImages> = null;
  return {
    kind: 'report',
    slot: sessionSlot(`latent-lens:view:${location.pathname}`),
    post: () => {},
    images: (rows) => images ? images(rows) : Promise.reject(new Error('this report carries no original images')),
    request: (m) => Promise.reject(new Error(`"${m.type}" needs VS Code: this report is a saved page`)),
    async start(receive) {
      const embedded = document.getElementById('ll-snapshot');
      if (!embedded?.textContent) throw new StartError('No run data in this page.');
      const parsed = RunSnapshot.safeParse(fromJsonSafe(JSON.parse(embedded.textContent)));
      if (!parsed.success) throw new StartError(`Invalid run data: ${parsed.error.message.slice(0, 300)}`);
      images = reportImages(parsed.data.index); // issue 13: a large report's originals, unpacked on demand
      await receive({ type: 'snapshot', snapshot: parsed.data });
    },
  };
}
