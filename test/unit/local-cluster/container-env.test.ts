import { expect } from 'chai';
import { containerEnv } from '../../support/local-cluster/node-agent-pod.js';

describe('local node agent: container environment', () => {
  it('expands $(NAME) from variables defined before it, as a kubelet does, and keeps $$ and unknown names', () => {
    const env = containerEnv({
      name: 'app',
      env: [
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'TARGETS', value: 'http://$(HOST_IP):9100/metrics $(LATER) $$(HOST_IP)' },
        { name: 'LATER', value: 'x' },
      ],
    }, {
      pod: { metadata: { name: 'scraper-1', namespace: 'ops' } },
      run: { uid: 'u', namespace: 'ops', name: 'scraper-1', index: 10, ips: ['10.244.7.10'], startTime: '', containers: [] },
      nodeName: 'node', hostIP: '10.244.7.2', kubernetesService: { host: '10.96.0.1', port: 443 }, logDir: '/tmp',
    });
    expect(env.TARGETS).to.equal('http://10.244.7.2:9100/metrics $(LATER) $(HOST_IP)');
  });

  it('gives a variable with neither value nor valueFrom the empty string, as a kubelet does (the API drops `value: ""`)', () => {
    const env = containerEnv({ name: 'manager', env: [{ name: 'OTTERIZE_WATCHED_NAMESPACES' }, { name: 'AFTER', value: '[$(OTTERIZE_WATCHED_NAMESPACES)]' }] }, {
      pod: { metadata: { name: 'manager-1', namespace: 'otterize-system' } },
      run: { uid: 'u', namespace: 'otterize-system', name: 'manager-1', index: 11, ips: ['10.244.7.11'], startTime: '', containers: [] },
      nodeName: 'node', hostIP: '10.244.7.2', kubernetesService: { host: '10.96.0.1', port: 443 }, logDir: '/tmp',
    });
    expect(env).to.include({ OTTERIZE_WATCHED_NAMESPACES: '', AFTER: '[]' });
  });
});
