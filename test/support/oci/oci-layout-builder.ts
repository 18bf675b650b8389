import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One entry of a test layer: a file's text, a host file copied in, or a symbolic link. */
export type LayerEntry =
  | { readonly text: string; readonly mode?: number }
  | { readonly copyOf: string; readonly mode?: number }
  | { readonly linkTo: string }
  | { readonly directory: true; readonly mode?: number };

export interface LayerSpec {
  readonly entries: Readonly<Record<string, LayerEntry>>;
  /** Paths this layer deletes from the layers below (`.wh.<name>` files). */
  readonly whiteouts?: readonly string[];
  /** Directories whose lower contents this layer hides (`.wh..wh..opq`). */
  readonly opaque?: readonly string[];
}

export interface ImageConfigSpec {
  readonly Entrypoint?: readonly string[];
  readonly Cmd?: readonly string[];
  readonly User?: string;
  readonly WorkingDir?: string;
  readonly Env?: readonly string[];
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function writeBlob(layoutDir: string, data: Buffer | string): { digest: string; size: number } {
  const hex = sha256(data);
  writeFileSync(join(layoutDir, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
}

function stageLayer(spec: LayerSpec): string {
  const dir = mkdtempSync(join(tmpdir(), 'netmap-oci-layer-'));
  for (const [path, entry] of Object.entries(spec.entries)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    if ('directory' in entry) mkdirSync(target, { recursive: true, mode: entry.mode ?? 0o755 });
    else if ('linkTo' in entry) symlinkSync(entry.linkTo, target);
    else {
      if ('text' in entry) writeFileSync(target, entry.text);
      else copyFileSync(entry.copyOf, target);
      chmodSync(target, entry.mode ?? 0o644);
    }
  }
  for (const path of spec.whiteouts ?? []) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, dirname(path), `.wh.${path.split('/').pop()}`), '');
  }
  for (const path of spec.opaque ?? []) {
    mkdirSync(join(dir, path), { recursive: true });
    writeFileSync(join(dir, path, '.wh..wh..opq'), '');
  }
  return dir;
}

/**
 * Writes an OCI image layout (oci-layout, index.json tagged `tag`, manifest, config, gzip tar
 * layers owned by root) for tests, as an image builder would. Returns the manifest digest.
 */
export function buildOciLayout(layoutDir: string, layers: readonly LayerSpec[], config: ImageConfigSpec, tag: string): string {
  mkdirSync(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layerDescriptors: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const layer of layers) {
    const staged = stageLayer(layer);
    const archive = join(staged, '..', `${staged.split('/').pop()}.tar.gz`);
    try {
      execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-czf', archive, '-C', staged, '.']);
      const data = readFileSync(archive);
      diffIds.push(`sha256:${sha256(gunzipSync(data))}`);
      layerDescriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...writeBlob(layoutDir, data) });
    } finally {
      rmSync(staged, { recursive: true, force: true });
      rmSync(archive, { force: true });
    }
  }
  const configBlob = writeBlob(layoutDir, JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
    layers: layerDescriptors,
  });
  const manifestBlob = writeBlob(layoutDir, manifest);
  writeFileSync(join(layoutDir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifestBlob, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return manifestBlob.digest;
}
