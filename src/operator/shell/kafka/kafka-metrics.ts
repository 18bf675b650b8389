import { Counter, Gauge, type Registry } from 'prom-client';

export interface KafkaMetrics {
  readonly lines: Counter<'result'>;
  readonly unresolved: Counter<'reason'>;
  readonly gaps: Counter<'reason'>;
  readonly brokers: Gauge;
  readonly lastLine: Gauge<'namespace' | 'pod'>;
}

export function createKafkaMetrics(registry: Registry): KafkaMetrics {
  const registers = [registry];
  return {
    lines: new Counter({ name: 'netmap_kafka_lines_total', help: 'Broker log lines read, by result (access, or the reason it was ignored: denied, not-topic, not-authorizer, ...)', labelNames: ['result'], registers }),
    unresolved: new Counter({ name: 'netmap_kafka_unresolved_lines_total', help: 'Topic-access lines whose client could not be named, by reason', labelNames: ['reason'], registers }),
    gaps: new Counter({ name: 'netmap_kafka_log_gaps_total', help: 'Broker logs that could not be read back in full, by reason (pod-replaced, restarts-missed)', labelNames: ['reason'], registers }),
    brokers: new Gauge({ name: 'netmap_kafka_brokers_followed', help: 'Broker pods whose authorizer log is followed', registers }),
    lastLine: new Gauge({ name: 'netmap_kafka_last_line_timestamp_seconds', help: 'Kubelet timestamp of the last line read from a broker pod', labelNames: ['namespace', 'pod'], registers }),
  };
}
