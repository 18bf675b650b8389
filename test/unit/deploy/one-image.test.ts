import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';

const configDir = join(import.meta.dirname, '..', '..', '..', '..', 'config');
const workloadDirs = ['manager', 'sniffer'];

interface PodTemplateOwner {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } };
}

describe('deployment images', () => {
  it('the sniffer and the operator run the same image, one build of this repository', () => {
    const images = new Map<string, string>();
    const files = workloadDirs.flatMap((dir) => readdirSync(join(configDir, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)));
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(join(configDir, file), 'utf8'))) {
        const object = doc.toJS() as PodTemplateOwner | null;
        const pod = object?.spec?.template?.spec;
        for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
          images.set(`${file} ${object?.kind}`, container.image ?? '(none)');
        }
      }
    }
    expect([...images.keys()].sort()).to.deep.equal(['manager/operator-deployment.yaml Deployment', 'sniffer/sniffer-daemonset.yaml DaemonSet']);
    expect(new Set(images.values()).size, JSON.stringify([...images])).to.equal(1);
  });
});
