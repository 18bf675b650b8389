import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const descriptor = z.object({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest must be sha256:<64 hex digits>'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ os: z.string(), architecture: z.string() }).partial().optional(),
});
const index = z.object({ schemaVersion: z.literal(2), manifests: z.array(descriptor) });
const manifest = z.object({ schemaVersion: z.literal(2), config: descriptor, layers: z.array(descriptor) });
const imageConfig = z.object({
  os: z.string().nullish(),
  architecture: z.string().nullish(),
  config: z.object({
    Entrypoint: z.array(z.string()).nullish(),
    Cmd: z.array(z.string()).nullish(),
    User: z.string().nullish(),
    WorkingDir: z.string().nullish(),
    Env: z.array(z.string()).nullish(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }).partial().nullish(),
});

type Descriptor = z.infer<typeof descriptor>;

/** What a container runtime takes from an image: its layers in order and the runtime settings of its config. */
export interface OciImage {
  readonly layoutDir: string;
  readonly manifestDigest: string;
  readonly layers: readonly Descriptor[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly user: string;
  readonly workingDir: string;
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly os: string;
  readonly architecture: string;
}

const refNameAnnotation = 'org.opencontainers.image.ref.name';
const indexMediaTypes = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', ...digest.split(':'));
}

function readJson<T>(schema: z.ZodType<T>, path: string, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${what} ${path} is not readable JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${what} ${path} is not valid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The manifest to run: the one tagged `tag` if given, else the only (or the linux/amd64) one, descending into nested indexes. */
function pickManifest(layoutDir: string, manifests: readonly Descriptor[], tag: string | undefined, from: string): Descriptor {
  // Tools write the ref.name annotation as the tag alone (`0.1.0`) or as a whole reference (`repo:0.1.0`).
  const named = (m: Descriptor): boolean => m.annotations?.[refNameAnnotation] === tag || m.annotations?.[refNameAnnotation]?.endsWith(`:${tag}`) === true;
  const tagged = tag === undefined ? manifests : manifests.filter(named);
  const candidates = tagged.length > 1 ? tagged.filter((m) => (m.platform?.architecture ?? 'amd64') === 'amd64' && (m.platform?.os ?? 'linux') === 'linux') : tagged;
  const chosen = candidates[0];
  if (!chosen) throw new Error(`${from} has no manifest${tag === undefined ? '' : ` tagged ${tag}`} (tags: ${manifests.map((m) => m.annotations?.[refNameAnnotation] ?? '-').join(', ')})`);
  if (!indexMediaTypes.has(chosen.mediaType)) return chosen;
  const nested = readJson(index, blobPath(layoutDir, chosen.digest), 'the image index');
  return pickManifest(layoutDir, nested.manifests, undefined, chosen.digest);
}

/** Reads an OCI image layout (index.json -> manifest -> config); `tag` picks by the ref.name annotation. */
export function readOciImage(layoutDir: string, tag?: string): OciImage {
  const top = readJson(index, join(layoutDir, 'index.json'), 'the OCI index');
  const chosen = pickManifest(layoutDir, top.manifests, tag, join(layoutDir, 'index.json'));
  const parsed = readJson(manifest, blobPath(layoutDir, chosen.digest), 'the image manifest');
  const whole = readJson(imageConfig, blobPath(layoutDir, parsed.config.digest), 'the image config');
  const config = whole.config ?? {};
  return {
    layoutDir,
    manifestDigest: chosen.digest,
    layers: parsed.layers,
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    user: config.User ?? '',
    workingDir: config.WorkingDir ?? '',
    env: config.Env ?? [],
    labels: config.Labels ?? {},
    os: whole.os ?? '',
    architecture: whole.architecture ?? '',
  };
}
