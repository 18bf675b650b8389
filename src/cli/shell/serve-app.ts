import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { maxLiveClients } from '../core/commands/serve.js';
import type { IntentsDiff } from '../core/intents-diff.js';
import type { IntentsObject } from '../core/intents-object.js';
import { mapView, parseMapFilter, type MapView } from '../core/map-view.js';
import type { StatusReport } from '../core/status-report.js';

/** The page: plain HTML, JS and CSS shipped in the package (`page/`), no build step. */
const pageDir = join(import.meta.dirname, '..', '..', '..', '..', 'page');
const pageFiles: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
/** Defence in depth against injected markup: only the page's own script and style run. */
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
const keepAliveMs = 25_000;

export interface ServeSources {
  /** The selected ClientIntents now. */
  selected(): readonly IntentsObject[];
  diff(): IntentsDiff;
  status(): Promise<StatusReport>;
  svg(view: MapView): Promise<string>;
  /** The moment and stable period for the workloads' readiness; absent: no readiness shown. */
  readiness?(): { now: number; stableForMs: number };
}

export interface ServeApp {
  readonly app: Hono;
  /** Tells every open page that the map changed. */
  changed(): void;
  /** Ends every open event stream, so that the server can close. */
  closeStreams(): void;
  liveClients(): number;
}

/** `allowedHosts`: Host headers accepted, undefined for any (DNS rebinding: another site's name pointed at 127.0.0.1). */
export function serveApp(sources: ServeSources, allowedHosts: () => readonly string[] | undefined): ServeApp {
  const app = new Hono();
  const streams = new Set<{ stream: SSEStreamingApi; done: () => void; timer: NodeJS.Timeout }>();
  let version = 0;
  const pages = Object.fromEntries(Object.entries(pageFiles).map(([route, { file, type }]) => [route, { body: readFileSync(join(pageDir, file), 'utf8'), type }]));

  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    const allowed = allowedHosts();
    if (allowed !== undefined && !allowed.includes(host)) return c.text(`host ${host} not allowed\n`, 403);
    await next();
    c.header('Content-Security-Policy', contentSecurityPolicy);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
  });
  for (const [route, page] of Object.entries(pages)) app.get(route, (c) => c.body(page.body, 200, { 'Content-Type': page.type }));
  app.get('/api/map', async (c) => {
    const view = mapView(sources.selected(), parseMapFilter({ hide: c.req.query('hide'), q: c.req.query('q') }), sources.readiness?.());
    return c.json({ version, ...view, svg: await sources.svg(view) });
  });
  app.get('/api/diff', (c) => c.json(sources.diff()));
  app.get('/api/status', async (c) => c.json(await sources.status()));
  app.get('/events', (c) => {
    if (streams.size >= maxLiveClients) return c.text(`too many open pages (at most ${maxLiveClients})\n`, 503);
    return streamSSE(c, async (stream) => {
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => void stream.writeSSE({ event: 'ping', data: '' }).catch(() => undefined), keepAliveMs);
        const entry = { stream, done: resolve, timer };
        streams.add(entry);
        stream.onAbort(() => {
          clearInterval(timer);
          streams.delete(entry);
          resolve();
        });
        void stream.writeSSE({ event: 'map', data: String(version) });
      });
    });
  });
  return {
    app,
    changed: () => {
      version += 1;
      for (const { stream } of streams) void stream.writeSSE({ event: 'map', data: String(version) }).catch(() => undefined);
    },
    closeStreams: () => {
      for (const entry of streams) {
        clearInterval(entry.timer);
        entry.done();
        void entry.stream.close();
      }
      streams.clear();
    },
    liveClients: () => streams.size,
  };
}
