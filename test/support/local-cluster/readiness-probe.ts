import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Container, V1Probe } from '@kubernetes/client-node';

export type ProbeTarget =
  | { readonly kind: 'http'; readonly scheme: 'http' | 'https'; readonly host: string; readonly port: number; readonly path: string; readonly headers: Record<string, string> }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

function portNumber(port: number | string, container: V1Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  if (named === undefined) throw new Error(`probe port ${port} names no port of container ${container.name}`);
  return named;
}

/** Where a kubelet sends the probe: the pod IP unless the probe names a host. exec probes are not run here. */
export function probeTarget(probe: V1Probe, container: V1Container, podIP: string): ProbeTarget | undefined {
  if (probe.httpGet) {
    return {
      kind: 'http',
      scheme: probe.httpGet.scheme === 'HTTPS' ? 'https' : 'http',
      host: probe.httpGet.host ?? podIP,
      port: portNumber(probe.httpGet.port as number | string, container),
      path: probe.httpGet.path ?? '/',
      headers: Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value])),
    };
  }
  if (probe.tcpSocket) return { kind: 'tcp', host: probe.tcpSocket.host ?? podIP, port: portNumber(probe.tcpSocket.port as number | string, container) };
  return undefined;
}

/** One probe: an HTTP status from 200 to 399 (certificates not checked, as a kubelet does) or an accepted TCP connection. */
export function runProbe(target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (target.kind === 'tcp') {
      const socket = connect({ host: target.host, port: target.port, timeout: timeoutMs });
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('timeout', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(false));
      return;
    }
    const request = (target.scheme === 'https' ? httpsRequest : httpRequest)({
      host: target.host, port: target.port, path: target.path, method: 'GET', timeout: timeoutMs,
      headers: { 'User-Agent': 'kube-probe/local', ...target.headers }, rejectUnauthorized: false,
    }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 400);
    });
    request.once('timeout', () => { request.destroy(); resolve(false); });
    request.once('error', () => resolve(false));
    request.end();
  });
}

/** A container's readiness as a kubelet's prober keeps it: successThreshold/failureThreshold over periodic probes. */
export interface ReadinessState {
  ready: boolean;
  successes: number;
  failures: number;
  nextAt: number;
  probing: boolean;
}

export function initialReadiness(probe: V1Probe | undefined, startedAt: number): ReadinessState {
  return { ready: probe === undefined, successes: 0, failures: 0, nextAt: startedAt + (probe?.initialDelaySeconds ?? 0) * 1000, probing: false };
}

/** Probes when due and updates `state` when the probe ends (the caller reports the status on its next pass). */
export function probeIfDue(probe: V1Probe, target: ProbeTarget, state: ReadinessState, now: number): void {
  if (state.probing || now < state.nextAt) return;
  state.probing = true;
  void runProbe(target, (probe.timeoutSeconds ?? 1) * 1000).then((ok) => {
    state.probing = false;
    state.nextAt = Date.now() + (probe.periodSeconds ?? 10) * 1000;
    if (ok) {
      state.failures = 0;
      if (++state.successes >= (probe.successThreshold ?? 1)) state.ready = true;
    } else {
      state.successes = 0;
      if (++state.failures >= (probe.failureThreshold ?? 3)) state.ready = false;
    }
  });
}
