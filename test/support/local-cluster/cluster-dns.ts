import { createSocket, type Socket } from 'node:dgram';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { createLogger, errorFields } from '../../../src/shared/logger.js';
import { buildZone, lookup, type DnsRecord, type Zone } from './cluster-dns-zone.js';
import { startSyncLoop, type SyncLoop } from './sync-loop.js';

const log = createLogger('local-cluster-dns');
const ttlSeconds = 5;

/**
 * The cluster DNS on the bridge gateway (UDP port 53): the zone is rebuilt from the API server
 * a few times a second, so a new Service or a Ready pod resolves within a fraction of a second.
 */
export async function startClusterDns(
  kc: KubeConfig,
  listenAddress: string,
  external: Readonly<Record<string, readonly DnsRecord[]>>,
): Promise<SyncLoop & { zone(): Zone }> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  let zone: Zone = buildZone([], [], [], external);
  const loop = startSyncLoop('cluster-dns', 300, log, async () => {
    const [services, slices, pods] = await Promise.all([
      core.listServiceForAllNamespaces(),
      discovery.listEndpointSliceForAllNamespaces(),
      core.listPodForAllNamespaces(),
    ]);
    zone = buildZone(services.items, slices.items, pods.items, external);
  });
  await loop.kick();

  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch (error) {
      log.debug('undecodable DNS query', { from: remote.address, ...errorFields(error) });
      return;
    }
    const question = query.questions?.[0];
    const result = question ? lookup(zone, question.name, question.type) : { rcode: 'NXDOMAIN' as const, answers: [] };
    const reply = dnsPacket.encode({
      id: query.id ?? 0,
      type: 'response',
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (result.rcode === 'NXDOMAIN' ? 3 : 0),
      questions: query.questions ?? [],
      answers: result.answers.map((a) => ({ name: a.name, type: a.type, ttl: ttlSeconds, data: a.data })),
    });
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, listenAddress, () => resolve());
  });
  socket.on('error', (error) => log.warn('DNS socket error', errorFields(error)));
  log.info('cluster DNS listening', { address: listenAddress, port: 53 });
  return {
    kick: loop.kick,
    zone: () => zone,
    stop: async () => {
      await loop.stop();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
