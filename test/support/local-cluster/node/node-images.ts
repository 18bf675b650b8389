import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from '../../netns/topology.js';

/** An image as an OCI layout dir and the tag (ref.name) it holds. */
export interface ImageSource {
  readonly layout: string;
  readonly tag: string;
}

/** The demo image: Node 24, the demo app as its entrypoint, a POSIX shell (busybox). Any manifest can name it. */
export const demoImage = 'localhost/netmap/demo:1';
export const corednsImageRepository = 'localhost/netmap/coredns';
export const kubeRouterImageRepository = 'localhost/netmap/kube-router';

/** The tag (ref.name) of an OCI layout holding one image. */
function layoutTag(layout: string): string {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { annotations?: Record<string, string> }[] };
  const tag = index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'];
  if (!tag) throw new Error(`${layout} holds no tagged image`);
  return tag;
}

/** The reference of the node's image from this repository. */
export function imageFrom(images: ReadonlyMap<string, ImageSource>, repository: string): string {
  const found = [...images.keys()].find((reference) => repositoryOf(reference) === repository);
  if (!found) throw new Error(`no ${repository} image on the node`);
  return found;
}

/**
 * The node's own images (pause, demo, CoreDNS; scripts/node-images.sh, cached by content hash),
 * by reference. Built first when they are not there.
 */
export function nodeImages(repoRoot: string): Map<string, ImageSource> {
  let dir = join(repoRoot, '.cache', 'node-images');
  if (!existsSync(join(dir, 'complete'))) {
    const result = spawnSync('bash', [join(repoRoot, 'scripts', 'node-images.sh')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    dir = result.stdout.trim().split('\n').pop() ?? '';
    if (result.status !== 0 || !existsSync(join(dir, 'complete'))) throw new Error(`scripts/node-images.sh did not build the node's images (exit ${result.status})`);
  }
  const image = (repository: string, name: string): [string, ImageSource] => {
    const layout = join(dir, name);
    const tag = layoutTag(layout);
    return [`${repository}:${tag}`, { layout, tag }];
  };
  return new Map([
    image('localhost/netmap/pause', 'pause'),
    image('localhost/netmap/demo', 'demo'),
    image(corednsImageRepository, 'coredns'),
    image(kubeRouterImageRepository, 'kube-router'),
  ]);
}

/** The repository part of a reference (what `ctr images import --base-name` prefixes the layout's tag with). */
export function repositoryOf(reference: string): string {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? reference.slice(0, colon) : reference;
}

/**
 * Imports each image into containerd's k8s.io namespace, where the CRI finds it as if pulled:
 * no registry is reachable, and pods name these references with the default pull policy.
 */
export async function importImages(socket: string, images: ReadonlyMap<string, ImageSource>): Promise<void> {
  for (const [reference, source] of images) {
    if (reference.split(':').pop() !== source.tag) throw new Error(`${reference} does not end in its layout's tag ${source.tag}`);
    await sh('sh', '-c', 'tar -C "$1" -cf - . | ctr -a "$2" -n k8s.io images import --base-name "$3" -', 'sh', source.layout, socket, repositoryOf(reference));
  }
  const listed = await sh('ctr', '-a', socket, '-n', 'k8s.io', 'images', 'ls', '-q');
  const missing = [...images.keys()].filter((reference) => !listed.split('\n').includes(reference));
  if (missing.length) throw new Error(`containerd did not import ${missing.join(', ')}`);
}
