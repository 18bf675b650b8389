import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { encodeEvidence, evidenceAnnotation } from '../../../src/operator/core/evidence.js';
import { managedByLabel, managedByValue } from '../../../src/shared/ownership.js';
import { installCrds } from '../../support/crds.js';
import { sharedControlPlane } from '../../support/shared-control-plane.js';
import { slotted } from '../../support/test-slot.js';
import { exitCodes } from '../../../src/cli/core/exit-codes.js';
import { cliMain, grantNamespaced, runCliProcess } from './cli-process.js';

const shop = slotted('serve-shop');
const billing = slotted('serve-billing');
const ci = { group: 'k8s.otterize.com', version: 'v2beta1', plural: 'clientintents' };
const seen = Date.parse('2026-11-26T03:00:00Z');
/** A name no real cluster has, but the API server accepts: the page must show it as text. */
const markup = '<img src=x onerror=pwned=1>';

function managed(namespace: string, workload: string, targets: unknown[], annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'k8s.otterize.com/v2beta1',
    kind: 'ClientIntents',
    metadata: { name: workload, namespace, labels: { [managedByLabel]: managedByValue }, annotations },
    spec: { workload: { name: workload, kind: 'Deployment' }, targets },
  };
}

/** The SVG nodes' texts (Graphviz draws each node's label as <text>). */
function nodeTexts(page: Page): Promise<string[]> {
  return page.$$eval('#graph g.node text', (texts) => texts.map((t) => t.textContent ?? ''));
}

/** Page-side: whether a node with this text is drawn (a string: the test is compiled without the DOM's types). */
function drawn(name: string): string {
  return `[...document.querySelectorAll('#graph g.node text')].some((t) => t.textContent === ${JSON.stringify(name)})`;
}

/** The names of nodes drawn (partly) outside the map's box or the window. */
function outsideTheMap(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const g = document.getElementById('graph').getBoundingClientRect();
    return [...document.querySelectorAll('#graph g.node')].filter((n) => {
      const r = n.getBoundingClientRect();
      return r.left < g.left - 0.5 || r.right > g.right + 0.5 || r.top < g.top - 0.5 || r.bottom > g.bottom + 0.5 || r.right > innerWidth || r.bottom > innerHeight;
    }).map((n) => n.querySelector('title').textContent);
  })()`) as Promise<string[]>;
}

/** Screen pixels per unit of the map's drawing. */
function scale(page: Page): Promise<number> {
  return page.evaluate(`document.querySelector('#graph svg').getScreenCTM().a`) as Promise<number>;
}

function nodeLeft(page: Page, title: string): Promise<number> {
  return page.evaluate(`[...document.querySelectorAll('#graph g.node')].find((n) => n.querySelector('title').textContent === ${JSON.stringify(title)}).getBoundingClientRect().left`) as Promise<number>;
}

/** A mouse click on the middle of an edge's line. */
async function clickEdge(page: Page, title: string): Promise<void> {
  const point = (await page.evaluate(`(() => {
    const edge = [...document.querySelectorAll('#graph g.edge')].find((e) => e.querySelector('title').textContent === ${JSON.stringify(title)});
    if (!edge) return undefined;
    const path = edge.querySelector('path');
    const p = path.getPointAtLength(path.getTotalLength() / 2);
    const m = path.getScreenCTM();
    return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
  })()`)) as { x: number; y: number } | undefined;
  expect(point, `edge ${title}`).to.not.equal(undefined);
  await page.mouse.click(point!.x, point!.y);
}

describe('kubectl netmap serve in a real headless Chromium', function () {
  this.timeout(60_000);
  let admin: KubeConfig;
  let serve: ChildProcess;
  let browser: Browser;
  let page: Page;
  let url: string;
  let stderr = '';

  before(async () => {
    const controlPlane = await sharedControlPlane();
    admin = controlPlane.admin();
    await installCrds(admin);
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of [shop, billing]) await core.createNamespace({ body: { metadata: { name } } });
    const custom = admin.makeApiClient(CustomObjectsApi);
    const evidence = encodeEvidence(new Map([['kubernetes:cart#Deployment', { firstSeen: seen, lastSeen: seen + 60_000, captures: new Set(['DNS', 'SYN'] as const), ports: new Map([[8080, { firstSeen: seen, lastSeen: seen + 60_000 }]]) }]]));
    await custom.createNamespacedCustomObject({ ...ci, namespace: shop, body: managed(shop, 'web', [{ kubernetes: { name: 'cart', kind: 'Deployment' } }], { [evidenceAnnotation]: evidence }) });
    await custom.createNamespacedCustomObject({ ...ci, namespace: billing, body: managed(billing, 'ledger', [{ kubernetes: { name: 'postgres', kind: 'StatefulSet' } }, { kubernetes: { name: markup, kind: 'Deployment' } }]) });

    serve = spawn(process.execPath, [cliMain, 'serve', '--port', '0', '-n', `${shop},${billing}`], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', KUBECONFIG: controlPlane.kubeconfigPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [first] = (await once(serve.stdout!, 'data')) as [Buffer];
    url = first.toString().trim();
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    const custom = admin.makeApiClient(CustomObjectsApi);
    for (const namespace of [shop, billing]) await custom.deleteCollectionNamespacedCustomObject({ ...ci, namespace });
    for (const name of [shop, billing]) await admin.makeApiClient(CoreV1Api).deleteNamespace({ name });
  });

  it('draws the map, filters a namespace, shows a new ClientIntents without reload, and a workload\'s targets', async () => {
    await page.goto(url);
    await page.waitForSelector('#graph g.node');
    expect(await nodeTexts(page)).to.include.members([`web.${shop}`, `cart.${shop}`, `ledger.${billing}`, `postgres.${billing}`, `${markup}.${billing}`]);
    expect(await page.evaluate('window.pwned')).to.equal(undefined);
    expect(await page.$$('#graph img')).to.have.length(0);

    await page.click(`#namespaces input[value="${billing}"]`);
    await page.waitForFunction(`!${drawn(`ledger.${billing}`)}`);
    expect(await nodeTexts(page)).to.have.members([`web.${shop}`, `cart.${shop}`]);

    // Created through the API server: the watch sees it, the event stream tells the page.
    await admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ ...ci, namespace: shop, body: managed(shop, 'checkout', [{ kubernetes: { name: 'payments', kind: 'Deployment' } }]) });
    await page.waitForFunction(drawn(`checkout.${shop}`), { timeout: 15_000 });
    expect(await nodeTexts(page)).to.include(`payments.${shop}`);

    const nodes = await page.$$('#graph g.node');
    for (const node of nodes) {
      if ((await node.$eval('title', (t) => t.textContent)) === `web.${shop}`) await node.click();
    }
    await page.waitForSelector('#details table');
    const rows = await page.$$eval('#details tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(rows).to.deep.equal([
      ['target', 'ports', 'first seen', 'last seen', 'captured by'],
      [`cart in namespace ${shop}`, '8080', '2026-11-26T03:00:00Z', '2026-11-26T03:01:00Z', 'DNS, SYN'],
    ]);
    // no operator Deployment here: judged against the default 7 days, from evidence of 2026-11-26
    expect(await page.$eval('#details p.ready', (p) => p.textContent)).to.match(/^ready: nothing new for \d+d\d+h \(last new: target cart in namespace /);
    expect(await page.$$eval('#graph g.edge text', (ts) => ts.map((t) => t.textContent))).to.include('8080');

    // The diff view: nothing is declared here, so every observed target is "+", with its evidence.
    await page.click('nav button[data-view="diff"]');
    await page.waitForSelector('#diff p.missing');
    expect(await page.$$eval('#diff p.missing', (ps) => ps.map((p) => p.textContent))).to.include(
      `+ cart in namespace ${shop} (seen 2026-11-26T03:00:00Z .. 2026-11-26T03:01:00Z by DNS, SYN; ports 8080): observed, not declared`,
    );
    // The status view: this control plane runs no sniffer and no operator, so status says so.
    await page.click('nav button[data-view="status"]');
    await page.waitForFunction(`document.getElementById('status').textContent.includes('Status:')`);
    expect(await page.$eval('#status', (pre) => pre.textContent)).to.match(/Operator:[\s\S]*Status: \d+ problems?/);
  });

  it('fits the whole map in the window on load; zooms, pans and fits again by buttons, wheel, keys, mouse and touch; an edge shows its evidence', async () => {
    // Wider, as the demo's map is: more clients, the API server and internet names on the right.
    const custom = admin.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...ci, namespace: shop,
      body: managed(shop, 'frontend', [
        { kubernetes: { name: 'web', kind: 'Deployment' } },
        { kubernetes: { name: 'checkout', kind: 'Deployment' } },
        { service: { name: 'kubernetes.default' } },
        { internet: { domains: ['api.stripe.com', 'cdn.example.com'], ports: [443] } },
        { internet: { ips: ['203.0.113.9'], ports: [8443] } },
      ]),
    });
    await custom.createNamespacedCustomObject({ ...ci, namespace: billing, body: managed(billing, 'orders', [{ kubernetes: { name: 'ledger', kind: 'Deployment' } }, { service: { name: 'kubernetes.default' } }]) });
    await page.setViewport({ width: 1000, height: 600 });
    await page.goto(url);
    await page.waitForFunction(drawn('Kubernetes API server'));
    await page.waitForFunction(drawn(`orders.${billing}`));
    expect(await nodeTexts(page)).to.include.members(['api.stripe.com', '203.0.113.9', `frontend.${shop}`]);
    expect(await outsideTheMap(page)).to.deep.equal([]);
    expect(Number(await page.evaluate('document.body.dataset.firstRenderMs'))).to.be.greaterThan(0);

    const fitted = await scale(page);
    await page.click('#zoom-in');
    expect(await scale(page)).to.be.closeTo(fitted * 1.25, fitted * 0.01);
    const box = (await (await page.$('#graph'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel({ deltaY: -300 });
    await page.waitForFunction(`document.querySelector('#graph svg').getScreenCTM().a > ${fitted * 1.3}`);
    const zoomed = await scale(page);
    await page.focus('#graph');
    await page.keyboard.press('-');
    expect(await scale(page)).to.be.closeTo(zoomed * 0.8, zoomed * 0.01);

    const before = await nodeLeft(page, `web.${shop}`);
    await page.keyboard.press('ArrowLeft');
    expect((await nodeLeft(page, `web.${shop}`)) - before).to.be.closeTo(40, 1);
    await page.mouse.move(box.x + 100, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(box.x + 160, box.y + 130, { steps: 5 });
    await page.mouse.up();
    expect((await nodeLeft(page, `web.${shop}`)) - before).to.be.closeTo(100, 2);
    await page.touchscreen.touchStart(box.x + 200, box.y + 200);
    await page.touchscreen.touchMove(box.x + 150, box.y + 200);
    await page.touchscreen.touchEnd();
    expect((await nodeLeft(page, `web.${shop}`)) - before).to.be.closeTo(50, 2);

    await page.click('#fit');
    expect(await scale(page)).to.be.closeTo(fitted, fitted * 0.01);
    expect(await outsideTheMap(page)).to.deep.equal([]);
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    expect(await scale(page)).to.be.closeTo(fitted, fitted * 0.01);

    // An edge: its targets with first and last seen, and its ports where known.
    await clickEdge(page, `web.${shop}->cart.${shop}`);
    await page.waitForFunction(`document.querySelector('#details h2')?.textContent === 'web.${shop} → cart.${shop}'`);
    expect(await page.$$eval('#details tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)))).to.deep.equal([
      ['target', 'first seen', 'last seen', 'captured by'],
      [`cart in namespace ${shop}`, '2026-11-26T03:00:00Z', '2026-11-26T03:01:00Z', 'DNS, SYN'],
    ]);
    await clickEdge(page, `frontend.${shop}->internet:203.0.113.9`);
    await page.waitForFunction(`document.querySelector('#details p')?.textContent === 'ports and paths: 8443'`);
  });

  it('exits 5 when RBAC allows listing ClientIntents but not watching them, naming the verb', async () => {
    const lister = await (await sharedControlPlane()).serviceAccount(shop, 'serve-lister');
    await grantNamespaced(admin, shop, 'serve-lister', 'intents-lister', [{ apiGroups: ['k8s.otterize.com'], resources: ['clientintents'], verbs: ['list'] }]);
    const dir = mkdtempSync(join(tmpdir(), 'netmap-serve-'));
    try {
      writeFileSync(join(dir, 'kubeconfig'), lister.exportConfig());
      const run = await runCliProcess(['serve', '--port', '0', '-n', shop], { KUBECONFIG: join(dir, 'kubeconfig') });
      expect(run.code, run.stderr).to.equal(exitCodes.forbidden);
      expect(run.stderr).to.include(`cannot watch clientintents.k8s.otterize.com in namespace ${shop}`);
      expect(run.stdout).to.equal('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when the port is taken, naming it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const run = await runCliProcess(['serve', '--port', String(port), '-n', shop], { KUBECONFIG: (await sharedControlPlane()).kubeconfigPath });
      expect(run).to.deep.equal({ code: exitCodes.usage, stdout: '', stderr: `error: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n` });
    } finally {
      taken.close();
    }
  });

  it('stops cleanly on SIGINT', async () => {
    serve.kill('SIGINT');
    const [code] = (await once(serve, 'exit')) as [number | null];
    expect({ code, stderr }).to.deep.include({ code: 0 });
    expect(stderr).to.match(/stopped\n$/);
  });
});
