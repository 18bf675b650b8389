import { expect } from 'chai';
import { parseCommand, type Command } from '../../../src/cli/core/command.js';

function command(...argv: string[]): Command {
  const result = parseCommand(argv);
  if (!result.ok) throw new Error(`usage error: ${result.error}`);
  return result.command;
}

function usageError(...argv: string[]): string {
  const result = parseCommand(argv);
  if (result.ok) throw new Error(`expected a usage error for ${argv.join(' ')}`);
  return result.error;
}

describe('cli argument parsing', () => {
  it('defaults list to managed ClientIntents in all namespaces with the default timeout', () => {
    expect(command('list')).to.deep.equal({
      kind: 'list',
      selection: { namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] },
      cluster: { requestTimeoutSeconds: 30 },
    });
  });

  it('takes -n repeated or comma-separated, --server, --all and kubectl cluster flags', () => {
    expect(command('list', '-n', 'shop,billing', '--namespace', 'ops', '-n', 'shop', '--server', 'payments.billing', '--all', '--kubeconfig', '/k', '--context', 'kind', '--request-timeout', '2m')).to.deep.equal({
      kind: 'list',
      selection: { namespaces: ['shop', 'billing', 'ops'], server: { name: 'payments', namespace: 'billing' }, includeUserManaged: true, excludeServices: [], excludeLabels: [] },
      cluster: { kubeconfig: '/k', context: 'kind', requestTimeoutSeconds: 120 },
    });
    expect(command('list', '--namespace=shop')).to.have.nested.property('selection.namespaces').deep.equal(['shop']);
    expect(command('list', '-A')).to.have.nested.property('selection.namespaces').deep.equal([]);
  });

  it('defaults export to YAML v2beta1 on stdout and takes format, api version and outputs', () => {
    expect(command('export')).to.include({ kind: 'export', format: 'yaml', apiVersion: 'v2beta1' });
    expect(command('export')).to.have.deep.property('output', { type: 'stdout' });
    expect(command('export', '--format', 'json', '--api-version', 'v1alpha3', '-o', 'out.json')).to.deep.include({
      format: 'json',
      apiVersion: 'v1alpha3',
      output: { type: 'file', path: 'out.json' },
    });
    expect(command('export', '-o', 'intents', '--output-type', 'dir')).to.have.deep.property('output', { type: 'dir', path: 'intents' });
  });

  it('takes --exclude-services as name or name.namespace and --exclude-labels as key=value, repeated or comma-separated', () => {
    expect(command('export', '--exclude-services', 'prometheus,coredns.kube-system', '--exclude-services', 'prometheus', '--exclude-labels', 'app=debug,example.com/tier=test', '--exclude-labels=empty=')).to.have.deep.property('selection', {
      namespaces: [],
      includeUserManaged: false,
      excludeServices: [{ name: 'prometheus' }, { name: 'coredns', namespace: 'kube-system' }],
      excludeLabels: [{ key: 'app', value: 'debug' }, { key: 'example.com/tier', value: 'test' }, { key: 'empty', value: '' }],
    });
    expect(usageError('list', '--exclude-services', 'Bad_Name')).to.match(/^--exclude-services: "Bad_Name" is not "name" or "name.namespace"/);
    expect(usageError('list', '--exclude-services', 'a.b.c')).to.match(/^--exclude-services: "a.b.c"/);
    expect(usageError('list', '--exclude-labels', 'app')).to.match(/^--exclude-labels: "app" is not key=value/);
    expect(usageError('list', '--exclude-labels', 'app=a b')).to.match(/^--exclude-labels: "app=a b"/);
    expect(usageError('list', '--exclude-labels', '=x')).to.match(/^--exclude-labels/);
  });

  it('defaults visualize to SVG on stdout, and lets -o FILE pick the format by extension unless --format says', () => {
    expect(command('visualize')).to.deep.equal({
      kind: 'visualize',
      selection: { namespaces: [], includeUserManaged: false, excludeServices: [], excludeLabels: [] },
      cluster: { requestTimeoutSeconds: 30 },
      format: 'svg',
    });
    expect(command('visualize', '-o', 'map.PNG')).to.include({ format: 'png', outputPath: 'map.PNG' });
    expect(command('visualize', '-o', 'map.mmd')).to.include({ format: 'mermaid' });
    expect(command('visualize', '-o', 'map.txt')).to.include({ format: 'svg' });
    expect(command('visualize', '--format', 'dot', '-o', 'map.png', '-n', 'shop', '--exclude-services', 'db')).to.deep.include({
      format: 'dot',
      outputPath: 'map.png',
      selection: { namespaces: ['shop'], includeUserManaged: false, excludeServices: [{ name: 'db' }], excludeLabels: [] },
    });
    expect(usageError('visualize', '--format', 'jpg')).to.equal('--format: "jpg" is not one of dot, svg, png, mermaid');
    expect(usageError('visualize', '-o', '')).to.equal('-o/--output needs a path');
    expect(command('help', 'visualize')).to.deep.equal({ kind: 'help', topic: 'visualize' });
  });

  it('answers help and version', () => {
    expect(command()).to.deep.equal({ kind: 'help' });
    expect(command('--help')).to.deep.equal({ kind: 'help' });
    expect(command('help', 'export')).to.deep.equal({ kind: 'help', topic: 'export' });
    expect(command('list', '--help')).to.deep.equal({ kind: 'help', topic: 'list' });
    expect(command('export', '-h', '--format', 'xml')).to.deep.equal({ kind: 'help', topic: 'export' });
    expect(command('version')).to.deep.equal({ kind: 'version' });
    expect(command('--version')).to.deep.equal({ kind: 'version' });
  });

  it('rejects bad commands, flags and values with a usage error naming them', () => {
    expect(usageError('lsit')).to.equal('unknown command "lsit"');
    expect(usageError('help', 'lsit')).to.equal('unknown command "lsit"');
    expect(usageError('-n', 'shop', 'list')).to.equal('a command must come first, not the flag "-n"');
    expect(usageError('list', '--bogus')).to.equal('unknown flag --bogus');
    expect(usageError('list', '--format', 'json')).to.equal('unknown flag --format');
    expect(usageError('version', '-n', 'x')).to.equal('unknown flag -n');
    expect(usageError('list', 'extra')).to.equal('unexpected argument "extra"');
    expect(usageError('list', '-n')).to.match(/argument missing/);
    expect(usageError('list', '-n', 'Shop_1')).to.equal('-n/--namespace: "Shop_1" is not a namespace name');
    expect(usageError('list', '-n', 'shop,')).to.equal('-n/--namespace: "" is not a namespace name');
    expect(usageError('list', '-A', '-n', 'shop')).to.equal('-A/--all-namespaces and -n/--namespace exclude each other');
    expect(usageError('list', '--server', 'payments')).to.equal('--server: "payments" is not "name.namespace" (e.g. --server payments.billing)');
    expect(usageError('list', '--server', 'a.b.c')).to.match(/^--server/);
    expect(usageError('list', '--request-timeout', 'soon')).to.match(/^--request-timeout/);
    expect(usageError('list', '--request-timeout', '0')).to.match(/^--request-timeout/);
    expect(usageError('list', '--kubeconfig', '')).to.equal('--kubeconfig needs a path');
    expect(usageError('export', '--format', 'xml')).to.equal('--format: "xml" is not one of yaml, json, networkpolicy');
    expect(usageError('export', '--api-version', 'v1')).to.equal('--api-version: "v1" is not one of v2beta1, v1alpha3');
    expect(usageError('export', '--output-type', 'dir')).to.equal('--output-type dir needs -o DIR');
    expect(usageError('export', '--output-type', 'zip', '-o', 'x')).to.equal('--output-type: "zip" is not one of file, dir');
  });

  it('names the command whose help to read after a usage error', () => {
    expect(parseCommand(['export', '--format', 'xml'])).to.include({ ok: false, topic: 'export' });
    expect(parseCommand(['nope'])).to.not.have.property('topic');
  });
});
