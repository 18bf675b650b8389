import { refuseOldNode } from '../shared/node-version-guard.js';

// Before anything else is loaded: on an old Node.js a dependency would fail with a stack trace.
refuseOldNode('netmap-sniffer');
await import('./shell/sniffer-process.js');
