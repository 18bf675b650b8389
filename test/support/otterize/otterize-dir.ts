import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What a directory named by OTTERIZE_BIN_DIR holds (scripts/otterize.sh lays it out). */
export interface OtterizeDir {
  readonly root: string;
  readonly operatorBinary: string;
  readonly webhookServerBinary: string;
  readonly snifferBinary: string;
  readonly crdDir: string;
  readonly webhookManifest: string;
  readonly operatorRole: string;
  /** Otterize's Intents Operator Helm chart, as shipped. */
  readonly chartDir: string;
  /** The images that chart names, built by scripts/otterize.sh from the binaries: OCI layouts tagged with the chart's appVersion. */
  readonly operatorImageLayout: string;
  readonly webhookServerImageLayout: string;
}

const binaries = ['intents-operator', 'intents-operator-webhook-server', 'otterize-sniffer'] as const;

/**
 * The Otterize binaries and manifests named by OTTERIZE_BIN_DIR; undefined where it is unset (the
 * Otterize suites then do not run, and scripts/test.sh says so). A named directory that lacks a
 * file is an error: a suite that was asked for must not vanish quietly.
 */
export function otterizeDir(env: NodeJS.ProcessEnv = process.env): OtterizeDir | undefined {
  const root = env.OTTERIZE_BIN_DIR;
  if (!root) return undefined;
  const dir: OtterizeDir = {
    root,
    operatorBinary: join(root, binaries[0]),
    webhookServerBinary: join(root, binaries[1]),
    snifferBinary: join(root, binaries[2]),
    crdDir: join(root, 'manifests', 'crds'),
    webhookManifest: join(root, 'manifests', 'webhook', 'manifests.yaml'),
    operatorRole: join(root, 'manifests', 'rbac', 'role.yaml'),
    chartDir: join(root, 'charts', 'intents-operator'),
    operatorImageLayout: join(root, 'images', 'intents-operator'),
    webhookServerImageLayout: join(root, 'images', 'intents-operator-webhook-server'),
  };
  // The images are checked where they are used (the local cluster): building them needs buildah and root.
  for (const path of [dir.operatorBinary, dir.webhookServerBinary, dir.snifferBinary, dir.crdDir, dir.webhookManifest, dir.operatorRole, dir.chartDir]) {
    if (!existsSync(path)) throw new Error(`OTTERIZE_BIN_DIR=${root} has no ${path.slice(root.length + 1)} (scripts/otterize.sh unpack lays it out)`);
  }
  return dir;
}
