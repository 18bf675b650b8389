import { expect } from 'chai';
import { maxLiveClients } from '../../../src/cli/core/commands/serve.js';
import { renderDot } from '../../../src/cli/core/dot-format.js';
import { clusterDiff } from '../../../src/cli/core/intents-diff.js';
import type { IntentsObject } from '../../../src/cli/core/intents-object.js';
import { dotToSvg } from '../../../src/cli/shell/render-graph.js';
import { serveApp } from '../../../src/cli/shell/serve-app.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';

const web: IntentsObject = {
  name: 'web',
  namespace: 'shop',
  labels: { [managedByLabel]: managedByValue },
  annotations: {},
  workload: { name: 'web', kind: 'Deployment' },
  targets: [{ kubernetes: { name: 'cart', kind: 'Deployment' } }],
};
const host = '127.0.0.1:8477';

function app() {
  return serveApp(
    { selected: () => [web], diff: () => clusterDiff([web]), status: async () => ({ ok: true, text: 'Status: OK\n' }), svg: (view) => dotToSvg(renderDot(view.graph)) },
    () => [host, 'localhost:8477'],
  );
}

describe('serve: the HTTP routes', () => {
  it('serves the page with a Content-Security-Policy, and the map, diff and status as JSON', async () => {
    const { app: hono } = app();
    const page = await hono.request('/', { headers: { host } });
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
    expect(await page.text()).to.include('<script src="/app.js"');
    const map = (await (await hono.request('/api/map?hide=billing', { headers: { host } })).json()) as { namespaces: string[]; svg: string; workloads: Record<string, unknown> };
    expect(map.namespaces).to.deep.equal(['shop']);
    expect(map.svg).to.include('<title>web.shop</title>');
    expect(Object.keys(map.workloads)).to.deep.equal(['web.shop']);
    expect(await (await hono.request('/api/diff', { headers: { host } })).json()).to.have.property('differ', true);
    expect(await (await hono.request('/api/status', { headers: { host } })).json()).to.deep.equal({ ok: true, text: 'Status: OK\n' });
  });

  it('refuses other Host names (DNS rebinding)', async () => {
    const response = await app().app.request('/api/map', { headers: { host: 'attacker.example:8477' } });
    expect(response.status).to.equal(403);
  });

  it(`keeps at most ${maxLiveClients} event streams open and refuses the next`, async () => {
    const served = app();
    const open = await Promise.all(Array.from({ length: maxLiveClients }, () => served.app.request('/events', { headers: { host } })));
    expect(open.map((r) => r.status)).to.deep.equal(open.map(() => 200));
    // The streams register in their (asynchronous) start callbacks: let those run, no time needed.
    for (let i = 0; i < 20 && served.liveClients() < maxLiveClients; i++) await new Promise((r) => setImmediate(r));
    expect(served.liveClients()).to.equal(maxLiveClients);
    expect((await served.app.request('/events', { headers: { host } })).status).to.equal(503);
    served.closeStreams();
    expect(served.liveClients()).to.equal(0);
  });
});
