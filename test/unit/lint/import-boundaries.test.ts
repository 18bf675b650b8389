import { join } from 'node:path';
import { expect } from 'chai';
import { ESLint } from 'eslint';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * The import boundaries of eslint.config.js, proven by linting small files that break them (the
 * files exist only as text handed to ESLint under a path in each folder). A later config block
 * that replaced a folder's `no-restricted-imports` options would make one of these pass silently
 * in the product, and fail here.
 */
interface Case {
  readonly path: string;
  readonly code: string;
  /** The rule expected to report, or undefined when the code is allowed there. */
  readonly rule?: 'no-restricted-imports' | 'no-restricted-globals' | 'no-restricted-properties';
}

const core = 'src/operator/core/lint-probe.ts';
const snifferCore = 'src/sniffer/core/lint-probe.ts';
const cliCore = 'src/cli/core/lint-probe.ts';
const apiTypes = 'src/crds/lint-probe.ts';
const operatorShell = 'src/operator/shell/controllers/lint-probe.ts';
const snifferShell = 'src/sniffer/shell/reporting/lint-probe.ts';
const pcapSource = 'src/sniffer/shell/capture/pcap-source.ts';
const cliShell = 'src/cli/shell/lint-probe.ts';
const shared = 'src/shared/lint-probe.ts';

const imports = 'no-restricted-imports';
const cases: Case[] = [
  ...[core, snifferCore, cliCore].flatMap((path): Case[] => [
    { path, code: "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;", rule: imports },
    { path, code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
    { path, code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;", rule: imports },
    { path, code: "import { readFile } from 'fs/promises';\nexport const r = readFile;", rule: imports },
    { path, code: "import { spawn } from 'node:child_process';\nexport const s = spawn;", rule: imports },
    { path, code: "import { connect } from 'node:net';\nexport const c = connect;", rule: imports },
    { path, code: "import { request } from 'node:http';\nexport const r = request;", rule: imports },
    { path, code: "import { request } from 'node:https';\nexport const r = request;", rule: imports },
    { path, code: "import { connect } from 'node:http2';\nexport const c = connect;", rule: imports },
    { path, code: "import { setTimeout as sleep } from 'node:timers/promises';\nexport const s = sleep;", rule: imports },
    { path, code: "import { setInterval as every } from 'node:timers';\nexport const e = every;", rule: imports },
    { path, code: "import { convert } from '../shell/convert.js';\nexport const c = convert;", rule: imports },
    { path, code: "import { convert } from '../../operator/shell/convert.js';\nexport const c = convert;", rule: imports },
    { path, code: 'export const t = setTimeout(() => undefined, 1);', rule: 'no-restricted-globals' },
    { path, code: 'export const t = setInterval(() => undefined, 1);', rule: 'no-restricted-globals' },
    { path, code: 'export const t = Date.now();', rule: 'no-restricted-properties' },
    // Pure helpers of node stay allowed.
    { path, code: "import { isIP } from 'node:net';\nimport { createHash } from 'node:crypto';\nexport const f = [isIP, createHash];" },
  ]),
  { path: apiTypes, code: "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;", rule: imports },
  { path: apiTypes, code: "import { x } from '../operator/shell/convert.js';\nexport const c = x;", rule: imports },
  { path: apiTypes, code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
  { path: apiTypes, code: "import { writeFileSync } from 'node:fs';\nexport const w = writeFileSync;", rule: imports },
  { path: apiTypes, code: "import { isIP } from 'node:net';\nexport const i = isIP;" },
  { path: cliShell, code: "import { OwnerReader } from '../../operator/shell/owner-reader.js';\nexport const o = OwnerReader;", rule: imports },
  { path: cliShell, code: "import { OwnerReader } from '../../shared/shell/owner-reader.js';\nexport const o = OwnerReader;" },
  { path: 'generators/lint-probe.ts', code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
  ...[operatorShell, snifferShell].flatMap((path): Case[] => [
    { path, code: "import { runCli } from '../../../cli/shell/run-cli.js';\nexport const r = runCli;", rule: imports },
    { path, code: "import { parseCommand } from '../../../cli/core/command.js';\nexport const p = parseCommand;", rule: imports },
    { path, code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
    { path, code: "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;" },
  ]),
  { path: pcapSource, code: "import * as cap from 'cap';\nexport const c = cap;" },
  { path: pcapSource, code: "import { runCli } from '../../../cli/shell/run-cli.js';\nexport const r = runCli;", rule: imports },
  { path: cliShell, code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
  { path: cliShell, code: "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;" },
  { path: shared, code: "import * as cap from 'cap';\nexport const c = cap;", rule: imports },
];

const boundaryRules = new Set(['no-restricted-imports', 'no-restricted-globals', 'no-restricted-properties']);

describe('import boundaries (eslint.config.js)', function () {
  this.timeout(60_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: repoRoot });
  });

  for (const c of cases) {
    const firstLine = c.code.split('\n')[0];
    it(`${c.path}: ${c.rule ? `refuses` : 'allows'} ${firstLine}`, async () => {
      const [result] = (await eslint.lintText(c.code, { filePath: join(repoRoot, c.path) })) as [ESLint.LintResult];
      const fatal = result.messages.filter((m) => m.fatal);
      expect(fatal, 'the probe must parse').to.deep.equal([]);
      const reported = result.messages.filter((m) => m.ruleId !== null && boundaryRules.has(m.ruleId)).map((m) => m.ruleId);
      expect(reported).to.deep.equal(c.rule ? [c.rule] : []);
    });
  }

  it('the resolved config of a core file holds every ban (what `eslint --print-config` shows)', async () => {
    const config = (await eslint.calculateConfigForFile(join(repoRoot, 'src/operator/core/plan.ts'))) as { rules: Record<string, unknown[]> };
    const [, options] = config.rules['no-restricted-imports'] as [unknown, { paths: { name: string }[]; patterns: { group: string[] }[] }];
    const names = options.paths.map((p) => p.name);
    for (const banned of ['@kubernetes/client-node', 'cap', 'node:fs', 'node:child_process', 'node:net', 'node:http', 'node:https', 'node:timers']) expect(names).to.include(banned);
    expect(options.patterns.flatMap((p) => p.group)).to.include('**/shell/**');
  });
});
