import { expect } from 'chai';
import { parseCommand, type Command } from '../../../src/cli/core/command.js';
import { readIntentsObject, type IntentsObject } from '../../../src/cli/core/intents-object.js';
import { cronJobsNotRun, formatAge, parseDuration, readinessOf, renderReadiness, withCronJobs } from '../../../src/cli/core/readiness.js';
import { learningShown, statusReport } from '../../../src/cli/core/status-report.js';
import { encodeEvidence, type Evidence } from '../../../src/operator/core/evidence.js';

const t0 = Date.parse('2026-11-20T08:00:00Z');
const hour = 3_600_000;
const day = 24 * hour;

function object(name: string, targets: [Record<string, unknown>, string, Evidence][], managed = true): IntentsObject {
  const read = readIntentsObject({
    metadata: { name, namespace: 'shop', labels: managed ? { 'app.kubernetes.io/managed-by': 'network-mapper' } : {}, annotations: { 'netmap.dev/evidence': encodeEvidence(new Map(targets.map(([, k, e]) => [k, e]))) } },
    spec: { workload: { name, kind: 'Deployment' }, targets: targets.map(([t]) => t) },
  });
  if (!read.ok) throw new Error(read.reason);
  return read.object;
}

const cart = { kubernetes: { name: 'cart', kind: 'Deployment' } };

function command(...argv: string[]): Command {
  const result = parseCommand(argv);
  if (!result.ok) throw new Error(`usage error: ${result.error}`);
  return result.command;
}

describe('readiness to enforce', () => {
  const now = t0 + 10 * day;
  const objects = [
    // stable: cart first seen 10 days ago, its ports too
    object('frontend', [[cart, 'kubernetes:cart#Deployment', { firstSeen: t0, lastSeen: now, captures: new Set(['SYN']), ports: new Map([[8080, { firstSeen: t0, lastSeen: now }]]) }]]),
    // an old target, but a new port on it 2 hours ago
    object('checkout', [[cart, 'kubernetes:cart#Deployment', { firstSeen: t0, lastSeen: now, captures: new Set(['SYN']), ports: new Map([[8080, { firstSeen: t0, lastSeen: now }], [9090, { firstSeen: now - 2 * hour, lastSeen: now }]]) }]]),
    // a new internet target
    object('mailer', [
      [cart, 'kubernetes:cart#Deployment', { firstSeen: t0, lastSeen: now, captures: new Set(['SYN']) }],
      [{ internet: { domains: ['smtp.example.com'], ports: [587] } }, 'internet:smtp.example.com', { firstSeen: now - 3 * day, lastSeen: now, captures: new Set(['DNS']) }],
    ]),
    object('bare', []),
    object('users', [[cart, 'kubernetes:cart#Deployment', { firstSeen: now, lastSeen: now, captures: new Set(['SYN']) }]], false),
  ];

  it('is the time since the last new target or port, against the stable period', () => {
    const readiness = readinessOf(objects, now, 7 * day);
    expect(readiness.map((r) => [r.workload.name, r.ready, r.lastNew])).to.deep.equal([
      ['bare', false, undefined],
      ['checkout', false, 'port 9090 of cart in namespace shop'],
      ['frontend', true, 'target cart in namespace shop'],
      ['mailer', false, 'target internet: smtp.example.com'],
    ]);
    expect(renderReadiness(readiness)).to.equal(
      'bare in namespace shop (Deployment): still learning: no evidence recorded yet\n' +
        'checkout in namespace shop (Deployment): still learning: new port 9090 of cart in namespace shop 2h0m ago (stable after 7d0h)\n' +
        'frontend in namespace shop (Deployment): ready: nothing new for 10d0h (last new: target cart in namespace shop at 2026-11-20T08:00:00Z)\n' +
        'mailer in namespace shop (Deployment): still learning: new target internet: smtp.example.com 3d0h ago (stable after 7d0h)\n',
    );
    expect(readinessOf(objects, now, 2 * day).filter((r) => r.ready).map((r) => r.workload.name)).to.deep.equal(['frontend', 'mailer']);
  });

  it('status says how many clients are ready and names those still learning (at most learningShown), never as a problem', () => {
    const clients = readinessOf(objects, now, 7 * day);
    const input = { now, namespace: 'network-mapper', nodes: [], snifferPods: [], observations: [], readiness: { stableForMs: 7 * day, clients } };
    const text = statusReport(input).text;
    expect(text).to.include(
      'Ready to enforce (nothing new for 7d0h): 1 of 4 client workloads\n' +
        '  bare in namespace shop (Deployment): still learning: no evidence recorded yet\n' +
        '  checkout in namespace shop (Deployment): still learning: new port 9090 of cart in namespace shop 2h0m ago (stable after 7d0h)\n' +
        '  mailer in namespace shop (Deployment): still learning: new target internet: smtp.example.com 3d0h ago (stable after 7d0h)\n' +
        'Status: 3 problems\n',
    );
    expect(text).to.not.match(/ {2}- .*learning/);
    const many = Array.from({ length: learningShown + 3 }, (_, i) => ({ ...clients[0]!, workload: { namespace: 'shop', name: `job-${String(i).padStart(2, '0')}` } }));
    expect(statusReport({ ...input, readiness: { stableForMs: 7 * day, clients: many } }).text).to.include(`  ... and 3 more (kubectl netmap list --readiness)\n`);
  });

  it('status shows a readiness it could not read as one line, not as a failure of the screen', () => {
    const input = { now, namespace: 'network-mapper', nodes: [], snifferPods: [], observations: [], readiness: { stableForMs: 7 * day, unreadable: 'HTTP 429 TooManyRequests: storage is (re)initializing' } };
    const text = statusReport(input).text;
    expect(text).to.include("Ready to enforce: not known, network-mapper's ClientIntents could not be read (HTTP 429 TooManyRequests: storage is (re)initializing)\n");
    expect(text).to.not.include('client workloads');
  });

  it('a CronJob that has not run since the mapper started is still learning; one that ran, or has a ClientIntents, is not listed again', () => {
    const clients = readinessOf(objects, now, 7 * day);
    const since = now - day;
    const cronJobs = [
      { namespace: 'shop', name: 'nightly', suspended: false },
      { namespace: 'shop', name: 'weekly', suspended: true, lastScheduleTime: since - 3 * day },
      { namespace: 'shop', name: 'hourly', suspended: false, lastScheduleTime: now - hour },
    ];
    const notRun = cronJobsNotRun(cronJobs, clients, since);
    expect(renderReadiness(notRun)).to.equal(
      'nightly in namespace shop (CronJob): still learning: a CronJob that has not run since the mapper started at 2026-11-29T08:00:00Z (never run)\n' +
        'weekly in namespace shop (CronJob): still learning: a CronJob that has not run since the mapper started at 2026-11-29T08:00:00Z (last run 2026-11-26T08:00:00Z, suspended)\n',
    );
    const known = readinessOf([object('nightly', [])].map((o) => ({ ...o, workload: { name: 'nightly', kind: 'CronJob' } })), now, 7 * day);
    expect(cronJobsNotRun(cronJobs, known, since).map((r) => r.workload.name)).to.deep.equal(['weekly']);
    expect(withCronJobs(clients, notRun).map((r) => r.workload.name)).to.deep.equal(['bare', 'checkout', 'frontend', 'mailer', 'nightly', 'weekly']);
  });

  it('durations: 7d, 36h, 90m, 600s, bare seconds; nothing else', () => {
    expect([parseDuration('7d'), parseDuration('36h'), parseDuration('90m'), parseDuration('600s'), parseDuration('600')]).to.deep.equal([7 * day, 36 * hour, 90 * 60_000, 600_000, 600_000]);
    for (const bad of ['', '0', '7w', '-1d', '1.5d']) expect(parseDuration(bad), bad).to.equal(undefined);
    expect([formatAge(45_000), formatAge(2 * hour + 5 * 60_000), formatAge(3 * day)]).to.deep.equal(['45s', '2h5m', '3d0h']);
  });

  it('flags: list --readiness [--stable-for], export --format networkpolicy [--egress] [--ready-only [--stable-for]]', () => {
    expect(command('list', '--readiness')).to.deep.include({ readiness: { installNamespace: 'network-mapper' } });
    expect(command('list', '--readiness', '--stable-for', '3d', '--install-namespace', 'netmap')).to.deep.include({ readiness: { stableForMs: 3 * day, installNamespace: 'netmap' } });
    expect(command('export', '--format', 'networkpolicy')).to.deep.include({ format: 'networkpolicy', policy: { egress: false } });
    expect(command('export', '--format', 'networkpolicy', '--egress', '--ready-only', '--stable-for', '1d', '-o', 'p', '--output-type', 'dir')).to.deep.include({
      policy: { egress: true, readyOnly: { stableForMs: day, installNamespace: 'network-mapper' } },
      output: { type: 'dir', path: 'p' },
    });
    const usage = (...argv: string[]): string => {
      const result = parseCommand(argv);
      return result.ok ? '' : result.error;
    };
    expect(usage('export', '--egress')).to.equal('--egress needs --format networkpolicy');
    expect(usage('export', '--format', 'networkpolicy', '--stable-for', '1d')).to.equal('--stable-for needs --ready-only');
    expect(usage('export', '--format', 'networkpolicy', '--all')).to.match(/--all does not apply/);
    expect(usage('list', '--readiness', '--stable-for', 'soon')).to.equal('--stable-for: "soon" is not a duration (e.g. 7d, 36h, 90m)');
    expect(usage('list', '--stable-for', '1d')).to.equal('--stable-for needs --readiness');
  });
});
