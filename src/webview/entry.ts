/**
 * The webview bundle's entry: the page config (`ll-config`, src/webview/html.ts) says which page
 * this is — a run's latent-space view (main.ts) or Compare Runs (compare/compareMain.ts). Both are
 * in the one bundle; esbuild turns each `import()` into a lazy module initialiser, so only the
 * chosen page's top-level code runs.
 */
import { readPageConfig } from './host/pageConfig';

if (readPageConfig().mode === 'compare') void import('./compare/compareMain');
else void import('./main');
