#!/usr/bin/env node
import module from 'node:module';
import { refuseOldNode } from '../shared/node-version-guard.js';

// Before anything else is loaded: on an old Node.js a dependency would fail with a stack trace.
refuseOldNode('kubectl-netmap', 'run it through bin/kubectl-netmap in the repository, or put Node.js 24 on PATH');
// Node keeps the compiled code of the modules below in its cache directory (in the system's
// temporary directory, or $NODE_COMPILE_CACHE): later runs skip compiling them (BENCHMARKS.md,
// "CLI start-up"). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache();
await import('./shell/cli-process.js');
