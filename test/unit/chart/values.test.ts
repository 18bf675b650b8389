import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { isMap, isScalar, parse, parseDocument, type Pair } from 'yaml';
import { chartValuesSchema } from '../../../generators/chart/values-schema.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const chartDir = join(root, 'charts', 'network-mapper');
const valuesText = readFileSync(join(chartDir, 'values.yaml'), 'utf8');

/** Kubernetes objects and plain maps, whose inner keys are the API's, not the chart's. */
const opaque = new Set(['resources', 'securityContext', 'podSecurityContext', 'labels', 'tolerations']);

/** Paths of the keys that have no comment line right above them. */
function uncommentedKeys(node: unknown, path: string[] = []): string[] {
  if (!isMap(node)) return [];
  // The yaml library hangs the comment above a map's first key on the map itself.
  const mapComment = (node as { commentBefore?: string }).commentBefore;
  return (node.items as Pair[]).flatMap((pair, index) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    const comment = (pair.key as { commentBefore?: string } | null)?.commentBefore ?? (index === 0 ? mapComment : undefined);
    const here = [...path, key];
    const missing = comment ? [] : [here.join('.')];
    return [...missing, ...(opaque.has(key) ? [] : uncommentedKeys(pair.value, here))];
  });
}

describe('charts/network-mapper values', () => {
  it('values.yaml satisfies the values schema', () => {
    const result = chartValuesSchema.safeParse(parse(valuesText));
    expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
  });

  it('has a prose comment above every value (Kubernetes objects excepted inside)', () => {
    const document = parseDocument(valuesText);
    expect(uncommentedKeys(document.contents)).to.deep.equal([]);
  });

  it('refuses a misspelt key, a bad clientIntentsCRD and a negative replica count', () => {
    const values = parse(valuesText) as Record<string, Record<string, unknown>>;
    const issues = (changed: unknown) => chartValuesSchema.safeParse(changed).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ ...values, operator: { ...values.operator, replica: 3 } }).join()).to.match(/operator: Unrecognized key: "replica"/);
    expect(issues({ ...values, clientIntentsCRD: 'always' }).join()).to.match(/clientIntentsCRD: Invalid option/);
    expect(issues({ ...values, operator: { ...values.operator, replicas: -1 } }).join()).to.match(/operator.replicas: Too small/);
  });

  it("takes the sniffer's bounds from the sniffer's own configuration schema", () => {
    const values = parse(valuesText) as { sniffer: Record<string, unknown> };
    expect(chartValuesSchema.safeParse({ ...values, sniffer: { ...values.sniffer, windowSeconds: 0 } }).success).to.equal(false);
    expect(chartValuesSchema.safeParse({ ...values, sniffer: { ...values.sniffer, pcapBufferBytes: 1024 } }).success).to.equal(false);
  });

  it("names package.json's version as appVersion, and config/ the same default image", () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string; version: string };
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).to.equal(pkg.version);
    const values = parse(valuesText) as { image: { repository: string } };
    const deployment = readFileSync(join(root, 'config', 'manager', 'operator-deployment.yaml'), 'utf8');
    expect(deployment).to.contain(`image: ${values.image.repository}:${chart.appVersion}\n`);
  });
});

/** The names of the metrics the programs define (`name: 'netmap_...'` in src). */
function definedMetrics(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const match of text.matchAll(/name: '(netmap_[a-z_]+)'/g)) found.add(match[1]!);
  }
  return found;
}

describe('charts/network-mapper dashboard and alerts', () => {
  const defined = definedMetrics(join(root, 'src'));
  for (const file of ['dashboards/network-mapper.json', 'templates/prometheusrule.yaml']) {
    it(`${file} queries only metrics that exist`, () => {
      const used = new Set(readFileSync(join(chartDir, file), 'utf8').match(/netmap_[a-z_]+/g));
      expect(used.size).to.be.greaterThan(3);
      expect([...used].filter((name) => !defined.has(name))).to.deep.equal([]);
    });
  }
});
