/**
 * zod, configured for every process of Latent Lens. Import `z` from here, never from 'zod'
 * directly (eslint enforces it), so the configuration is in place before any schema is built.
 *
 * `jitless`: zod 4 compiles a fast parser for each object schema with `new Function`, after
 * probing whether eval is allowed: `typeof navigator !== 'undefined' && navigator.userAgent…`
 * (zod/v4/core/util.js, `allowsEval`). In the VS Code extension host, `navigator` is a getter
 * that logs "PendingMigrationError: navigator is now a global in nodejs" with a stack trace for
 * any extension that touches it, and the webview's CSP (no 'unsafe-eval') refuses the
 * `new Function` probe anyway, which Chromium reports as a CSP violation. Jitless, zod neither
 * probes nor compiles and parses objects with its interpreted parser: the webview never had the
 * compiled one (its CSP), and the extension host and the trainer parse small messages and, for a
 * panel snapshot, the lines of metrics.jsonl (a few thousand for a long run).
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };

/** A zod error as one line naming each bad key: `model.latentDim: Too big: expected number to be <=512; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(the value itself)'}: ${i.message}`).join('; ');
}
