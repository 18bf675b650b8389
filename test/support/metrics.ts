import type { Registry } from 'prom-client';

/** The value of a metric in `registry`, summed over the series whose labels include `labels`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([key, value]) => String((v.labels as Record<string, unknown>)[key]) === value))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A metric in Prometheus text format, summed over the series whose labels include `labels` (0 when absent). */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((w) => line.includes(w)))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * Writes the API server refused (`netmap_write_errors_total` series whose `code` is an HTTP status:
 * admission webhooks, validation, RBAC), as opposed to a connection that failed (`network`,
 * `timeout`) or a 409 conflict (counted apart, in `netmap_write_conflicts_total`). By code, from
 * Prometheus text.
 */
export function writeRefusals(text: string): Record<string, number> {
  const byCode: Record<string, number> = {};
  for (const line of text.split('\n').filter((l) => l.startsWith('netmap_write_errors_total{'))) {
    const code = /code="(\d{3})"/.exec(line)?.[1];
    if (code) byCode[code] = (byCode[code] ?? 0) + Number(line.split(' ').at(-1));
  }
  return byCode;
}
