/**
 * How network-mapper marks what it owns, shared by the writer (operator), the reader (CLI) and
 * the generated CRDs: objects without this label and value are never touched.
 */
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'network-mapper';
/** Annotations network-mapper writes for its own bookkeeping; exports leave them out. */
export const bookkeepingAnnotationPrefix = 'netmap.dev/';
