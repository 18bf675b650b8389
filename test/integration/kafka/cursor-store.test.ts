import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { LogCursor, parseStamp } from '../../../src/operator/core/kafka/log-cursor.js';
import { ConfigMapCursorStore } from '../../../src/operator/shell/kafka/cursor-store.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';

describe('Kafka watcher cursors in a ConfigMap (real API server)', function () {
  this.timeout(120_000);
  const namespace = 'netmap-kafka-cursors';
  let api: CoreV1Api;

  before(async () => {
    const plane = await sharedControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    api = kc.makeApiClient(CoreV1Api);
    await api.createNamespace({ body: { metadata: { name: namespace } } }).catch((e: { code?: number }) => {
      if (e.code !== 409) throw e;
    });
  });

  it('saves and loads the cursors; after another writer it reads the version again and its save wins', async () => {
    const store = new ConfigMapCursorStore(api, namespace, 'kafka-cursors');
    expect((await store.load()).size).to.equal(0);
    const cursor = new LogCursor({ podUid: 'uid-1', container: 'kafka', restartCount: 2 });
    cursor.accept(parseStamp('2026-12-07T04:00:01.000000007Z')!);
    cursor.accept(parseStamp('2026-12-07T04:00:01.000000007Z')!);
    const cursors = new Map([['kafka.kafka-0', cursor.state()], ['kafka.kafka-1', new LogCursor({ podUid: 'uid-2', container: 'kafka', restartCount: 0 }).state()]]);
    await store.save(cursors);
    const again = new ConfigMapCursorStore(api, namespace, 'kafka-cursors');
    expect(await again.load()).to.deep.equal(cursors);

    // Another replica wrote in between: the first attempt conflicts (409), the store reads the version and writes again.
    await again.save(new Map([['kafka.kafka-0', cursor.state()]]));
    await store.save(cursors);
    expect(await new ConfigMapCursorStore(api, namespace, 'kafka-cursors').load()).to.deep.equal(cursors);
    // And when somebody deleted it, it is created again.
    await api.deleteNamespacedConfigMap({ namespace, name: 'kafka-cursors' });
    await store.save(cursors);
    expect(await new ConfigMapCursorStore(api, namespace, 'kafka-cursors').load()).to.deep.equal(cursors);
  });
});
