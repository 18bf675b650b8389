import { expect } from 'chai';
import { policyWithoutPort, type PolicyDocument } from '../../support/local-cluster/policy-without-port.js';

describe('one port taken out of an exported NetworkPolicy (the end-to-end test\'s opposite check)', () => {
  const peer = (app: string): Record<string, unknown> => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app } } });
  const policy: PolicyDocument = {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-deployment-ingress', namespace: 'shop' },
    spec: {
      podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'],
      ingress: [
        { from: [peer('agent')], ports: [{ protocol: 'TCP', port: 8080 }] },
        { from: [peer('web')], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }] },
      ],
    },
  };

  it('drops a rule left without ports, since an empty port list would admit every port', () => {
    expect(policyWithoutPort(policy, 'agent', 8080).spec.ingress).to.deep.equal([policy.spec.ingress![1]]);
  });

  it('keeps the rule\'s other ports and every other rule', () => {
    expect(policyWithoutPort(policy, 'web', 9090).spec.ingress).to.deep.equal([
      policy.spec.ingress![0],
      { from: [peer('web')], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
  });

  it('edits egress rules by their destination', () => {
    const egress: PolicyDocument = { metadata: { name: 'web-deployment-egress', namespace: 'shop' }, spec: { policyTypes: ['Egress'], egress: [{ to: [peer('api')], ports: [{ protocol: 'TCP', port: 8080 }] }] } };
    expect(policyWithoutPort(egress, 'api', 8080).spec.egress).to.deep.equal([]);
  });

  it('refuses an edit that changes nothing', () => {
    expect(() => policyWithoutPort(policy, 'agent', 9090)).to.throw('no ingress rule of shop/api-deployment-ingress admits app=agent on port 9090');
    expect(() => policyWithoutPort(policy, 'nobody', 8080)).to.throw(/admits app=nobody/);
  });
});
