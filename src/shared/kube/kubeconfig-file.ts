import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { checkedServer, KubeConfigError, type KubeClientConfig } from './kube-client-config.js';

type Fields = Record<string, unknown>;

/* What kubectl can do but this client does not: refuse clearly rather than connect as someone else. */
const unsupportedUserFields: Record<string, string> = {
  exec: 'exec credential plugins',
  'auth-provider': 'auth-provider plugins',
  username: 'basic authentication',
  password: 'basic authentication',
  as: 'impersonation',
  'as-uid': 'impersonation',
  'as-groups': 'impersonation',
  'as-user-extra': 'impersonation',
};
const unsupportedClusterFields: Record<string, string> = { 'proxy-url': 'proxies' };

/** Reads a kubeconfig file and the files it names (relative to its own directory). */
export function loadKubeconfigFile(path: string, context?: string): KubeClientConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KubeConfigError(`cannot read kubeconfig ${path}: ${(error as Error).message}`);
  }
  return parseKubeconfig(text, { path, context, readFile: (file) => readFileSync(file) });
}

export interface KubeconfigSource {
  /** The file's path: names it in errors and anchors relative paths inside it. */
  path: string;
  /** Use this context instead of current-context. */
  context?: string;
  readFile: (path: string) => Buffer;
}

/** The current context of a kubeconfig (YAML or JSON), resolved to server, TLS material and credentials. */
export function parseKubeconfig(text: string, source: KubeconfigSource): KubeClientConfig {
  const where = `kubeconfig ${source.path}`;
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new KubeConfigError(`${where}: not valid YAML: ${firstLine((error as Error).message)}`);
  }
  if (!isFields(document)) throw new KubeConfigError(`${where}: not a kubeconfig (expected a mapping)`);

  const contextName = source.context ?? document['current-context'];
  if (typeof contextName !== 'string' || contextName === '') throw new KubeConfigError(`${where}: no current-context`);
  const context = named(document, 'contexts', 'context', contextName, where);
  const clusterName = context.cluster;
  if (typeof clusterName !== 'string' || clusterName === '') throw new KubeConfigError(`${where}: context ${contextName} names no cluster`);
  const cluster = named(document, 'clusters', 'cluster', clusterName, where);
  const userName = context.user;
  const user = typeof userName === 'string' && userName !== '' ? named(document, 'users', 'user', userName, where) : {};

  const clusterWhere = `${where}, cluster ${clusterName}`;
  const userWhere = `${where}, user ${String(userName)}`;
  refuse(cluster, unsupportedClusterFields, clusterWhere);
  refuse(user, unsupportedUserFields, userWhere);

  const file = (value: unknown, field: string, w: string): Buffer => {
    if (typeof value !== 'string' || value === '') throw new KubeConfigError(`${w}: ${field} must be a path`);
    const path = isAbsolute(value) ? value : join(dirname(source.path), value);
    try {
      return source.readFile(path);
    } catch (error) {
      throw new KubeConfigError(`${w}: cannot read ${field} ${path}: ${(error as Error).message}`);
    }
  };
  const material = (fields: Fields, key: string, w: string): Buffer | undefined => {
    if (fields[`${key}-data`] !== undefined) return base64(fields[`${key}-data`], `${key}-data`, w);
    if (fields[key] !== undefined) return file(fields[key], key, w);
    return undefined;
  };

  const clientCert = material(user, 'client-certificate', userWhere);
  const clientKey = material(user, 'client-key', userWhere);
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new KubeConfigError(`${userWhere}: client-certificate and client-key go together; only one is set`);
  }
  const token = optionalString(user.token, 'token', userWhere);
  const tokenFile = optionalString(user.tokenFile, 'tokenFile', userWhere);
  if (tokenFile !== undefined) file(tokenFile, 'tokenFile', userWhere);
  const insecure = cluster['insecure-skip-tls-verify'];
  if (insecure !== undefined && typeof insecure !== 'boolean') throw new KubeConfigError(`${clusterWhere}: insecure-skip-tls-verify must be true or false`);
  const ca = material(cluster, 'certificate-authority', clusterWhere);
  if (insecure === true && ca !== undefined) {
    throw new KubeConfigError(`${clusterWhere}: insecure-skip-tls-verify and a certificate authority exclude each other`);
  }

  return {
    server: checkedServer(cluster.server, clusterWhere),
    ca,
    clientCert,
    clientKey,
    insecureSkipTlsVerify: insecure === true,
    tlsServerName: optionalString(cluster['tls-server-name'], 'tls-server-name', clusterWhere),
    token,
    tokenFile: tokenFile === undefined ? undefined : isAbsolute(tokenFile) ? tokenFile : join(dirname(source.path), tokenFile),
    namespace: optionalString(context.namespace, 'namespace', `${where}, context ${contextName}`),
    origin: `${where} (context ${contextName})`,
  };
}

function named(document: Fields, list: string, key: string, name: string, where: string): Fields {
  const entries = document[list];
  if (entries !== undefined && entries !== null && !Array.isArray(entries)) throw new KubeConfigError(`${where}: ${list} must be a list`);
  const entry = ((entries ?? []) as unknown[]).find((e) => isFields(e) && e.name === name) as Fields | undefined;
  if (!entry) throw new KubeConfigError(`${where}: no ${key} named ${name} in ${list}`);
  const fields = entry[key] ?? {};
  if (!isFields(fields)) throw new KubeConfigError(`${where}: ${key} ${name} must be a mapping`);
  return fields;
}

function refuse(fields: Fields, unsupported: Record<string, string>, where: string): void {
  for (const [field, what] of Object.entries(unsupported)) {
    if (fields[field] !== undefined) throw new KubeConfigError(`${where}: ${field} is not supported (${what}); use a token, a token file or a client certificate`);
  }
}

function base64(value: unknown, field: string, where: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(value) || value.trim() === '') {
    throw new KubeConfigError(`${where}: ${field} is not base64`);
  }
  return Buffer.from(value, 'base64');
}

function optionalString(value: unknown, field: string, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KubeConfigError(`${where}: ${field} must be a string`);
  return value;
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
