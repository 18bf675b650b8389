import { startLocalCluster } from './local-cluster.js';

await startLocalCluster();
