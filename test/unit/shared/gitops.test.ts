import { expect } from 'chai';
import { gitOpsManagement, isGitOpsMark } from '../../../src/shared/gitops.js';

describe('gitOpsManagement', () => {
  it('recognises Flux by its Kustomization labels or by its field manager', () => {
    expect(gitOpsManagement({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'intents', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } })).to.deep.equal({ engine: 'Flux', by: 'label kustomize.toolkit.fluxcd.io/name' });
    expect(gitOpsManagement({ fieldManagers: ['network-mapper', 'kustomize-controller'] })).to.deep.equal({ engine: 'Flux', by: 'field manager kustomize-controller' });
    expect(gitOpsManagement({ labels: { 'helm.toolkit.fluxcd.io/name': 'netpol' } })?.engine).to.equal('Flux');
  });

  it('recognises Argo CD by its tracking annotation, its tracking label or its field manager', () => {
    expect(gitOpsManagement({ annotations: { 'argocd.argoproj.io/tracking-id': 'intents:k8s.otterize.com/ClientIntents:shop/frontend' } })).to.deep.equal({ engine: 'Argo CD', by: 'annotation argocd.argoproj.io/tracking-id' });
    expect(gitOpsManagement({ labels: { 'app.kubernetes.io/instance': 'intents' } })?.engine).to.equal('Argo CD');
    expect(gitOpsManagement({ fieldManagers: ['argocd-controller'] })?.engine).to.equal('Argo CD');
  });

  it('sees none on an object only network-mapper, kubectl or a user wrote', () => {
    expect(gitOpsManagement({ labels: { 'app.kubernetes.io/managed-by': 'network-mapper' }, annotations: { 'netmap.dev/evidence': '{}' }, fieldManagers: ['network-mapper', 'kubectl-client-side-apply', 'kubectl'] })).to.equal(undefined);
    expect(gitOpsManagement({})).to.equal(undefined);
    // An empty label value is no mark.
    expect(gitOpsManagement({ labels: { 'kustomize.toolkit.fluxcd.io/name': '' } })).to.equal(undefined);
  });

  it('names the engines\' own marks, which an export leaves out, but keeps the common instance label', () => {
    expect(isGitOpsMark('kustomize.toolkit.fluxcd.io/name')).to.equal(true);
    expect(isGitOpsMark('argocd.argoproj.io/tracking-id')).to.equal(true);
    expect(isGitOpsMark('app.kubernetes.io/instance')).to.equal(false);
    expect(isGitOpsMark('team')).to.equal(false);
  });
});
