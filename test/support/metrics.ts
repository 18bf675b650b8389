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
