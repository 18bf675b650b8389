import type { ParseArgsConfig } from 'node:util';
import { clusterFlags, help, parseCluster, parseSelection, selectionFlags, UsageError, type ClusterOptions } from '../flags.js';
import type { Selection } from '../selection.js';
import { defaultInstallNamespace, defaultLeaseName, installFlags, parseInstall } from './status.js';

export const defaultServePort = 8477;
export const defaultServeAddress = '127.0.0.1';
/** Open pages beyond this are refused (503): each holds a connection and a timer. */
export const maxLiveClients = 32;

export interface ServeCommand {
  readonly kind: 'serve';
  readonly selection: Selection;
  readonly cluster: ClusterOptions;
  readonly address: string;
  /** 0: any free port. */
  readonly port: number;
  /** For the status view, as `status`. */
  readonly namespace: string;
  readonly leaseName: string;
}

export const serveFlags = {
  ...clusterFlags,
  ...selectionFlags,
  ...help,
  address: { type: 'string' },
  port: { type: 'string', short: 'p' },
  ...installFlags,
} as const satisfies ParseArgsConfig['options'];

export function buildServe(values: Record<string, unknown>): ServeCommand {
  const portText = (values.port as string | undefined) ?? String(defaultServePort);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port: "${portText}" is not a port number (0-65535; 0: any free port)`);
  const address = (values.address as string | undefined) ?? defaultServeAddress;
  if (address === '') throw new UsageError('--address needs an address (e.g. 0.0.0.0 for every interface)');
  return { kind: 'serve', selection: parseSelection(values), cluster: parseCluster(values), address, port, ...parseInstall(values) };
}

/** The URL to print: an IPv6 address goes in brackets. */
export function serveUrl(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
}

export const serveHelp = (program: string, selectionHelp: string, clusterHelp: string): string => `Serve the live map as a local web page: the graph (redrawn as ClientIntents change, pushed to
the page), namespace filters, search, a workload's targets with when and how each was seen, and
the diff and status views. Prints the URL; Ctrl-C stops it.

Usage:
  ${program} serve [flags]

Serve flags:
  -p, --port PORT               port to listen on (default ${defaultServePort}; 0: any free port)
      --address ADDR            address to listen on (default ${defaultServeAddress}, this machine only)
      --install-namespace NS    for the status view, as status (default ${defaultInstallNamespace})
      --lease-name NAME         for the status view, as status (default ${defaultLeaseName})

${selectionHelp}

${clusterHelp}
`;
