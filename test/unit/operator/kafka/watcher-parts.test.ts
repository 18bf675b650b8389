import { expect } from 'chai';
import fc from 'fast-check';
import { parseLabelSelector, readKafkaServerConfig, selectBrokerPods } from '../../../../src/operator/core/kafka/broker-discovery.js';
import { LineSplitter } from '../../../../src/operator/core/kafka/line-splitter.js';
import { pod, t0 } from '../fixtures.js';

describe('Kafka watcher parts', () => {
  describe('LineSplitter', () => {
    it('gives the same lines however the stream is cut into chunks', () => {
      fc.assert(
        fc.property(fc.array(fc.string({ maxLength: 30, unit: fc.constantFrom('a', 'b', ' ', 'é') }), { maxLength: 20 }), fc.array(fc.nat({ max: 40 }), { maxLength: 30 }), (lines, cuts) => {
          const text = lines.map((l) => `${l}\n`).join('');
          const splitter = new LineSplitter(1000);
          const out: string[] = [];
          let at = 0;
          for (const cut of cuts) {
            out.push(...splitter.push(text.slice(at, at + cut)));
            at += cut;
          }
          out.push(...splitter.push(text.slice(at)));
          expect(out).to.deep.equal(lines);
        }),
      );
    });

    it('drops a line longer than the bound whole, without holding it, and counts it', () => {
      const splitter = new LineSplitter(10);
      expect(splitter.push('short\n0123456789ABC')).to.deep.equal(['short']);
      expect(splitter.push('DEF and more')).to.deep.equal([]);
      expect(splitter.push(' still\nnext\n')).to.deep.equal(['next']);
      expect(splitter.push('01234567\n')).to.deep.equal(['01234567']);
      expect(splitter.push('0123456789012\n')).to.deep.equal([]);
      expect(splitter.dropped).to.equal(2);
      splitter.push('unfinished');
      splitter.end();
      expect(splitter.push('new\n')).to.deep.equal(['new']);
    });
  });

  describe('broker discovery', () => {
    const kafka0 = { pod: pod('kafka', 'kafka-0', ['10.0.9.1'], { labels: { 'app.kubernetes.io/name': 'kafka' } }), identity: { namespace: 'kafka', name: 'kafka', kind: 'StatefulSet' } };
    const kafka1 = { pod: pod('kafka', 'kafka-1', ['10.0.9.2'], { labels: { 'app.kubernetes.io/name': 'kafka' }, end: t0 }), identity: kafka0.identity };
    const other = { pod: pod('shop', 'cart-1', ['10.0.0.2'], { labels: { 'app.kubernetes.io/name': 'kafka' } }), identity: { namespace: 'shop', name: 'cart', kind: 'Deployment' } };

    it('follows the workloads KafkaServerConfigs name (v2 workload or v1 service), running pods only', () => {
      const v2 = readKafkaServerConfig({ metadata: { namespace: 'kafka', name: 'kafka' }, spec: { workload: { name: 'kafka', kind: 'StatefulSet' }, addr: 'kafka.kafka:9092' } })!;
      const v1 = readKafkaServerConfig({ metadata: { namespace: 'kafka', name: 'k' }, spec: { service: { name: 'kafka' } } })!;
      expect(v1).to.deep.equal({ namespace: 'kafka', name: 'k', workload: { name: 'kafka' } });
      expect(readKafkaServerConfig({ metadata: { namespace: 'kafka', name: 'x' }, spec: {} })).to.equal(undefined);
      for (const config of [v2, v1]) {
        expect(selectBrokerPods([kafka0, kafka1, other], { serverConfigs: [config] }).map((b) => b.name)).to.deep.equal(['kafka-0']);
      }
      expect(selectBrokerPods([kafka0], { serverConfigs: [{ ...v2, workload: { name: 'kafka', kind: 'Deployment' } }] })).to.deep.equal([]);
      // KafkaServerConfigs decide where there are any; the labels do not add to them.
      expect(selectBrokerPods([kafka0, other], { serverConfigs: [v2], labels: { 'app.kubernetes.io/name': 'kafka' } }).map((b) => b.name)).to.deep.equal(['kafka-0']);
      // The CRD is installed (Otterize installs it at start-up) but none exists yet: the selector decides.
      expect(selectBrokerPods([kafka0, other], { serverConfigs: [], labels: { 'app.kubernetes.io/name': 'kafka' } }).map((b) => b.name)).to.deep.equal(['kafka-0', 'cart-1']);
      expect(selectBrokerPods([kafka0], { serverConfigs: [] })).to.deep.equal([]);
    });

    it('otherwise follows the chart\'s label selector, and nothing without one', () => {
      const labels = parseLabelSelector('app.kubernetes.io/name=kafka');
      expect(selectBrokerPods([kafka0, kafka1, other], { labels }).map((b) => `${b.namespace}/${b.name}`)).to.deep.equal(['kafka/kafka-0', 'shop/cart-1']);
      expect(selectBrokerPods([kafka0, other], { labels, namespaces: ['kafka'] }).map((b) => b.name)).to.deep.equal(['kafka-0']);
      expect(selectBrokerPods([kafka0], { labels: {} })).to.deep.equal([]);
      expect(selectBrokerPods([kafka0], {})).to.deep.equal([]);
      expect(parseLabelSelector(' a = b , c==d ')).to.deep.equal({ a: 'b', c: 'd' });
      expect(() => parseLabelSelector('tier in (a,b)')).to.throw(/only equality selectors/);
    });
  });
});
