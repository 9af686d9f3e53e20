// Node's `require`, for what must be loaded at run time rather than bundled: the optional
// native tfjs packages (ladder.ts), the wasm package's own files and Node's CommonJS `os`
// (wasm/setup.ts, wasm/nodeThreads.ts).
import { createRequire } from 'node:module';
import * as path from 'node:path';

export function nodeRequire(): NodeJS.Require {
  // `require` exists in the CommonJS bundle (dist/*.js) and under tsx; fall back for ESM.
  if (typeof require === 'function') return require;
  return createRequire(path.join(process.cwd(), 'index.js'));
}
