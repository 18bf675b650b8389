import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOciImage, type OciImage } from '../oci/oci-image-layout.js';
import { unpackOciImage } from '../oci/oci-unpack.js';
import { resolveInRoot } from '../oci/resolve-in-root.js';
import { netmapCache } from './container-exec-build.js';

/** Where the node agent finds an image: an OCI layout dir and, if the layout holds several, the tag (ref.name) to run. */
export interface ImageSource {
  readonly layout: string;
  readonly tag?: string;
}

/** An image ready to run: its config and its unpacked root file system, with the account files identities are looked up in. */
export interface PreparedImage {
  readonly image: OciImage;
  readonly rootfs: string;
  readonly passwd: string;
  readonly group: string;
}

export interface ImageStore {
  has(reference: string): boolean;
  prepare(reference: string): Promise<PreparedImage>;
}

function readInRoot(rootfs: string, path: string): string {
  const host = resolveInRoot(rootfs, path);
  return existsSync(host) ? readFileSync(host, 'utf8') : '';
}

/**
 * The node's images, as a kubelet's runtime knows pulled ones: image reference -> OCI layout.
 * Each is unpacked once per manifest digest (shared by all clusters on the machine) and kept
 * in memory by reference for the node agent's life: the map is as small as the caller's.
 */
export function imageStore(sources: ReadonlyMap<string, ImageSource>, cacheDir: string = join(netmapCache(), 'rootfs')): ImageStore {
  const prepared = new Map<string, Promise<PreparedImage>>();
  return {
    has: (reference) => sources.has(reference),
    prepare: (reference) => {
      const source = sources.get(reference);
      if (!source) return Promise.reject(new Error(`image ${reference} is not on this node`));
      let entry = prepared.get(reference);
      if (!entry) {
        entry = (async () => {
          const image = readOciImage(source.layout, source.tag);
          const rootfs = await unpackOciImage(image, cacheDir);
          return { image, rootfs, passwd: readInRoot(rootfs, '/etc/passwd'), group: readInRoot(rootfs, '/etc/group') };
        })();
        // A failed unpack is retried by the next start, not remembered.
        entry.catch(() => prepared.delete(reference));
        prepared.set(reference, entry);
      }
      return entry;
    },
  };
}
