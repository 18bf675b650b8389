#!/usr/bin/env node
import { refuseOldNode } from '../shared/node-version-guard.js';

// Before anything else is loaded: on an old Node.js a dependency would fail with a stack trace.
refuseOldNode('kubectl-netmap', 'run it through bin/kubectl-netmap in the repository, or put Node.js 24 on PATH');
await import('./shell/cli-process.js');
