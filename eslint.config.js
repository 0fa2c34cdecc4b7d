import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import importPlugin from 'eslint-plugin-import';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '.dist-*/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'bench-results/',
      '.sandbox/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks, import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'import/no-cycle': 'error',
      // The protocol core and the flow definitions never reach into state or UI (STYLE.md). The app
      // learns the sandbox over HTTP, never from its source; the server may share src/protocol only.
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/protocol', from: ['./src/flows', './src/state', './src/ui'] },
            { target: './src/flows', from: ['./src/state', './src/ui'] },
            { target: './src/state', from: ['./src/ui'] },
            {
              target: './src',
              from: './server',
              message: 'The app reads the sandbox at run time (src/state/sandbox-directory.ts).',
            },
            { target: './server', from: ['./src/ui', './src/state'] },
          ],
        },
      ],
    },
  },
);
