import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries. For one rule, flat config takes the options of the LAST block matching a file,
// so two blocks both setting `no-restricted-imports` for a file silently drop the first one's bans
// (that is how the core rule once died). Each folder below therefore gets its whole list in ONE
// block, and the blocks' file sets are disjoint (each ignores the folders of the others).
// test/unit/lint/import-boundaries.test.ts lints a file breaking each rule and expects the error.
const capOwner = 'src/sniffer/shell/capture/pcap-source.ts';
const folders = {
  core: ['src/**/core/**/*.ts'],
  apiTypes: ['src/crds/**/*.ts'],
  shells: ['src/operator/shell/**/*.ts', 'src/sniffer/shell/**/*.ts'],
  cliShell: ['src/cli/shell/**/*.ts'],
  capOwner: [capOwner],
};
const noCap = { name: 'cap', message: `Only ${capOwner} touches libpcap.` };
const noClientNode = { name: '@kubernetes/client-node', message: 'Only the shell talks to the cluster.' };
const noShell = { group: ['**/shell/**', '**/shell'], message: 'core and API types never import a shell.' };
const noCli = { group: ['**/cli/**', '**/cli'], message: 'The operator and the sniffer never import the CLI.' };
const noComponentShell = { group: ['**/operator/shell/**', '**/sniffer/shell/**'], message: 'Shell code the CLI shares with a component lives in src/shared/shell.' };
const coreIo = (name, message) => [name, `node:${name}`].map((n) => ({ name: n, message }));
const coreOnly = [
  ...['fs', 'fs/promises', 'child_process', 'http', 'https', 'http2', 'dgram', 'dns', 'dns/promises'].flatMap((m) => coreIo(m, 'core is plain data in, plain data out: I/O belongs in the shell.')),
  // isIP and friends are pure; sockets are I/O.
  ...coreIo('net', 'core does no I/O: only isIP, isIPv4 and isIPv6 of node:net.').map((p) => ({ ...p, allowImportNames: ['isIP', 'isIPv4', 'isIPv6'] })),
  ...['timers', 'timers/promises'].flatMap((m) => coreIo(m, 'core takes time and timers injected (a clock), so tests control them.')),
];
const hiddenTime = 'core takes time and timers injected (a clock), so tests control them.';
const restrict = (paths, patterns = []) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });
const importBoundaries = [
  { files: ['src/**/*.ts', 'generators/**/*.ts'], ignores: [...folders.core, ...folders.apiTypes, ...folders.shells, ...folders.cliShell], rules: restrict([noCap]) },
  {
    files: folders.core,
    rules: {
      ...restrict([noClientNode, noCap, ...coreOnly], [noShell]),
      'no-restricted-globals': ['error', ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({ name, message: hiddenTime }))],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: hiddenTime }, { object: 'performance', property: 'now', message: hiddenTime }],
    },
  },
  // The API types are pure like core (the generators that write files live in generators/).
  { files: folders.apiTypes, rules: restrict([noClientNode, noCap, ...coreOnly], [noShell]) },
  { files: folders.cliShell, rules: restrict([noCap], [noComponentShell]) },
  { files: folders.shells, ignores: folders.capOwner, rules: restrict([noCap], [noCli]) },
  { files: folders.capOwner, rules: restrict([], [noCli]) },
];

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
  // Import boundaries last, so no block after them can replace them.
  ...importBoundaries,
);
