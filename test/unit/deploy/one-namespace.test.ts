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
      const object = doc.toJS() as { kind?: string; namespace?: string; metadata?: { name?: string; namespace?: string }; subjects?: { namespace?: string }[] } | null;
      if (!object) continue;
      if (object.kind === 'Kustomization' && object.namespace) found.add(object.namespace);
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

  it('config/rbac, manager, sniffer, prometheus and default name that one namespace and no other', () => {
    const expected = snifferConfigSchema.parse({ NODE_NAME: 'n' }).POD_NAMESPACE;
    for (const dir of ['rbac', 'manager', 'sniffer', 'prometheus', 'default']) {
      expect([...namespacesIn(`config/${dir}`)], dir).to.deep.equal([expected]);
    }
  });
});
