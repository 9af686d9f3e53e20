// ESLint flat config: typescript-eslint's recommended rules over src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'test/vscode-server/node_modules/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // zod is configured (jitless) in src/protocol/zod.ts before any schema is built: import it from there.
      'no-restricted-imports': ['error', { paths: [{ name: 'zod', message: "import { z } from 'src/protocol/zod' (configured for the extension host and the webview CSP)" }] }],
    },
  },
  { files: ['src/protocol/zod.ts'], rules: { 'no-restricted-imports': 'off' } },
);
