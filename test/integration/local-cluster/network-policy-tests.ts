import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { LocalCluster } from '../../support/local-cluster/local-cluster.js';
import {
  applyEditedPolicy, asClientModel, exportedPolicyLabel, exportNetworkPolicies, kubectl, pauseOtterizeEnforcement, policiesIn, readExportedPolicies,
} from '../../support/local-cluster/network-policy-phase.js';
import { policyWithoutPort } from '../../support/local-cluster/policy-without-port.js';
import { describeFlow, describeUnmapped, tryUnmappedCall, type DemoFlow } from '../../support/local-cluster/zero-trust-check.js';
import { checkZeroTrust, verdictLines } from '../../support/local-cluster/zero-trust-verdict.js';
import { describePolicy } from '../../support/otterize/otterize-policies.js';
import { waitFor } from '../../support/wait-for.js';

const demoNamespaces = ['e2e-billing', 'e2e-shop'];
/** A port the api pod listens on for this phase only: the same call as web's, on a port the map never saw. */
const otherPort = 9090;

/**
 * The end-to-end test's plain-NetworkPolicy path (issue 23, docs/policies.md), which needs no
 * Otterize: `describeExport` right after the exact map is checked (the export is a snapshot of
 * that map, as a user would review and commit it); `describeEnforcement` later, when nothing else
 * enforces: Otterize's operator (when installed) is paused and its policies deleted first, ours are
 * deleted and Otterize resumed after.
 */
export function networkPolicyPhase(cluster: () => LocalCluster): { describeExport(): void; describeEnforcement(demoFlows: () => DemoFlow[]): void } {
  let dir: string | undefined;
  const kubeconfig = (): string => cluster().controlPlane.kubeconfigPath;

  const describeExport = (): void => {
    it('exports the demo\'s map as NetworkPolicies with ports and egress (kubectl netmap export --format networkpolicy --egress)', () => {
      dir = mkdtempSync(join(tmpdir(), 'netmap-e2e-policies-'));
      const exported = exportNetworkPolicies(kubeconfig(), demoNamespaces, dir);
      expect(exported.status, exported.stderr).to.equal(0);
      expect(exported.stderr, 'nothing skipped').not.to.include('skipped');
      expect(readdirSync(dir).sort()).to.deep.equal([
        'agent-daemonset-egress.e2e-shop.yaml', 'api-deployment-egress.e2e-shop.yaml', 'api-deployment-ingress.e2e-shop.yaml',
        'kustomization.yaml', 'payments-deployment-ingress.e2e-billing.yaml', 'web-deployment-egress.e2e-shop.yaml',
      ]);
      const policies = readExportedPolicies(dir);
      const { network } = cluster();
      const apiServerPort = new URL(cluster().admin.getCurrentCluster()!.server).port;
      const text = [...policies.values()].map((p) => describePolicy(asClientModel(p.policy))).join('\n');
      console.log(`local-cluster: exported NetworkPolicies:\n${text}`);
      const shop = 'in namespaces kubernetes.io/metadata.name=e2e-shop';
      const dns = 'to pods k8s-app=kube-dns in namespaces kubernetes.io/metadata.name=kube-system on 53/TCP, 53/UDP';
      // Servers by the ports their pods serve: payments' Service port 80 is its pods' 8080.
      expect(text.split('\n')).to.deep.equal([
        'e2e-shop/agent-daemonset-egress (Egress): pods app=agent',
        `    ${dns}`,
        `    to pods app=api ${shop} on 8080/TCP`,
        'e2e-shop/api-deployment-egress (Egress): pods app=api',
        `    ${dns}`,
        `    to IPs ${network.hostLink.hostIP}/32 on ${apiServerPort}/TCP`,
        `    to pods app=payments in namespaces kubernetes.io/metadata.name=e2e-billing on 8080/TCP`,
        `    to IPs ${network.internet.ip}/32 on 80/TCP`,
        'e2e-shop/api-deployment-ingress (Ingress): pods app=api',
        `    from pods app=agent ${shop} on 8080/TCP`,
        `    from pods app=web ${shop} on 8080/TCP`,
        'e2e-billing/payments-deployment-ingress (Ingress): pods app=payments',
        `    from pods app=api ${shop} on 8080/TCP`,
        'e2e-shop/web-deployment-egress (Egress): pods app=web',
        `    ${dns}`,
        `    to pods app=api ${shop} on 8080/TCP`,
        `    to IPs ${network.internet.ip}/32 on 80/TCP`,
      ]);
    });
  };

  const describeEnforcement = (demoFlows: () => DemoFlow[]): void => {
    let resumeOtterize: (() => Promise<void>) | undefined;

    it('keeps every demo flow for two minutes under the exported NetworkPolicies on kube-router; a new pod\'s call, a new call and the same call on another port are refused', async function () {
      this.timeout(300_000);
      expect(dir, 'the export above ran').to.be.a('string');
      const { admin } = cluster();
      if (cluster().withOtterize) resumeOtterize = await pauseOtterizeEnforcement(admin);
      expect(await policiesIn(admin, demoNamespaces), 'a clean start: no policy in the demo namespaces').to.deep.equal([]);
      const applied = kubectl(kubeconfig(), 'apply', '-k', dir!);
      expect(applied.status, applied.stderr).to.equal(0);
      expect(await policiesIn(admin, demoNamespaces)).to.have.length(5);

      // The api pod serves a second port for this phase (the demo app, started by kubectl exec,
      // gone after 3 min); the node (a hostNetwork pod), which every policy lets through, reaches it.
      const core = admin.makeApiClient(CoreV1Api);
      const apiPod = (await core.listNamespacedPod({ namespace: 'e2e-shop', labelSelector: 'app=api' })).items.find((p) => p.status?.phase === 'Running')!;
      const listener = kubectl(kubeconfig(), 'exec', '-n', 'e2e-shop', apiPod.metadata!.name!, '--', 'sh', '-c',
        `LISTEN_PORT=${otherPort} TARGETS= timeout 180 node /demo/app.mjs >/dev/null 2>&1 &`);
      expect(listener.status, listener.stderr).to.equal(0);
      const otherPortUrl = `http://${apiPod.status!.podIP!}:${otherPort}/`;
      const fromNode = await waitFor(`api's port ${otherPort} answering the node`, async () => {
        const result = await tryUnmappedCall(admin, kubeconfig(), { kind: 'exec', namespace: 'e2e-shop', podPrefix: 'host-client-', url: otherPortUrl });
        return result.detail === 'answered' ? result : undefined;
      }, 30_000);
      expect(fromNode.blocked).to.equal(false);

      const result = (await checkZeroTrust(cluster(), demoFlows(), [
        { kind: 'new-pod', namespace: 'e2e-shop', name: 'np-intruder', url: 'http://payments.e2e-billing/' },
        { kind: 'exec', namespace: 'e2e-shop', podPrefix: 'web-', url: 'http://payments.e2e-billing/' },
        { kind: 'exec', namespace: 'e2e-shop', podPrefix: 'web-', url: otherPortUrl },
      ], 120_000))!;
      await core.deleteNamespacedPod({ name: 'np-intruder', namespace: 'e2e-shop' }).catch(() => undefined);
      console.log(`local-cluster: exported NetworkPolicies: ${verdictLines(result).join('\n')}`);
      expect(result.flows.filter((f) => !f.kept).map(describeFlow), 'flows broken under enforcement').to.deep.equal([]);
      expect(result.unmapped.filter((u) => !u.blocked).map((u) => describeUnmapped(u.call)), 'calls outside the map that got through').to.deep.equal([]);
    });

    it('breaks exactly the flow whose port is taken out of one exported policy', async function () {
      this.timeout(120_000);
      const policies = readExportedPolicies(dir!);
      const api = policies.get('api-deployment-ingress')!;
      const edited = applyEditedPolicy(kubeconfig(), dir!, api.file, policyWithoutPort(api.policy, 'agent', 8080));
      expect(edited.status, edited.stderr).to.equal(0);
      const result = (await checkZeroTrust(cluster(), demoFlows(), [], 15_000))!;
      console.log(`local-cluster: port 8080 of agent taken out of api's exported ingress policy: ${verdictLines(result).join('\n')}`);
      const removed = result.flows.find((f) => f.podPrefix === 'agent-')!;
      expect(removed.count.failed, 'agent -> api refused').to.be.greaterThan(0);
      expect(result.flows.filter((f) => f !== removed && !f.kept).map(describeFlow), 'other flows broken').to.deep.equal([]);
    });

    // Runs when a test above failed too (mocha goes on): the tests after this phase start clean.
    it('removes the exported policies (kubectl delete by their label), leaving the demo namespaces as they were, and resumes Otterize', async function () {
      this.timeout(60_000);
      if (dir) rmSync(dir, { recursive: true, force: true });
      const deleted = kubectl(kubeconfig(), 'delete', 'networkpolicy', '-A', '-l', exportedPolicyLabel, '--ignore-not-found');
      await resumeOtterize?.();
      expect(deleted.status, deleted.stderr).to.equal(0);
      const left = kubectl(kubeconfig(), 'get', 'networkpolicy', '-A', '-l', exportedPolicyLabel, '-o', 'name');
      expect(left.status, left.stderr).to.equal(0);
      expect(left.stdout.trim()).to.equal('');
    });
  };

  return { describeExport, describeEnforcement };
}
