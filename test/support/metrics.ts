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
