import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../support/control-plane.js';
import { buildOciLayout } from '../../support/oci/oci-layout-builder.js';
import { cleanUpHostNetwork, clusterNetwork, leftovers, setUpHostNetwork } from '../../support/local-cluster/host-network.js';
import { applyManifests } from '../../support/local-cluster/local-cluster.js';
import { startKubeProxy } from '../../support/local-cluster/kube-proxy.js';
import { startNodeAgent, type NodeAgent } from '../../support/local-cluster/node-agent.js';
import type { SyncLoop } from '../../support/local-cluster/sync-loop.js';
import { containerProcesses, podRuntimeDir, podRuntimeRoot } from '../../support/local-cluster/pod-runtime-dirs.js';
import { waitFor } from '../../support/wait-for.js';
import { slotted, slottedOctet, slottedPort } from '../../support/test-slot.js';

const prefix = slotted('nmic');
const network = clusterNetwork(prefix, slottedOctet(58));
const imageRef = 'local.test/busybox:1';
const readyPort = slottedPort(18481);
const applets = ['sh', 'cat', 'id', 'pwd', 'grep', 'touch', 'sleep', 'hostname', 'ls', 'httpd', 'test', 'mkdir', 'nc', 'seq', 'printf'];
/** A ClusterIP for a Service whose only endpoint is host-root's web server (on the node IP). */
const echoClusterIP = `10.96.${slottedOctet(58)}.80`;

/** What the reporter container prints about itself, one `key=value` per line. */
const report = [
  'echo "uid=$(id -u) gid=$(id -g) groups=$(id -G)"',
  'echo "cwd=$(pwd)"',
  'echo "image_var=$IMAGE_VAR override=$OVERRIDDEN pod=$MY_POD ns=$MY_NS uid=$MY_UID node=$MY_NODE sa=$MY_SA ip=$MY_IP host_ip=$MY_HOST_IP ref=$REF"',
  'if touch /written 2>/dev/null; then echo rootfs=rw; else echo rootfs=ro; fi',
  'if touch /data/host/new 2>/dev/null; then echo hostpath=rw; else echo hostpath=ro; fi',
  'echo "hostpath_content=$(cat /data/host/hello.txt)"',
  'if touch /scratch/file; then echo emptydir=rw; fi',
  'if test -e /etc/removed.txt; then echo whiteout=present; else echo whiteout=removed; fi',
  'echo "kept=$(cat /etc/kept.txt)"',
  'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status | while read k v; do echo "$k=$v"; done',
  'echo "sa_namespace=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"',
  'echo "token=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"',
  'if grep -q "BEGIN CERTIFICATE" /var/run/secrets/kubernetes.io/serviceaccount/ca.crt; then echo ca=present; fi',
  'echo "hostname=$(hostname)"',
  'echo "resolv=$(grep nameserver /etc/resolv.conf)"',
  'echo done',
  'exec sleep 3600',
].join('\n');

const manifests = (hostDir: string): string => `
apiVersion: v1
kind: Namespace
metadata: { name: img }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: reporter, namespace: img }
---
apiVersion: v1
kind: Pod
metadata: { name: reporter, namespace: img }
spec:
  serviceAccountName: reporter
  volumes:
    - { name: host, hostPath: { path: ${hostDir}, type: Directory } }
    - { name: scratch, emptyDir: {} }
  containers:
    - name: main
      image: ${imageRef}
      args: [${JSON.stringify(report)}]
      env:
        - { name: OVERRIDDEN, value: from-pod }
        - { name: MY_POD, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
        - { name: MY_NS, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
        - { name: MY_UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
        - { name: MY_NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
        - { name: MY_SA, valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } } }
        - { name: MY_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: MY_HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
        - { name: REF, value: "$(MY_POD)-ref" }
      volumeMounts:
        - { name: host, mountPath: /data/host, readOnly: true }
        - { name: scratch, mountPath: /scratch }
      readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 1 }
      securityContext:
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] }
---
apiVersion: v1
kind: Pod
metadata: { name: host-root, namespace: img }
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  containers:
    - name: main
      image: ${imageRef}
      workingDir: /tmp
      command: [/bin/sh, -c]
      args:
        - |
          echo "uid=$(id -u) cwd=$(pwd)"
          grep -E "^(CapEff|NoNewPrivs):" /proc/self/status | while read k v; do echo "$k=$v"; done
          if ls /var/run/secrets/kubernetes.io 2>/dev/null; then echo token=mounted; else echo token=none; fi
          echo "hostname=$(hostname)"
          mkdir -p /www && echo ok > /www/index.html
          exec httpd -f -p ${readyPort} -h /www
      readinessProbe: { httpGet: { path: /index.html, port: ${readyPort} }, periodSeconds: 1 }
      securityContext: { runAsUser: 0 }
    - name: client
      image: ${imageRef}
      command:
        - /bin/sh
        - -c
        - for i in $(seq 40); do if printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${echoClusterIP} 80 | grep -q '^ok'; then echo reached=yes; exec sleep 3600; fi; sleep 0.5; done; echo reached=no; exec sleep 3600
---
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: img }
spec:
  clusterIP: ${echoClusterIP}
  ports: [{ name: http, port: 80, targetPort: ${readyPort} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: echo-1, namespace: img, labels: { kubernetes.io/service-name: echo } }
addressType: IPv4
ports: [{ name: http, port: ${readyPort}, protocol: TCP }]
endpoints: [{ addresses: ["${network.nodeIP}"], conditions: { ready: true } }]
---
apiVersion: v1
kind: Pod
metadata: { name: refused-root, namespace: img }
spec:
  automountServiceAccountToken: false
  containers:
    - { name: main, image: ${imageRef}, securityContext: { runAsUser: 0, runAsNonRoot: true } }
---
apiVersion: v1
kind: Pod
metadata: { name: no-such-image, namespace: img }
spec:
  automountServiceAccountToken: false
  containers:
    - { name: main, image: local.test/missing:1 }
`;

function parseReport(log: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of log.split('\n')) {
    for (const pair of line.split(' ')) {
      const at = pair.indexOf('=');
      if (at > 0 && !values.has(pair.slice(0, at))) values.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  return values;
}

/**
 * The node agent as a container runtime: a busybox image built here (two layers, a whiteout),
 * pods run from it in their own mount namespaces with a read-only overlay root, volumes, the
 * projected ServiceAccount token, capabilities and probes, each checked from inside the container.
 */
describe('local node agent runs containers from OCI images (integration)', function () {
  this.timeout(90_000);
  let controlPlane: ControlPlane | undefined;
  let agent: NodeAgent | undefined;
  let kubeProxy: SyncLoop | undefined;
  let crashed: ChildProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'netmap-image-containers-'));
  const logDir = join(work, 'logs');
  const hostDir = join(work, 'host');
  const cacheDir = join(work, 'rootfs');
  let core: CoreV1Api;

  const podLog = (name: string, container = 'main'): string => {
    const file = join(logDir, `img_${name}_${container}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };
  const pod = (name: string): Promise<V1Pod> => core.readNamespacedPod({ name, namespace: 'img' });

  before(async function () {
    this.timeout(60_000);
    await cleanUpHostNetwork(prefix);
    mkdirSync(hostDir, { recursive: true });
    writeFileSync(join(hostDir, 'hello.txt'), 'from-the-host');
    const layout = join(work, 'layout');
    buildOciLayout(layout, [
      {
        entries: {
          'bin/busybox': { copyOf: '/bin/busybox', mode: 0o755 },
          ...Object.fromEntries(applets.map((applet) => [`bin/${applet}`, { linkTo: 'busybox' }])),
          'etc/passwd': { text: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n' },
          'etc/group': { text: 'root:x:0:\napp:x:1000:\n' },
          'etc/removed.txt': { text: 'the next layer whites this out\n' },
          'etc/kept.txt': { text: 'kept' },
          'app': { directory: true },
          'tmp': { directory: true, mode: 0o1777 },
          'var/run': { linkTo: '/run' },
          'run': { directory: true },
        },
      },
      { entries: { 'app/README': { text: 'second layer\n' } }, whiteouts: ['etc/removed.txt'] },
    ], {
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo the image default; sleep 3600'],
      User: '1000',
      WorkingDir: '/app',
      Env: ['PATH=/bin', 'IMAGE_VAR=from-image', 'OVERRIDDEN=from-image'],
    }, '1');

    // A crashed run's container: a process whose own mount namespace has a mount under the runtime dirs.
    const crashedDir = join(podRuntimeRoot(prefix), 'crashed-pod', 'containers', 'main', 'merged');
    mkdirSync(crashedDir, { recursive: true });
    crashed = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs crashed ${crashedDir} && exec sleep 300`], { stdio: 'ignore' });
    await waitFor('the crashed container\'s mount', () => containerProcesses(prefix).includes(crashed!.pid!));
    expect(await leftovers(prefix)).to.include(`container process ${crashed.pid}`);
    await cleanUpHostNetwork(prefix);

    await setUpHostNetwork(network);
    controlPlane = await startControlPlane();
    core = controlPlane.admin().makeApiClient(CoreV1Api);
    agent = await startNodeAgent(controlPlane.admin(), {
      nodeName: `${prefix}-node`, network, logDir, images: new Map([[imageRef, { layout }]]), imageCacheDir: cacheDir,
    });
    kubeProxy = startKubeProxy(controlPlane.admin(), network, Number(new URL(controlPlane.admin().getCurrentCluster()!.server).port));
    await applyManifests(controlPlane.admin(), manifests(hostDir));
    await waitFor('the reporter\'s report', () => podLog('reporter').includes('done'), 30_000);
  });

  after(async function () {
    this.timeout(30_000);
    crashed?.kill('SIGKILL');
    await agent?.stop();
    await kubeProxy?.stop();
    await controlPlane?.stop();
    await cleanUpHostNetwork(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  it('removed a crashed run\'s container process and runtime dirs before starting', () => {
    expect(crashed!.exitCode !== null || crashed!.signalCode !== null || !existsSync(`/proc/${crashed!.pid}`)).to.equal(true);
    expect(existsSync(join(podRuntimeRoot(prefix), 'crashed-pod'))).to.equal(false);
  });

  it('runs the image\'s Entrypoint with the container\'s args as the image\'s User, in its WorkingDir', () => {
    const values = parseReport(podLog('reporter'));
    expect(values.get('uid'), podLog('reporter')).to.equal('1000');
    expect(values.get('gid')).to.equal('1000');
    expect(values.get('cwd')).to.equal('/app');
    expect(podLog('reporter')).not.to.include('the image default');
  });

  it('merges the image\'s Env with the pod\'s env, downward API and $(VAR) references included', async () => {
    const values = parseReport(podLog('reporter'));
    const object = await pod('reporter');
    expect(values.get('image_var')).to.equal('from-image');
    expect(values.get('override')).to.equal('from-pod');
    expect(values.get('pod')).to.equal('reporter');
    expect(values.get('ns')).to.equal('img');
    expect(values.get('uid')).to.equal('1000');
    expect(podLog('reporter')).to.include(` uid=${object.metadata!.uid} `);
    expect(values.get('node')).to.equal(`${prefix}-node`);
    expect(values.get('sa')).to.equal('reporter');
    expect(values.get('ip')).to.equal(object.status!.podIP);
    expect(values.get('host_ip')).to.equal(network.nodeIP);
    expect(values.get('ref')).to.equal('reporter-ref');
    expect(values.get('hostname')).to.equal('reporter');
    expect(podLog('reporter')).to.include(`resolv=nameserver ${network.gateway4}\n`);
  });

  it('mounts the root read-only, the hostPath read-only, the emptyDir writable, and applies the whiteout', () => {
    const values = parseReport(podLog('reporter'));
    expect(values.get('rootfs')).to.equal('ro');
    expect(values.get('hostpath')).to.equal('ro');
    expect(values.get('hostpath_content')).to.equal('from-the-host');
    expect(values.get('emptydir')).to.equal('rw');
    expect(values.get('whiteout')).to.equal('removed');
    expect(values.get('kept')).to.equal('kept');
    expect(existsSync(join(hostDir, 'new'))).to.equal(false);
  });

  it('gives exactly the requested capabilities (drop ALL, add NET_BIND_SERVICE) with no_new_privs', () => {
    const values = parseReport(podLog('reporter'));
    expect(values.get('CapEff:')).to.equal('0000000000000400');
    expect(values.get('CapBnd:')).to.equal('0000000000000400');
    expect(values.get('NoNewPrivs:')).to.equal('1');
  });

  it('projects a ServiceAccount token that authenticates as the pod\'s ServiceAccount, bound to the pod', async () => {
    const values = parseReport(podLog('reporter'));
    expect(values.get('sa_namespace')).to.equal('img');
    expect(values.get('ca')).to.equal('present');
    const admin = controlPlane!.admin();
    const cluster = admin.getCurrentCluster()!;
    const asPod = new KubeConfig();
    asPod.loadFromOptions({
      clusters: [{ name: 'c', server: cluster.server, caData: cluster.caData, caFile: cluster.caFile }],
      users: [{ name: 'pod', token: values.get('token') }],
      contexts: [{ name: 'c', cluster: 'c', user: 'pod' }],
      currentContext: 'c',
    });
    const review = await asPod.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).to.equal('system:serviceaccount:img:reporter');
    expect(review.status?.userInfo?.extra?.['authentication.kubernetes.io/pod-name']).to.deep.equal(['reporter']);
  });

  it('keeps a container whose readiness probe fails running but not Ready', async () => {
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const status = (await pod('reporter')).status!;
    expect(status.phase).to.equal('Running');
    expect(status.containerStatuses?.[0]?.state?.running).to.not.equal(undefined);
    expect(status.containerStatuses?.[0]?.ready).to.equal(false);
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('False');
  });

  it('runs a hostNetwork root container with the default capabilities, no token, and Ready once its httpGet probe passes', async () => {
    await waitFor('host-root Ready', async () => (await pod('host-root')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 20_000);
    const values = parseReport(podLog('host-root'));
    expect(values.get('uid')).to.equal('0');
    expect(values.get('cwd')).to.equal('/tmp');
    // containerd's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
    expect(values.get('CapEff:')).to.equal('00000000a80425fb');
    expect(values.get('NoNewPrivs:')).to.equal('0');
    expect(values.get('token')).to.equal('none');
    expect(values.get('hostname')).to.equal(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    expect((await pod('host-root')).status?.podIP).to.equal(network.nodeIP);
  });

  it('lets a hostNetwork container reach a ClusterIP through the kube-proxy\'s output DNAT (its cgroup)', async () => {
    await waitFor('the client\'s answer', () => podLog('host-root', 'client').includes('reached='), 30_000);
    expect(podLog('host-root', 'client')).to.include('reached=yes');
  });

  it('refuses a uid-0 container with runAsNonRoot (CreateContainerConfigError) and reports an unknown image as ErrImagePull, then ImagePullBackOff', async () => {
    const refused = await waitFor('refused-root waiting', async () => (await pod('refused-root')).status?.containerStatuses?.[0]?.state?.waiting);
    expect(refused.reason).to.equal('CreateContainerConfigError');
    expect(refused.message).to.include('runAsNonRoot');
    const pulled = await waitFor('no-such-image waiting', async () => (await pod('no-such-image')).status?.containerStatuses?.[0]?.state?.waiting);
    expect(pulled.reason).to.be.oneOf(['ErrImagePull', 'ImagePullBackOff']);
    await waitFor('ImagePullBackOff', async () => (await pod('no-such-image')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 15_000);
  });

  it('removes a deleted pod\'s container processes, mounts and overlay dirs', async () => {
    const uid = (await pod('reporter')).metadata!.uid!;
    const dir = podRuntimeDir(prefix, uid);
    expect(existsSync(join(dir, 'containers', 'main', 'upper'))).to.equal(true);
    const pid = agent!.running().find((run) => run.uid === uid)!.containers[0]!.child!.pid!;
    expect(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).to.include(`upperdir=${dir}/containers/main/upper`);
    await core.deleteNamespacedPod({ name: 'reporter', namespace: 'img' });
    await waitFor('the reporter gone', async () => !(await core.listNamespacedPod({ namespace: 'img' })).items.some((p) => p.metadata?.name === 'reporter'), 20_000);
    expect(existsSync(dir)).to.equal(false);
    expect(existsSync(`/proc/${pid}`)).to.equal(false);
    expect(containerProcesses(prefix).length).to.equal(2); // host-root's two containers are still running
  });

  it('leaves no container process or runtime dir once the node agent is stopped', async () => {
    await agent!.stop();
    agent = undefined;
    expect(containerProcesses(prefix)).to.deep.equal([]);
    expect(existsSync(podRuntimeRoot(prefix)) ? readdirSync(podRuntimeRoot(prefix)) : []).to.deep.equal([]);
  });
});
