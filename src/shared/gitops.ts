/**
 * Recognises an object that a GitOps engine applies from git (docs/gitops.md). Such an object's
 * spec is the engine's: network-mapper never writes it, and never writes another object for the
 * same client. Facts from the engines' documentation:
 * - Flux's kustomize-controller labels what it applies `kustomize.toolkit.fluxcd.io/name` and
 *   `.../namespace` (its Kustomization) and applies by server-side apply as the field manager
 *   `kustomize-controller`; helm-controller likewise (`helm.toolkit.fluxcd.io/*`, `helm-controller`).
 * - Argo CD tracks what it applies by the annotation `argocd.argoproj.io/tracking-id` (the
 *   default since 3.0) or the label `app.kubernetes.io/instance` (before); with server-side apply
 *   its field manager is `argocd-controller`.
 */
export type GitOpsEngine = 'Flux' | 'Argo CD';

export interface GitOpsManagement {
  readonly engine: GitOpsEngine;
  /** What gave it away: a label, an annotation or a field manager. */
  readonly by: string;
}

export interface ObjectMarks {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The managers named in metadata.managedFields. */
  readonly fieldManagers?: readonly string[];
}

export const fluxKustomizeLabels = ['kustomize.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/namespace'] as const;
export const fluxHelmLabels = ['helm.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/namespace'] as const;
export const argoTrackingAnnotation = 'argocd.argoproj.io/tracking-id';
export const argoInstanceLabel = 'app.kubernetes.io/instance';

const labelMarks: readonly { key: string; engine: GitOpsEngine }[] = [
  ...fluxKustomizeLabels.map((key) => ({ key, engine: 'Flux' as const })),
  ...fluxHelmLabels.map((key) => ({ key, engine: 'Flux' as const })),
  { key: argoInstanceLabel, engine: 'Argo CD' },
];
const annotationMarks: readonly { key: string; engine: GitOpsEngine }[] = [{ key: argoTrackingAnnotation, engine: 'Argo CD' }];
const managerMarks: readonly { manager: string; engine: GitOpsEngine }[] = [
  { manager: 'kustomize-controller', engine: 'Flux' },
  { manager: 'helm-controller', engine: 'Flux' },
  { manager: 'argocd-controller', engine: 'Argo CD' },
];

/** The engine managing an object, or undefined. */
export function gitOpsManagement(marks: ObjectMarks): GitOpsManagement | undefined {
  for (const { key, engine } of labelMarks) if (marks.labels?.[key]) return { engine, by: `label ${key}` };
  for (const { key, engine } of annotationMarks) if (marks.annotations?.[key]) return { engine, by: `annotation ${key}` };
  for (const { manager, engine } of managerMarks) if (marks.fieldManagers?.includes(manager)) return { engine, by: `field manager ${manager}` };
  return undefined;
}

/**
 * The engines' own marks, which a committed export must not carry: the engine writes them itself,
 * and one copied from another cluster or Kustomization would mislead it.
 */
export function isGitOpsMark(key: string): boolean {
  return labelMarks.some((m) => m.key === key && m.key !== argoInstanceLabel) || annotationMarks.some((m) => m.key === key);
}
