import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { serveUrl, type ServeCommand } from '../../core/commands/serve.js';
import { renderDot } from '../../core/dot-format.js';
import { CliError, exitCodes } from '../../core/exit-codes.js';
import { clusterDiff } from '../../core/intents-diff.js';
import { selectIntents } from '../../core/selection.js';
import { readSelection } from '../read-intents.js';
import { dotToSvg } from '../render-graph.js';
import { serveApp } from '../serve-app.js';
import { stableForMs } from '../read-stable-for.js';
import { loadUserKubeConfig } from '../user-kube-config.js';
import { watchClientIntents } from '../watch-client-intents.js';
import type { Streams } from '../write-export.js';
import { readStatus } from './status.js';

/** Changes arriving together (an operator applying several objects) make one redraw. */
const debounceMs = 200;

/**
 * Serves the live map until SIGINT/SIGTERM (or `stop`, for tests). A first list checks access
 * the way the other commands do, so a missing CRD or RBAC exits with their codes before the
 * server starts; `--exclude-labels` pods are read once, at start.
 */
export async function runServe(command: ServeCommand, streams: Streams, stop: Promise<void> = signalled()): Promise<number> {
  // Graphviz's WebAssembly loads while the ClientIntents are read, so the first page load does not wait for it.
  const graphvizReady = dotToSvg('digraph {}').catch(() => undefined);
  const { labelled } = await readSelection({ ...command.selection, includeUserManaged: true }, command.cluster, streams);
  const kc = loadUserKubeConfig(command.cluster);
  const period = await stableForMs(kc, { installNamespace: command.namespace }, command.cluster.requestTimeoutSeconds, (text) => streams.stderr(`warning: ${text}\n`));
  let timer: NodeJS.Timeout | undefined;
  const app = serveApp(
    {
      selected: () => selectIntents(watch.current(), command.selection, labelled),
      diff: () => clusterDiff(selectIntents(watch.current(), { ...command.selection, includeUserManaged: true }, labelled)),
      status: () => readStatus(command),
      svg: (view) => dotToSvg(renderDot(view.graph)),
      readiness: () => ({ now: Date.now(), stableForMs: period }),
    },
    () => allowedHosts(command.address, port),
  );
  const watch = await watchClientIntents(
    kc,
    command.selection.namespaces,
    () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        app.changed();
      }, debounceMs);
    },
    (message) => streams.stderr(`warning: ${message}\n`),
  );
  const server = createAdaptorServer({ fetch: app.app.fetch });
  let port = command.port;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(command.port, command.address, () => resolve());
    });
  } catch (error) {
    await watch.stop();
    const { code } = error as { code?: string };
    throw new CliError(code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' ? exitCodes.usage : exitCodes.unexpected, `cannot listen on ${command.address}:${command.port}: ${code ?? String(error)}`);
  }
  await graphvizReady;
  port = (server.address() as AddressInfo).port;
  streams.stdout(`${serveUrl(command.address, port)}\n`);
  streams.stderr(`serving the live map of ${watch.current().length} ClientIntents; Ctrl-C stops\n`);
  await stop;
  clearTimeout(timer);
  app.closeStreams();
  await watch.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
  streams.stderr('stopped\n');
  return exitCodes.ok;
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** The names this server answers to; on a wildcard address any Host, as the user chose to expose it. */
function allowedHosts(address: string, port: number): readonly string[] | undefined {
  if (address === '0.0.0.0' || address === '::') return undefined;
  const hosts = [address.includes(':') ? `[${address}]` : address];
  if (address === '127.0.0.1' || address === '::1') hosts.push('localhost', '127.0.0.1', '[::1]');
  return hosts.map((h) => `${h}:${port}`);
}
