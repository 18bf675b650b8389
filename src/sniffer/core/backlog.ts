/** The part of a NetworkObservation the backlog check reads. */
export interface ObservationPhaseView {
  status?: { phase?: string } | undefined;
}

/** Not yet handled by the operator: it marks an object Processed (or Invalid), or deletes it. */
export function isUnprocessed(object: ObservationPhaseView): boolean {
  const phase = object.status?.phase;
  return phase === undefined || phase === 'Pending';
}

export function countUnprocessed(objects: readonly ObservationPhaseView[]): number {
  let unprocessed = 0;
  for (const object of objects) if (isUnprocessed(object)) unprocessed += 1;
  return unprocessed;
}
