import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test/controlplane/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The serve command's page: a plain browser script, shipped as written (no bundler).
    files: ['page/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['document', 'fetch', 'setTimeout', 'clearTimeout', 'EventSource', 'DOMParser', 'URLSearchParams'].map((g) => [g, 'readonly'])),
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Only the shell talks to the cluster and only one module touches libpcap.
    files: ['src/**/core/**/*.ts', 'src/crds/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['@kubernetes/client-node', 'cap'], patterns: ['**/shell/**'] },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/sniffer/shell/capture/pcap-source.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['cap'] }],
    },
  },
);
