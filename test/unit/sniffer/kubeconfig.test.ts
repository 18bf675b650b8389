import { expect } from 'chai';
import { inClusterConfig } from '../../../src/shared/kube/in-cluster-config.js';
import { KubeConfigError } from '../../../src/shared/kube/kube-client-config.js';
import { parseKubeconfig } from '../../../src/shared/kube/kubeconfig-file.js';
import { loadKubeClientConfig } from '../../../src/shared/kube/load-kube-client-config.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Files the kubeconfig may name, by absolute path. */
function files(entries: Record<string, string>): (path: string) => Buffer {
  return (path) => {
    const content = entries[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return Buffer.from(content);
  };
}

const parse = (text: string, readFile = files({}), context?: string) => parseKubeconfig(text, { path: '/home/u/.kube/config', readFile, context });
const failure = (run: () => unknown): KubeConfigError => {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(KubeConfigError);
    return error as KubeConfigError;
  }
  throw new Error('expected a KubeConfigError');
};

function kubeconfig(cluster: string, user: string, extraContext = ''): string {
  return `apiVersion: v1
kind: Config
current-context: dev
contexts:
  - name: other
    context: {cluster: nowhere, user: nobody}
  - name: dev
    context:
      cluster: c1
      user: u1
${extraContext}
clusters:
  - name: nowhere
    cluster: {server: "https://192.0.2.9"}
  - name: c1
    cluster:
${cluster}
users:
  - name: u1
    user:
${user}
`;
}

describe('kubeconfig parsing (pure, from strings)', () => {
  it('reads the current context: server, CA and client certificate as inline data, namespace', () => {
    const config = parse(
      kubeconfig(
        `      server: https://127.0.0.1:6443/\n      certificate-authority-data: ${b64('CA PEM')}`,
        `      client-certificate-data: ${b64('CERT PEM')}\n      client-key-data: ${b64('KEY PEM')}`,
        '      namespace: netmap-system',
      ),
    );
    expect(config.server).to.equal('https://127.0.0.1:6443');
    expect(config.ca?.toString()).to.equal('CA PEM');
    expect(config.clientCert?.toString()).to.equal('CERT PEM');
    expect(config.clientKey?.toString()).to.equal('KEY PEM');
    expect(config.token).to.equal(undefined);
    expect(config.insecureSkipTlsVerify).to.equal(false);
    expect(config.namespace).to.equal('netmap-system');
    expect(config.origin).to.equal('kubeconfig /home/u/.kube/config (context dev)');
  });

  it('reads certificate files relative to the kubeconfig, absolute ones as they are, and a token', () => {
    const readFile = files({ '/home/u/.kube/pki/ca.crt': 'CA FILE', '/etc/client.crt': 'CERT FILE', '/home/u/.kube/client.key': 'KEY FILE' });
    const config = parse(
      kubeconfig(
        '      server: https://[fd00::1]:6443\n      certificate-authority: pki/ca.crt\n      tls-server-name: kubernetes.default',
        '      client-certificate: /etc/client.crt\n      client-key: client.key\n      token: abc.def',
      ),
      readFile,
    );
    expect(config.server).to.equal('https://[fd00::1]:6443');
    expect(config.ca?.toString()).to.equal('CA FILE');
    expect(config.clientCert?.toString()).to.equal('CERT FILE');
    expect(config.clientKey?.toString()).to.equal('KEY FILE');
    expect(config.token).to.equal('abc.def');
    expect(config.tlsServerName).to.equal('kubernetes.default');
  });

  it('prefers -data over the file field, and keeps a token file as a path (it is read again later)', () => {
    const config = parse(
      kubeconfig(`      server: https://h:1\n      certificate-authority: /missing.crt\n      certificate-authority-data: ${b64('INLINE')}`, '      tokenFile: tokens/sa'),
      files({ '/home/u/.kube/tokens/sa': 'tok' }),
    );
    expect(config.ca?.toString()).to.equal('INLINE');
    expect(config.tokenFile).to.equal('/home/u/.kube/tokens/sa');
    expect(config.token).to.equal(undefined);
  });

  it('accepts insecure-skip-tls-verify without a CA, and JSON (kubeconfigs are YAML, JSON is YAML)', () => {
    const json = JSON.stringify({
      'current-context': 'x',
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }],
    });
    const config = parse(json);
    expect(config.insecureSkipTlsVerify).to.equal(true);
    expect(config.ca).to.equal(undefined);
    expect(config.token).to.equal('t');
  });

  it('uses another context when asked, and a context without a user means no credentials', () => {
    const text = kubeconfig('      server: https://h:1', '      token: t') + 'extra: {}\n';
    const withoutUser = text.replace('context: {cluster: nowhere, user: nobody}', 'context: {cluster: nowhere}');
    const config = parse(withoutUser, files({}), 'other');
    expect(config.server).to.equal('https://192.0.2.9');
    expect(config.token).to.equal(undefined);
    expect(config.clientCert).to.equal(undefined);
  });

  it('refuses what it does not support, naming the field and the alternative', () => {
    const exec = '      exec:\n        apiVersion: client.authentication.k8s.io/v1\n        command: aws';
    expect(failure(() => parse(kubeconfig('      server: https://h:1', exec))).message).to.equal(
      'kubeconfig /home/u/.kube/config, user u1: exec is not supported (exec credential plugins); use a token, a token file or a client certificate',
    );
    expect(failure(() => parse(kubeconfig('      server: https://h:1', '      auth-provider: {name: gcp}'))).message).to.match(/user u1: auth-provider is not supported \(auth-provider plugins\)/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1', '      username: a\n      password: b'))).message).to.match(/username is not supported \(basic authentication\)/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1', '      as: admin\n      token: t'))).message).to.match(/as is not supported \(impersonation\)/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1\n      proxy-url: http://proxy:3128', '      token: t'))).message).to.match(/cluster c1: proxy-url is not supported/);
    expect(failure(() => parse(kubeconfig('      server: http://h:8080', '      token: t'))).message).to.match(/cluster c1: server http:\/\/h:8080 is not https/);
  });

  it('gives a clear error for broken or incomplete kubeconfigs', () => {
    const ok = kubeconfig('      server: https://h:1', '      token: t');
    expect(failure(() => parse('a: [b')).message).to.match(/^kubeconfig \/home\/u\/.kube\/config: not valid YAML/);
    expect(failure(() => parse('- a\n- b')).message).to.match(/not a kubeconfig/);
    expect(failure(() => parse(ok.replace('current-context: dev', ''))).message).to.match(/no current-context/);
    expect(failure(() => parse(ok.replace('current-context: dev', 'current-context: prod'))).message).to.match(/no context named prod in contexts/);
    expect(failure(() => parse(ok.replace('cluster: c1', 'cluster: c2'))).message).to.match(/no cluster named c2 in clusters/);
    expect(failure(() => parse(ok.replace('user: u1', 'user: u2'))).message).to.match(/no user named u2 in users/);
    expect(failure(() => parse(ok.replace('      server: https://h:1', '      insecure-skip-tls-verify: true'))).message).to.match(/cluster c1: no server/);
    expect(failure(() => parse(ok.replace('https://h:1', '"::not a url"'))).message).to.match(/is not a URL/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1\n      certificate-authority: ca.crt', '      token: t'))).message).to.equal(
      "kubeconfig /home/u/.kube/config, cluster c1: cannot read certificate-authority /home/u/.kube/ca.crt: ENOENT: no such file or directory, open '/home/u/.kube/ca.crt'",
    );
    expect(failure(() => parse(kubeconfig('      server: https://h:1\n      certificate-authority-data: "not base64!"', '      token: t'))).message).to.match(/certificate-authority-data is not base64/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1', `      client-certificate-data: ${b64('C')}`))).message).to.match(/client-certificate and client-key go together/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1\n      insecure-skip-tls-verify: "yes"', '      token: t'))).message).to.match(/insecure-skip-tls-verify must be true or false/);
    expect(failure(() => parse(kubeconfig(`      server: https://h:1\n      insecure-skip-tls-verify: true\n      certificate-authority-data: ${b64('CA')}`, '      token: t'))).message).to.match(/exclude each other/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1', '      token: 42'))).message).to.match(/user u1: token must be a string/);
    expect(failure(() => parse(kubeconfig('      server: https://h:1', '      tokenFile: missing'))).message).to.match(/cannot read tokenFile \/home\/u\/.kube\/missing/);
  });
});

describe('in-cluster configuration (ServiceAccount files)', () => {
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  const mounted = files({ [`${dir}/ca.crt`]: 'CLUSTER CA', [`${dir}/token`]: 'sa-token\n', [`${dir}/namespace`]: 'netmap-system\n' });

  it('takes the API server from the environment and CA, token file and namespace from the mount', () => {
    const config = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir, mounted);
    expect(config).to.deep.include({ server: 'https://10.96.0.1:443', tokenFile: `${dir}/token`, namespace: 'netmap-system', insecureSkipTlsVerify: false });
    expect(config.ca?.toString()).to.equal('CLUSTER CA');
    expect(config.token, 'the token is read by the client, again and again').to.equal(undefined);
  });

  it('brackets an IPv6 service host', () => {
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '443' }, dir, mounted).server).to.equal('https://[fd00:10:96::1]:443');
  });

  it('says what is missing outside a cluster or without the mount', () => {
    expect(failure(() => inClusterConfig({}, dir, mounted)).message).to.match(/not running in a cluster \(KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset\) and KUBECONFIG is not set/);
    const noToken = files({ [`${dir}/ca.crt`]: 'CA' });
    expect(failure(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' }, dir, noToken)).message).to.match(/cannot read token: ENOENT/);
  });

  it('refuses a KUBECONFIG that names several files (merging is not supported)', async () => {
    const error = await loadKubeClientConfig({ KUBECONFIG: '/a:/b' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(KubeConfigError);
    expect((error as Error).message).to.match(/KUBECONFIG names 2 files/);
  });
});
