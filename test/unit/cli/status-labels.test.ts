import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generatedByLabel } from '../../../src/crds/custom-resource-definition.js';
import { isOurCrd, snifferDaemonSetName, snifferPodLabels } from '../../../src/cli/core/status-report.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');

interface Manifest { kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }

describe('kubectl netmap status finds what the manifests install', () => {
  it('selects the sniffer pods by labels the DaemonSet of config/sniffer gives them, under its name', () => {
    const docs = parseAllDocuments(readFileSync(join(root, 'config', 'sniffer', 'sniffer-daemonset.yaml'), 'utf8')).map((d) => d.toJS() as Manifest);
    const daemonSet = docs.find((d) => d.kind === 'DaemonSet');
    expect(daemonSet?.metadata?.name).to.equal(snifferDaemonSetName);
    expect(daemonSet?.spec?.template?.metadata?.labels).to.include(snifferPodLabels);
  });

  it('tells network-mapper\'s ClientIntents CRD from Otterize\'s, whether generated or installed by the chart', () => {
    const optional = parseAllDocuments(readFileSync(join(root, 'config', 'crd', 'optional', 'k8s.otterize.com_clientintents.yaml'), 'utf8'))[0]!.toJS() as Manifest;
    expect(isOurCrd(optional.metadata?.labels, generatedByLabel)).to.equal(true);
    // The chart's labels (what `helm install` gave it on the local cluster).
    expect(isOurCrd({ 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/part-of': 'network-mapper', 'app.kubernetes.io/name': 'network-mapper' }, generatedByLabel)).to.equal(true);
    expect(isOurCrd({ 'app.kubernetes.io/part-of': 'otterize' }, generatedByLabel)).to.equal(false);
    expect(isOurCrd(undefined, generatedByLabel)).to.equal(false);
  });
});
