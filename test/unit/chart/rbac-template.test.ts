import { expect } from 'chai';
import { rbacTemplate } from '../../../generators/chart/chart-files.js';

const role = (rest: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: network-mapper-sniffer
  namespace: network-mapper
  labels:
    app.kubernetes.io/component: sniffer
${rest}`;

describe('rbacTemplate (config/rbac rules into the chart)', () => {
  it("keeps the rules as written, comments included, under the chart's names", () => {
    const text = role('rules:\n  # why\n  - apiGroups: [netmap.dev]\n    resources: [networkobservations]\n    verbs: [create]\n');
    const template = rbacTemplate('sniffer-role.yaml', text);
    expect(template).to.contain('  name: {{ include "network-mapper.fullname" . }}-sniffer\n  namespace: {{ .Release.Namespace }}\n');
    expect(template).to.contain('    app.kubernetes.io/component: sniffer\n');
    expect(template.endsWith('rules:\n  # why\n  - apiGroups: [netmap.dev]\n    resources: [networkobservations]\n    verbs: [create]\n')).to.equal(true);
  });

  it('refuses a file whose rules are not its last key, a name outside the prefix, and other kinds', () => {
    const rules = 'rules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n';
    expect(() => rbacTemplate('r.yaml', role(`${rules}extra: 1\n`))).to.throw(/rules:` must be the last key/);
    expect(() => rbacTemplate('r.yaml', role(rules).replace('name: network-mapper-sniffer', 'name: other'))).to.throw(/does not start with network-mapper/);
    expect(() => rbacTemplate('r.yaml', role(rules).replace('kind: Role', 'kind: RoleBinding'))).to.throw(/not a Role or ClusterRole/);
  });

  it('refuses text Helm would read as a template', () => {
    expect(() => rbacTemplate('r.yaml', role('rules:\n  # {{ oops }}\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n'))).to.throw(/Helm would read as a template/);
  });
});
