import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { networkObservationDefinition } from '../../../src/crds/network-observation.js';
import { snifferConfigSchema } from '../../../src/sniffer/core/sniffer-config.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

describe('ResourceQuota on NetworkObservations (config/quota)', () => {
  it('counts the CRD the sniffers write, in the namespace they write to', () => {
    const quota = parse(readFileSync(join(repoRoot, 'config/quota/network-observations-quota.yaml'), 'utf8')) as { kind: string; metadata: { namespace: string }; spec: { hard: Record<string, string> } };
    const { plural, group } = networkObservationDefinition;
    expect(quota.kind).to.equal('ResourceQuota');
    expect(quota.metadata.namespace).to.equal(snifferConfigSchema.parse({ NODE_NAME: 'n' }).POD_NAMESPACE);
    expect(Object.keys(quota.spec.hard)).to.deep.equal([`count/${plural}.${group}`]);
    expect(Number(quota.spec.hard[`count/${plural}.${group}`])).to.be.within(100, 100_000);
  });

  it("the chart's template counts the same resource, at the same default", () => {
    const template = readFileSync(join(repoRoot, 'charts/network-mapper/templates/observation-quota.yaml'), 'utf8');
    const values = parse(readFileSync(join(repoRoot, 'charts/network-mapper/values.yaml'), 'utf8')) as { sniffer: { observationQuota: number } };
    const quota = parse(readFileSync(join(repoRoot, 'config/quota/network-observations-quota.yaml'), 'utf8')) as { spec: { hard: Record<string, string> } };
    const { plural, group } = networkObservationDefinition;
    expect(template).to.contain(`count/${plural}.${group}: {{`);
    expect(String(values.sniffer.observationQuota)).to.equal(quota.spec.hard[`count/${plural}.${group}`]);
  });
});
