import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneBinary, startControlPlane } from '../control-plane.js';
import { installCrds } from '../crds.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * The main job until the operator and sniffer run here: a real control plane with the
 * project's CRDs, kept up until Ctrl-C, with a stable kubeconfig path to explore it.
 */
export async function startLocalCluster(): Promise<void> {
  const controlPlane = await startControlPlane();
  const stop = async (): Promise<void> => {
    await controlPlane.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  await installCrds(controlPlane.admin());
  const stateDir = join(repoRoot, '.cache', 'local-cluster');
  mkdirSync(stateDir, { recursive: true });
  const kubeconfig = join(stateDir, 'kubeconfig');
  copyFileSync(controlPlane.kubeconfigPath, kubeconfig);
  const kubectl = `${controlPlaneBinary()} kubectl`;
  console.log(`
A local Kubernetes control plane (kube-apiserver + etcd) is running with network-mapper's CRDs.

  export KUBECONFIG=${kubeconfig}
  kubectl get crd                 # or, without a kubectl of your own:
  ${kubectl} get crd
  ${kubectl} get networkobservations,clientintents -A

Press Ctrl-C to stop it; everything it stored is removed.`);
}
