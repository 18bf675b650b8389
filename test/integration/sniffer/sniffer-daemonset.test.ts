import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadAllYaml, type KubeConfig, type KubernetesObject, type V1DaemonSet } from '@kubernetes/client-node';
import { parseEnvConfig } from '../../../src/shared/env-config.js';
import { snifferConfigSchema } from '../../../src/sniffer/core/sniffer-config.js';
import { rawRequest } from '../../support/raw-request.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { snifferRbacObjects, snifferServiceAccount } from '../../support/sniffer-rbac.js';
import { ensureNamespace } from './observation-api.js';

const snifferDir = join(import.meta.dirname, '..', '..', '..', '..', 'config', 'sniffer');
const manifests = ['sniffer-priorityclass.yaml', 'sniffer-daemonset.yaml'];

describe('config/sniffer (the DaemonSet and its PriorityClass)', function () {
  this.timeout(60_000);
  const objects = manifests.flatMap((file) => loadAllYaml(readFileSync(join(snifferDir, file), 'utf8')) as KubernetesObject[]);
  const daemonSet = objects.find((o) => o.kind === 'DaemonSet') as V1DaemonSet;
  const pod = daemonSet.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('is accepted by a real API server under strict field validation (dry run)', async () => {
    const admin: KubeConfig = (await sharedControlPlane()).admin();
    await ensureNamespace(admin, daemonSet.metadata!.namespace!);
    const paths: Record<string, string> = {
      PriorityClass: '/apis/scheduling.k8s.io/v1/priorityclasses',
      DaemonSet: `/apis/apps/v1/namespaces/${daemonSet.metadata!.namespace}/daemonsets`,
    };
    expect(objects.map((o) => o.kind)).to.deep.equal(['PriorityClass', 'DaemonSet']);
    for (const object of objects) {
      const { status, body } = await rawRequest(admin, 'POST', `${paths[object.kind!]}?dryRun=All&fieldValidation=Strict`, object);
      expect(status, body).to.equal(201);
    }
    // The check is strict: the same object with a misspelt field is refused.
    const misspelt = { ...daemonSet, spec: { ...daemonSet.spec, template: { ...daemonSet.spec!.template, spec: { ...pod, hostPid: true } } } };
    const refused = await rawRequest(admin, 'POST', `${paths.DaemonSet}?dryRun=All&fieldValidation=Strict`, misspelt);
    expect(refused.status).to.equal(400);
    expect((JSON.parse(refused.body) as { message: string }).message).to.match(/unknown field "spec.template.spec.hostPid"/);
  });

  it('runs on the host network and PID namespace with the host /proc read-only at PROC_ROOT', () => {
    expect(pod.hostNetwork).to.equal(true);
    expect(pod.hostPID).to.equal(true);
    const env = Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const mount = container.volumeMounts!.find((m) => m.mountPath === env.PROC_ROOT)!;
    expect(mount.readOnly).to.equal(true);
    expect(pod.volumes!.find((v) => v.name === mount.name)!.hostPath!.path).to.equal('/proc');
  });

  it('sets only variables the sniffer reads, with valid values, node and namespace from the downward API', () => {
    const known = Object.keys(snifferConfigSchema.shape);
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      expect(known, variable.name).to.include(variable.name);
      env[variable.name] = variable.value ?? `from-${variable.valueFrom?.fieldRef?.fieldPath}`;
    }
    expect(env.NODE_NAME).to.equal('from-spec.nodeName');
    expect(env.POD_NAMESPACE).to.equal('from-metadata.namespace');
    const config = parseEnvConfig(snifferConfigSchema, { ...env, POD_NAMESPACE: 'network-mapper' });
    expect(container.ports!.map((p) => p.containerPort)).to.deep.equal([config.HTTP_PORT]);
    expect(pod.terminationGracePeriodSeconds).to.be.greaterThan(config.FLUSH_TIMEOUT_SECONDS);
  });

  it('drops every capability but NET_RAW and SYS_PTRACE, and uses the sniffer ServiceAccount', () => {
    expect(container.securityContext!.capabilities).to.deep.equal({ drop: ['ALL'], add: ['NET_RAW', 'SYS_PTRACE'] });
    expect(container.securityContext!.privileged ?? false).to.equal(false);
    expect(pod.serviceAccountName).to.equal(snifferServiceAccount);
    const rbacNamespace = snifferRbacObjects('network-mapper').map((o) => o.metadata!.namespace);
    expect(rbacNamespace).to.deep.equal(Array(3).fill(daemonSet.metadata!.namespace));
  });

  it('can be scheduled on every node: tolerates all taints, with a priority class it ships', () => {
    expect(pod.tolerations).to.deep.equal([{ operator: 'Exists' }]);
    expect(objects.some((o) => o.kind === 'PriorityClass' && o.metadata!.name === pod.priorityClassName)).to.equal(true);
  });
});
