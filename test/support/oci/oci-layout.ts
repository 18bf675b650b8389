import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of an OCI image layout (image-spec v1.1) a runner reads: index, manifest, config. */
export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciImageConfig {
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string>;
  };
  rootfs?: { type: string; diff_ids: string[] };
}

export interface OciImage {
  manifestDescriptor: OciDescriptor;
  config: OciImageConfig;
  /** Layer blobs, lowest first, as files in the layout. */
  layers: { descriptor: OciDescriptor; path: string }[];
}

const refName = 'org.opencontainers.image.ref.name';

/** A blob's file: blobs/<algorithm>/<hex>. */
export function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`bad digest ${digest} in ${layoutDir}`);
  return join(layoutDir, 'blobs', algorithm, hex);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The image tagged `tag` (index.json's ref.name annotation) in the OCI layout at `layoutDir`. */
export function readOciImage(layoutDir: string, tag: string): OciImage {
  const index = readJson<{ manifests?: OciDescriptor[] }>(join(layoutDir, 'index.json'));
  const manifestDescriptor = index.manifests?.find((m) => m.annotations?.[refName] === tag);
  if (!manifestDescriptor) {
    const tags = (index.manifests ?? []).map((m) => m.annotations?.[refName] ?? '(untagged)');
    throw new Error(`no image tagged ${tag} in ${layoutDir} (tags: ${tags.join(', ') || 'none'})`);
  }
  const manifest = readJson<{ config: OciDescriptor; layers: OciDescriptor[] }>(blobPath(layoutDir, manifestDescriptor.digest));
  return {
    manifestDescriptor,
    config: readJson<OciImageConfig>(blobPath(layoutDir, manifest.config.digest)),
    layers: manifest.layers.map((descriptor) => ({ descriptor, path: blobPath(layoutDir, descriptor.digest) })),
  };
}
