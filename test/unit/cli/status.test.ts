import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { buildStatus } from '../../../src/cli/core/commands/status.js';
import { reasonAdvice, statusReport, type StatusInput } from '../../../src/cli/core/status-report.js';
import { unresolvedReasons } from '../../../src/operator/core/types.js';
import { expectGolden } from './golden.js';

const now = Date.parse('2026-11-26T04:00:00Z');
const min = 60_000;

const healthy: StatusInput = {
  now,
  namespace: 'network-mapper',
  nodes: ['node-a', 'node-b'],
  snifferPods: [
    { name: 'netmap-sniffer-a', node: 'node-a', ready: true },
    { name: 'netmap-sniffer-b', node: 'node-b', ready: true },
  ],
  observations: [
    { node: 'node-a', created: now - 20_000, windowEnd: now - 25_000, phase: 'Processed', unresolved: [{ reason: 'client-host-network', count: 4 }, { reason: 'server-unknown-ip', count: 9 }] },
    { node: 'node-b', created: now - 40_000, windowEnd: now - 45_000, phase: 'Processed', unresolved: [{ reason: 'client-host-network', count: 1 }] },
    { node: 'node-b', created: now - 5_000, windowEnd: now - 6_000, unresolved: [] },
    { node: 'node-b', created: now - 2 * 3_600_000, windowEnd: now - 2 * 3_600_000, phase: 'Processed', unresolved: [{ reason: 'self-call', count: 100 }] },
  ],
  operator: { name: 'network-mapper-operator', desired: 2, ready: 2 },
  lease: { holder: 'network-mapper-operator-7d4-x2', acquired: now - 3 * 3_600_000, renewed: now - 3_000, durationSeconds: 15 },
  crd: { ours: false, versions: ['v1alpha2', 'v1alpha3', 'v2alpha1', 'v2beta1'] },
};

describe('cli status', () => {
  it('says OK for a healthy install, with each part (golden)', () => {
    const report = statusReport(healthy);
    expect(report.ok).to.equal(true);
    expectGolden('status-ok.txt', report.text);
  });

  it('lists each problem with what to do, and is not OK (golden)', () => {
    const report = statusReport({
      ...healthy,
      nodes: ['node-a', 'node-b', 'node-c'],
      snifferPods: [{ name: 'netmap-sniffer-a', node: 'node-a', ready: false }, { name: 'netmap-sniffer-b', node: 'node-b', ready: true }],
      observations: [{ node: 'node-b', created: now - 30 * min, windowEnd: now - 30 * min, unresolved: [] }],
      operator: { name: 'network-mapper-operator', desired: 2, ready: 1 },
      lease: { holder: 'network-mapper-operator-7d4-x2', acquired: now - 3 * 3_600_000, renewed: now - 2 * min, durationSeconds: 15 },
      crd: { ours: true, versions: ['v2beta1'] },
    });
    expect(report.ok).to.equal(false);
    expectGolden('status-problems.txt', report.text);
    const missing = statusReport({ ...healthy, operator: undefined, lease: undefined, crd: undefined } as StatusInput);
    expect(missing.text).to.include('no operator Deployment in namespace network-mapper');
    expect(missing.text).to.include('the ClientIntents CRD is not installed');
  });

  it('explains every reason the operator can give', () => {
    expect(Object.keys(reasonAdvice).sort()).to.deep.equal([...unresolvedReasons].sort());
  });

  it('takes the operator\'s own defaults for the namespace and the Lease', () => {
    expect(buildStatus({})).to.deep.include({ namespace: 'network-mapper', leaseName: 'network-mapper-operator' });
    expect(() => buildStatus({ 'install-namespace': 'Bad' })).to.throw('--install-namespace: "Bad" is not a namespace name');
  });

  it('has a read-only ClusterRole for the CLI\'s users', () => {
    const role = parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'config', 'rbac', 'cli-clusterrole.yaml'), 'utf8')) as { kind: string; rules: { verbs: string[] }[] };
    expect(role.kind).to.equal('ClusterRole');
    for (const rule of role.rules) expect(rule.verbs.every((v) => v === 'get' || v === 'list' || v === 'watch'), JSON.stringify(rule)).to.equal(true);
  });
});
