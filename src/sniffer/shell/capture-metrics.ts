import { Counter, Gauge, Histogram } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration, Registry } from 'prom-client';

/**
 * The packet capture and the socket scan share some metrics (malformed input by reason); whichever
 * starts first registers them and the other reuses them.
 */
export function sharedCounter<L extends string>(registry: Registry, config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  return new Counter({ ...config, registers: [registry] });
}

export function sharedGauge<L extends string>(registry: Registry, config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ ...config, registers: [registry] });
}

export function sharedHistogram<L extends string>(registry: Registry, config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ ...config, registers: [registry] });
}

export function malformedCounter(registry: Registry): Counter<'source' | 'reason'> {
  return sharedCounter(registry, {
    name: 'netmap_sniffer_malformed_total',
    help: 'Captured packets and /proc lines skipped because they break their format, by input and reason.',
    labelNames: ['source', 'reason'],
  });
}
