import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { encodeEvidence, type Evidence } from '../../../src/operator/core/evidence.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { selectorMatches } from '../../../src/cli/core/network-policy/label-selector.js';
import { observedEdges } from '../../../src/cli/core/network-policy/observed-edges.js';
import { planNetworkPolicies, selectPolicies, selectSkipped } from '../../../src/cli/core/network-policy/plan-policies.js';
import { diffPolicies, renderPoliciesDiff, type CommittedPolicy } from '../../../src/cli/core/network-policy/policy-diff.js';
import { workloadKey, type ClusterFacts, type PodFacts, type WorkloadRef } from '../../../src/cli/core/network-policy/policy-facts.js';
import { policyDirectoryLayout, renderPolicies, renderSkipped } from '../../../src/cli/core/network-policy/policy-yaml.js';
import { expectGolden, expectGoldenDir } from './golden.js';

const t0 = Date.parse('2026-11-20T08:00:00Z');
const hour = 3_600_000;

function seen(first: number, last: number, ports: Record<number, [number, number]> = {}): Evidence {
  const map = new Map(Object.entries(ports).map(([p, [f, l]]) => [Number(p), { firstSeen: f, lastSeen: l }]));
  return map.size > 0 ? { firstSeen: first, lastSeen: last, captures: new Set(['SYN']), ports: map } : { firstSeen: first, lastSeen: last, captures: new Set(['DNS']) };
}

function intents(namespace: string, workload: WorkloadRef, targets: [Record<string, unknown>, string, Evidence][], resolvedIPs?: { dns: string; ips: string[] }[]): IntentsObject {
  const read = readIntentsObject({
    metadata: {
      name: workload.name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'network-mapper' },
      annotations: { 'netmap.dev/evidence': encodeEvidence(new Map(targets.map(([, key, e]) => [key, e]))) },
    },
    spec: { workload: workload.kind ? { name: workload.name, kind: workload.kind } : { name: workload.name }, targets: targets.map(([t]) => t) },
    ...(resolvedIPs ? { status: { resolvedIPs } } : {}),
  });
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

const d = (namespace: string, name: string, kind = 'Deployment'): WorkloadRef => ({ namespace, name, kind });
const pod = (workload: WorkloadRef, name: string, labels: Record<string, string>, hostNetwork = false): PodFacts => ({ namespace: workload.namespace, name, labels, hostNetwork, workload });

const frontend = d('shop', 'frontend');
const checkout = d('shop', 'checkout');
const cart = d('shop', 'cart');
const worker = d('shop', 'worker');
const debug = d('shop', 'debug', 'Pod');
const legacy = d('shop', 'legacy');
const searchA = d('shop', 'search-a');
const searchB = d('shop', 'search-b');
const payments = d('billing', 'payments', 'StatefulSet');
const agent = d('shop', 'agent', 'DaemonSet');
const ledger = d('billing', 'ledger');

const objects: IntentsObject[] = [
  intents('shop', frontend, [
    [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, 'kubernetes:cart#Deployment', seen(t0, t0 + 5 * hour, { 8080: [t0, t0 + 5 * hour] })],
    [{ kubernetes: { name: 'payments.billing', kind: 'StatefulSet' } }, 'kubernetes:payments.billing#StatefulSet', seen(t0 + hour, t0 + 2 * hour, { 5432: [t0 + hour, t0 + 2 * hour] })],
    [{ kubernetes: { name: 'worker', kind: 'Deployment' } }, 'kubernetes:worker#Deployment', seen(t0, t0, { 7000: [t0, t0] })],
    [{ service: { name: 'search' } }, 'service:search', seen(t0, t0 + hour, { 9200: [t0, t0 + hour] })],
    [{ service: { name: 'kubernetes.default' } }, 'service:kubernetes.default', seen(t0, t0 + hour, { 6443: [t0, t0 + hour] })],
    [{ internet: { domains: ['api.stripe.com'], ports: [443] } }, 'internet:api.stripe.com', seen(t0, t0 + hour, { 443: [t0, t0 + hour] })],
  ], [{ dns: 'api.stripe.com', ips: ['203.0.113.7', '2001:db8::7'] }]),
  intents('shop', checkout, [
    [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, 'kubernetes:cart#Deployment', seen(t0 + hour, t0 + 3 * hour, { 9090: [t0 + 2 * hour, t0 + 3 * hour], 8080: [t0 + hour, t0 + 3 * hour] })],
  ]),
  intents('shop', debug, [[{ kubernetes: { name: 'legacy', kind: 'Deployment' } }, 'kubernetes:legacy#Deployment', seen(t0, t0, { 80: [t0, t0] })]]),
  // a DNS lookup without a connection: no port to admit
  intents('billing', payments, [[{ kubernetes: { name: 'ledger', kind: 'Deployment' } }, 'kubernetes:ledger#Deployment', seen(t0, t0)]]),
];

const facts: ClusterFacts = {
  pods: [
    pod(frontend, 'frontend-1', { app: 'frontend', 'pod-template-hash': 'a1' }),
    pod(checkout, 'checkout-1', { app: 'checkout' }),
    pod(cart, 'cart-1', { app: 'cart', tier: 'backend' }),
    pod(cart, 'cart-2', { app: 'cart', tier: 'backend' }),
    pod(worker, 'worker-1', { tier: 'backend', role: 'worker' }),
    pod(debug, 'debug', {}),
    pod(legacy, 'legacy-1', { app: 'legacy' }),
    pod(searchA, 'search-a-1', { app: 'search', shard: 'a' }),
    pod(searchB, 'search-b-1', { app: 'search', shard: 'b' }),
    pod(payments, 'payments-0', { app: 'payments', 'statefulset.kubernetes.io/pod-name': 'payments-0' }),
    pod(agent, 'agent-x', { app: 'agent' }, true),
    pod(ledger, 'ledger-1', { app: 'ledger' }),
  ],
  selectors: [
    { workload: frontend, selector: { matchLabels: { app: 'frontend' } } },
    { workload: checkout, selector: { matchLabels: { app: 'checkout' } } },
    { workload: cart, selector: { matchLabels: { app: 'cart' } } },
    // selects cart's pods too: never given a policy
    { workload: worker, selector: { matchLabels: { tier: 'backend' } } },
    { workload: legacy, selector: { matchLabels: { app: 'legacy' } } },
    { workload: searchA, selector: { matchExpressions: [{ key: 'shard', operator: 'In', values: ['a'] }], matchLabels: { app: 'search' } } },
    { workload: searchB, selector: { matchLabels: { shard: 'b', app: 'search' } } },
  ],
  services: [{ namespace: 'shop', name: 'search', workloads: [searchA, searchB] }],
  apiServer: { ips: ['192.168.1.10'], ports: [6443] },
  clusterDns: { namespace: 'kube-system', selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
};

describe('NetworkPolicy export', () => {
  const plan = planNetworkPolicies(observedEdges(objects), facts, { egress: true });

  it('plans ingress per server and egress per client, exactly the observed clients and ports (golden)', () => {
    expectGolden('networkpolicy.yaml', renderPolicies(plan.policies));
    expectGolden('networkpolicy-skipped.txt', renderSkipped(plan.skipped));
    expectGoldenDir('networkpolicy-dir', policyDirectoryLayout(plan.policies.filter((p) => p.direction === 'Ingress')));
  });

  it('is byte-stable: the same map in another order gives the same bytes', () => {
    const again = planNetworkPolicies(observedEdges([...objects].reverse()), { ...facts, pods: [...facts.pods].reverse(), selectors: [...facts.selectors].reverse() }, { egress: true });
    expect(renderPolicies(again.policies)).to.equal(renderPolicies(plan.policies));
    expect(renderSkipped(again.skipped)).to.equal(renderSkipped(plan.skipped));
  });

  it('admits cart from frontend on 8080 and checkout on 8080 and 9090, nothing else', () => {
    const ingress = plan.policies.find((p) => p.name === 'cart-deployment-ingress')!;
    expect(ingress.rules.map((r) => [r.peers[0]!.podSelector, r.ports.map((p) => p.port)])).to.deep.equal([
      [{ matchLabels: { app: 'checkout' } }, [8080, 9090]],
      [{ matchLabels: { app: 'frontend' } }, [8080]],
    ]);
    expect(ingress.window).to.deep.equal({ from: t0, to: t0 + 5 * hour });
  });

  it('never plans a policy that selects too much or blocks what was seen; says why', () => {
    const reasons = Object.fromEntries(plan.skipped.map((s) => [`${s.direction} ${s.workload.name}`, s.reason]));
    expect(reasons['Ingress worker']).to.match(/also matches pod cart-1/);
    expect(reasons['Egress debug']).to.equal('a bare pod without labels');
    expect(reasons['Ingress legacy']).to.match(/client Pod debug in namespace shop cannot be selected exactly: a bare pod without labels/);
    expect(reasons['Ingress cart']).to.equal(undefined);
    expect(reasons['Egress frontend']).to.match(/target Deployment worker in namespace shop cannot be selected exactly/);
    expect(reasons['Egress payments']).to.match(/no server port observed/);
    expect(reasons['Ingress ledger']).to.match(/no server port observed for its client StatefulSet payments/);
    // every planned selector matches exactly its own workload's pods
    for (const policy of plan.policies) {
      const own = facts.pods.filter((p) => p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels));
      expect(own.map((p) => workloadKey(p.workload)), policy.name).to.satisfy((keys: string[]) => keys.length > 0 && keys.every((k) => k === workloadKey(policy.workload)));
    }
  });

  it('two workloads whose names would give one policy name keep apart: the one without a kind is hashed', () => {
    const named = { namespace: 'shop', name: 'cart-deployment' };
    const edges = observedEdges([
      intents('shop', checkout, [
        [{ kubernetes: { name: 'cart', kind: 'Deployment' } }, 'kubernetes:cart#Deployment', seen(t0, t0, { 8080: [t0, t0] })],
        [{ kubernetes: { name: 'cart-deployment' } }, 'kubernetes:cart-deployment', seen(t0, t0, { 9000: [t0, t0] })],
      ]),
    ]);
    const withNamed = { ...facts, pods: [...facts.pods, pod(named, 'cart-deployment-1', { app: 'cart-v2' })] };
    const names = planNetworkPolicies(edges, withNamed, { egress: false }).policies.map((p) => p.name);
    expect(names).to.have.length(2);
    expect(names[0]).to.equal('cart-deployment-ingress');
    expect(names[1]).to.match(/^cart-deployment-ingress-[0-9a-f]{8}$/);
  });

  it('-n, --server and --exclude-services pick policies from the plan of the whole map', () => {
    const names = (selection: Parameters<typeof selectPolicies>[1]) => selectPolicies(plan.policies, selection).map((p) => `${p.namespace}/${p.name}`);
    expect(names({ namespaces: ['billing'], excludeServices: [] })).to.deep.equal(['billing/payments-statefulset-ingress']);
    expect(names({ namespaces: [], excludeServices: [], server: { name: 'cart', namespace: 'shop' } })).to.deep.equal(['shop/cart-deployment-ingress']);
    expect(names({ namespaces: ['shop'], excludeServices: [{ name: 'cart' }, { name: 'search-a', namespace: 'shop' }] })).to.deep.equal(['shop/checkout-deployment-egress', 'shop/search-b-deployment-ingress']);
  });

  it('reports only the skipped policies the selection would have written', () => {
    const skipped = [
      { direction: 'Egress' as const, workload: { namespace: 'shop', name: 'debug', kind: 'Pod' }, reason: 'a bare pod without labels' },
      { direction: 'Ingress' as const, workload: { namespace: 'shop', name: 'cart', kind: 'Deployment' }, reason: 'r' },
      { direction: 'Ingress' as const, workload: { namespace: 'other', name: 'server' }, reason: 'no pod of it was found to read labels from' },
    ];
    const names = (selection: Parameters<typeof selectSkipped>[1]) => selectSkipped(skipped, selection).map((s) => `${s.workload.namespace}/${s.workload.name}`);
    expect(names({ namespaces: [], excludeServices: [] })).to.deep.equal(['shop/debug', 'shop/cart', 'other/server']);
    expect(names({ namespaces: ['shop'], excludeServices: [] })).to.deep.equal(['shop/debug', 'shop/cart']);
    expect(names({ namespaces: [], excludeServices: [], server: { name: 'cart', namespace: 'shop' } })).to.deep.equal(['shop/cart']);
    expect(names({ namespaces: ['shop'], excludeServices: [{ name: 'cart' }] })).to.deep.equal(['shop/debug']);
  });

  it('diff against committed policies: a new port or client is +, an admission no longer observed is -', () => {
    const committed: CommittedPolicy[] = plan.policies.filter((p) => p.direction === 'Ingress').map((p) => ({ source: `${p.name}.${p.namespace}.yaml`, namespace: p.namespace, name: p.name, direction: p.direction, rules: p.rules }));
    expect(diffPolicies(plan.policies, committed)).to.deep.equal({ differ: false, policies: [] });
    const cart = committed.find((c) => c.name === 'cart-deployment-ingress')!;
    // committed before checkout used 9090, while a legacy client was still admitted; search-b not committed at all
    const older: CommittedPolicy = {
      ...cart,
      rules: [
        { peers: cart.rules[0]!.peers, ports: [{ protocol: 'TCP', port: 8080 }] },
        cart.rules[1]!,
        { peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'legacy' } } }], ports: [{ protocol: 'TCP', port: 80 }] },
      ],
    };
    const diff = diffPolicies(plan.policies, [...committed.filter((c) => c !== cart && c.name !== 'search-b-deployment-ingress'), older]);
    expect(renderPoliciesDiff(diff)).to.equal(
      [
        '--- committed shop/cart-deployment-ingress: cart-deployment-ingress.shop.yaml',
        '+++ observed shop/cart-deployment-ingress: Ingress of Deployment cart in namespace shop',
        '+ app=checkout in namespace shop on TCP/9090: observed, not admitted; blocked under enforcement',
        '- app=legacy in namespace shop on TCP/80: admitted, not observed; a candidate to remove',
        '--- committed shop/search-b-deployment-ingress: (no policy committed)',
        '+++ observed shop/search-b-deployment-ingress: Ingress of Deployment search-b in namespace shop',
        '+ app=frontend in namespace shop on TCP/9200: observed, not admitted; blocked under enforcement',
        '',
      ].join('\n'),
    );
  });

  it('a hostNetwork workload and a workload without pods or selector are skipped', () => {
    const edges = observedEdges([intents('shop', checkout, [
      [{ kubernetes: { name: 'agent', kind: 'DaemonSet' } }, 'kubernetes:agent#DaemonSet', seen(t0, t0, { 9100: [t0, t0] })],
      [{ kubernetes: { name: 'gone', kind: 'Deployment' } }, 'kubernetes:gone#Deployment', seen(t0, t0, { 80: [t0, t0] })],
    ])]);
    const reasons = planNetworkPolicies(edges, facts, { egress: false }).skipped.map((s) => `${s.workload.name}: ${s.reason}`);
    expect(reasons).to.deep.equal(['agent: its pods run on the host network, where a NetworkPolicy does not apply', 'gone: no pod of it was found to read labels from']);
    const toManual = observedEdges([intents('shop', checkout, [[{ service: { name: 'manual' } }, 'service:manual', seen(t0, t0, { 80: [t0, t0] })]])]);
    const egress = planNetworkPolicies(toManual, { ...facts, services: [...facts.services, { namespace: 'shop', name: 'manual', workloads: [] }] }, { egress: true });
    expect(egress.skipped.map((s) => `${s.direction} ${s.workload.name}: ${s.reason}`)).to.deep.equal(['Egress checkout: no pods found behind its target Service manual in namespace shop']);
  });

  it('--ready-only: an ingress policy needs every client ready, an egress policy its own client', () => {
    const ready = new Set([workloadKey(frontend)]);
    const limited = planNetworkPolicies(observedEdges(objects), facts, { egress: true, ready });
    const names = limited.policies.map((p) => p.name);
    expect(names).to.include('payments-statefulset-ingress');
    expect(names).to.not.include('cart-deployment-ingress');
    expect(names).to.not.include('checkout-deployment-egress');
    expect(limited.skipped.find((s) => s.workload.name === 'cart')?.reason).to.equal('its client Deployment checkout in namespace shop is still learning');
  });

  it('renders valid NetworkPolicy YAML with a header comment naming the evidence window', () => {
    const text = renderPolicies(plan.policies);
    const docs = parseAllDocuments(text);
    expect(docs).to.have.length(plan.policies.length);
    for (const doc of docs) expect(doc.errors).to.deep.equal([]);
    for (const chunk of text.split('---\n')) expect(chunk).to.match(/^# (Ingress|Egress) of .*\n# from the traffic network-mapper observed \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \.\. \d{4}-/);
    const egress = parse(policyDirectoryLayout(plan.policies).get('frontend-deployment-egress.shop.yaml') ?? 'null');
    expect(egress).to.equal(null); // frontend's egress is skipped (worker), so no file
    const checkoutEgress = parse(policyDirectoryLayout(plan.policies).get('checkout-deployment-egress.shop.yaml')!) as { spec: { egress: unknown[] } };
    expect(checkoutEgress.spec.egress).to.deep.equal([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'cart' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }] },
    ]);
  });

  it('egress: the API server by its endpoints, internet names by their resolved IPs as /32 and /128', () => {
    const withoutWorker = objects.map((o) => (o.workload.name === 'frontend' ? { ...o, targets: o.targets.filter((t) => JSON.stringify(t) !== JSON.stringify({ kubernetes: { name: 'worker', kind: 'Deployment' } })) } : o));
    const egress = planNetworkPolicies(observedEdges(withoutWorker), facts, { egress: true }).policies.find((p) => p.name === 'frontend-deployment-egress')!;
    const peers = egress.rules.map((r) => [r.peers.map((p) => p.ipBlock?.cidr ?? p.podSelector?.matchLabels?.app ?? JSON.stringify(p.podSelector)), r.ports.map((p) => `${p.protocol}/${p.port}`)]);
    expect(peers).to.deep.equal([
      [['{"matchLabels":{"k8s-app":"kube-dns"}}'], ['TCP/53', 'UDP/53']],
      [['192.168.1.10/32'], ['TCP/6443']],
      [['payments'], ['TCP/5432']],
      [['cart'], ['TCP/8080']],
      [['search'], ['TCP/9200']],
      [['search'], ['TCP/9200']],
      [['2001:db8::7/128', '203.0.113.7/32'], ['TCP/443']],
    ]);
  });
});
