// A demo workload: optionally serves HTTP or raw TCP on LISTEN_PORT, and calls every URL in
// TARGETS (space-separated; http://, https:// or tcp://host:port) every INTERVAL_MS over a new
// connection each time, resolving names through the cluster DNS like any pod would.
// ONCE=1 makes one round of calls and exits (for Jobs); RETRIES=n makes a failed call again up to
// n times, RETRY_DELAY_MS apart, as real jobs do.
import { createServer as createHttpServer, get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect, createServer as createTcpServer } from 'node:net';
import process from 'node:process';
import { setInterval, setTimeout } from 'node:timers';
import { URL } from 'node:url';

// In a pod the kubelet sets HOSTNAME to the pod's name.
const name = process.env.POD_NAME ?? process.env.HOSTNAME ?? 'demo';
const listenPort = Number(process.env.LISTEN_PORT ?? 0);
const targets = (process.env.TARGETS ?? '').split(/\s+/).filter(Boolean);
const intervalMs = Number(process.env.INTERVAL_MS ?? 2000);
const timeoutMs = Number(process.env.CALL_TIMEOUT_MS ?? 3000);
const retries = Number(process.env.RETRIES ?? 0);
const retryDelayMs = Number(process.env.RETRY_DELAY_MS ?? 2000);
const log = (message) => process.stdout.write(`${new Date().toISOString()} ${name} ${message}\n`);

if (listenPort) {
  if (process.env.LISTEN_KIND === 'tcp') {
    createTcpServer((socket) => { socket.on('error', () => {}); socket.end(`${name}\n`); }).listen(listenPort, '::');
  } else {
    createHttpServer((req, res) => res.end(`${name} ${req.url}\n`)).listen(listenPort, '::');
  }
  log(`listening on ${listenPort}`);
}

function call(target) {
  return new Promise((resolve) => {
    const url = new URL(target);
    // One result per call: an error is followed by a close, which must not count again.
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      log(`${target} -> ${result}`);
      resolve(result);
    };
    if (url.protocol === 'tcp:') {
      const socket = connect({ host: url.hostname, port: Number(url.port), timeout: timeoutMs });
      socket.on('data', () => socket.end());
      socket.on('close', () => done('closed'));
      socket.on('timeout', () => socket.destroy(new Error('timeout')));
      socket.on('error', (error) => done(error.code ?? error.message));
      return;
    }
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    // agent: false — a new connection (and so a new SYN the sniffer sees) for every call.
    const request = get(url, { agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => done(String(res.statusCode)));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => done(error.code ?? error.message));
  });
}

// Answered: an HTTP status, or a TCP server that wrote and closed (as flow-counts.ts counts).
const answered = (result) => result === 'closed' || /^\d{3}$/.test(result);

async function callWithRetries(target) {
  for (let attempt = 0; ; attempt++) {
    const result = await call(target);
    if (answered(result) || attempt >= retries) return;
    await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
  }
}

async function round() {
  await Promise.all(targets.map(callWithRetries));
}

if (process.env.ONCE === '1') {
  await round();
  process.exit(0);
}
if (targets.length) {
  await round();
  setInterval(() => void round(), intervalMs);
}
process.on('SIGTERM', () => process.exit(0));
