import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { operatorConfigSchema } from '../../../src/operator/core/operator-config.js';
import { snifferConfigSchema } from '../../../src/sniffer/core/sniffer-config.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

function namespacesIn(dir: string): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(join(repoRoot, dir, file), 'utf8'))) {
      const object = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string }; subjects?: { namespace?: string }[] } | null;
      if (!object) continue;
      if (object.kind === 'Namespace' && object.metadata?.name) found.add(object.metadata.name);
      if (object.metadata?.namespace) found.add(object.metadata.namespace);
      for (const subject of object.subjects ?? []) if (subject.namespace) found.add(subject.namespace);
    }
  }
  return found;
}

describe('deployment namespaces', () => {
  it('the sniffers write observations where the operator reads them', () => {
    const sniffer = snifferConfigSchema.parse({ NODE_NAME: 'n' }).POD_NAMESPACE;
    const operator = operatorConfigSchema.parse({}).OBSERVATION_NAMESPACE;
    expect(sniffer).to.equal(operator);
  });

  it('config/rbac, config/quota and deploy name that one namespace and no other', () => {
    const expected = snifferConfigSchema.parse({ NODE_NAME: 'n' }).POD_NAMESPACE;
    expect([...namespacesIn('config/rbac')]).to.deep.equal([expected]);
    expect([...namespacesIn('config/quota')]).to.deep.equal([expected]);
    expect([...namespacesIn('deploy')]).to.deep.equal([expected]);
  });
});
