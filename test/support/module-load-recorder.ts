import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * Preload (`node --import .../module-load-recorder.js`) that records the URL of every module the
 * process loads, ESM and CommonJS alike (module.registerHooks sees both), and writes them, one
 * per line, to $NETMAP_MODULE_LOG when the process exits, however it exits.
 */
const logPath = process.env.NETMAP_MODULE_LOG;
const loaded = new Set<string>();

registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

process.on('exit', () => {
  if (logPath) writeFileSync(logPath, [...loaded].join('\n'));
});
