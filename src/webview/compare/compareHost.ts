/**
 * Where the Compare Runs page gets its runs: inside VS Code the panel host of a run's page
 * (host/panelHost.ts: `ready` is a request whose reply is a `compareSnapshot`, later ones arrive
 * as events while the runs change); in the standalone report the runs embedded in the page
 * (`ll-snapshot`, a CompareSnapshot with its typed arrays as base64), validated like a message.
 */
import { CompareSnapshot } from '../../protocol/panelIpc';
import { fromJsonSafe } from '../../protocol/rpc';
import type { Host } from '../host/host';
import { panelHost, vscodeApi } from '../host/panelHost';
import { StartError } from '../host/reportHost';
import { sessionSlot } from '../store/persistence';

export function compareHost(): Host {
  const api = vscodeApi();
  return api ? panelHost(api) : compareReportHost();
}

function compareReportHost(): Host {
  return {
    kind: 'report',
    slot: sessionSlot(`latent-lens:compare:${location.pathname}`),
    post: () => {},
    request: (m) => Promise.reject(new Error(`"${m.type}" needs VS Code: this report is a saved page`)),
    async start(receive) {
      const embedded = document.getElementById('ll-snapshot');
      if (!embedded?.textContent) throw new StartError('No runs in this page.');
      const parsed = CompareSnapshot.safeParse(fromJsonSafe(JSON.parse(embedded.textContent)));
      if (!parsed.success) throw new StartError(`Invalid run data: ${parsed.error.message.slice(0, 300)}`);
      await receive({ type: 'compareSnapshot', compare: parsed.data });
    },
  };
}
