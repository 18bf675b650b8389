import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { controlPlaneBinary } from '../../control-plane.js';
import { sh } from '../../netns/topology.js';
import { waitFor } from '../../wait-for.js';
import { cniConfList, containerdConfig, kubeletConfig, kubeProxyConfig, nodeResolvConf, type NodeCredentials } from './node-config.js';
import { startNodeComponent, type NodeComponent } from './node-component.js';
import { createNodeCgroups } from './node-host.js';
import { importImages, type ImageSource } from './node-images.js';
import type { NodeLayout } from './node-layout.js';

const containerdStartTimeoutMs = 20_000;
const nodeReadyTimeoutMs = 60_000;

export interface RealNode {
  /** When the Node was Ready without the not-ready taint, in ms after the start was called. */
  readonly readyAfterMs: number;
  /** Stops kube-proxy and the kubelet, removes every pod sandbox through the CRI (CNI DEL for each), stops containerd. */
  stop(): Promise<void>;
}

function socketAnswers(socket: string): Promise<boolean> {
  return existsSync(socket) ? sh('ctr', '-a', socket, 'version').then(() => true, () => false) : Promise.resolve(false);
}

/**
 * A real Kubernetes node in the node's network namespace: containerd (Debian's, with runc and
 * the CNI plugins) with the images imported, the kubelet, kube-proxy (nftables). Resolves once
 * the Node is Ready and the node-lifecycle controller has removed its not-ready taint.
 */
export async function startRealNode(layout: NodeLayout, options: {
  readonly admin: KubeConfig;
  readonly credentials: NodeCredentials;
  readonly images: ReadonlyMap<string, ImageSource>;
  readonly logDir: string;
}): Promise<RealNode> {
  const startedAt = Date.now();
  const components: NodeComponent[] = [];
  const stop = async (): Promise<void> => {
    const byName = (name: string): NodeComponent | undefined => components.find((c) => c.name === name);
    await byName('kube-proxy')?.stop();
    await byName('kubelet')?.stop();
    // Sandboxes stopped through the CRI get their CNI DEL: veths, addresses and port mappings go.
    if (byName('containerd') && (await socketAnswers(layout.containerdSocket))) {
      await sh(controlPlaneBinary(), 'cri-clean', '--endpoint', `unix://${layout.containerdSocket}`).catch(() => undefined);
    }
    await byName('containerd')?.stop();
  };
  try {
    for (const dir of [layout.runDir, join(layout.runDir, 'cni', 'net.d'), layout.stateDir, layout.cacheDir]) mkdirSync(dir, { recursive: true });
    const file = (name: string, text: string, dir = layout.stateDir): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const containerdToml = file('containerd.toml', containerdConfig(layout));
    file(`10-${layout.prefix}.conflist`, cniConfList(layout), join(layout.runDir, 'cni', 'net.d'));
    const kubeletYaml = file('kubelet.yaml', kubeletConfig(layout, options.credentials));
    const kubeProxyYaml = file('kube-proxy.yaml', kubeProxyConfig(layout, options.credentials));
    file('resolv.conf', nodeResolvConf(layout));
    createNodeCgroups(layout);

    components.push(startNodeComponent(layout, 'containerd', join(options.logDir, 'containerd.log'), 'containerd', ['--config', containerdToml]));
    await waitFor('containerd to answer on its socket', async () => (await socketAnswers(layout.containerdSocket)) || undefined, containerdStartTimeoutMs);
    await importImages(layout.containerdSocket, options.images);

    const node = controlPlaneBinary();
    components.push(startNodeComponent(layout, 'kubelet', join(options.logDir, 'kubelet.log'), node, [
      'kubelet', `--config=${kubeletYaml}`, `--kubeconfig=${options.credentials.kubeletKubeconfig}`,
      `--root-dir=${join(layout.stateDir, 'kubelet')}`, `--cert-dir=${join(layout.stateDir, 'kubelet-pki')}`,
      `--node-ip=${layout.nodeIP}`, `--hostname-override=${layout.nodeName}`, '--v=1',
    ]));
    components.push(startNodeComponent(layout, 'kube-proxy', join(options.logDir, 'kube-proxy.log'), node, ['kube-proxy', `--config=${kubeProxyYaml}`, '--v=1']));

    const core = options.admin.makeApiClient(CoreV1Api);
    await waitFor(`Node ${layout.nodeName} Ready without the not-ready taint (logs/kubelet.log)`, async () => {
      for (const component of components) {
        if (component.child.exitCode !== null) throw new Error(`${component.name} exited with ${component.child.exitCode} (logs/${component.name}.log)`);
      }
      const found = await core.readNode({ name: layout.nodeName }).catch(() => undefined);
      const ready = found?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const tainted = (found?.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
      return ready && !tainted;
    }, nodeReadyTimeoutMs);
    return { readyAfterMs: Date.now() - startedAt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
