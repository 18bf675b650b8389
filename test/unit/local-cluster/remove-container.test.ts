import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { removeContainer } from '../../support/otterize/remove-container.js';

describe('Helm post-renderer: remove a container from every pod template', () => {
  const rendered = `---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: manager }
spec:
  template:
    spec:
      containers:
        - { name: manager, image: example/manager:v1 }
        - { name: kube-rbac-proxy, image: example/proxy:v0 }
---
apiVersion: v1
kind: Service
metadata: { name: manager }
spec: { ports: [{ port: 443 }] }
---
`;

  it('drops the named container and keeps the others and every other object as they were', () => {
    const objects = parseAllDocuments(removeContainer(rendered, 'kube-rbac-proxy')).map((d) => d.toJS() as Record<string, unknown>);
    expect(objects).to.deep.equal([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'manager' }, spec: { template: { spec: { containers: [{ name: 'manager', image: 'example/manager:v1' }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manager' }, spec: { ports: [{ port: 443 }] } },
    ]);
  });

  it('leaves manifests without that container unchanged in content', () => {
    const objects = parseAllDocuments(removeContainer(rendered, 'sidecar')).map((d) => d.toJS() as unknown);
    expect(objects).to.deep.equal(parseAllDocuments(rendered).map((d) => d.toJS() as unknown).filter((o) => o !== null));
  });
});
