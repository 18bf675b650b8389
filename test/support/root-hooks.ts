import { stopSharedControlPlane } from './shared-control-plane.js';

/** Mocha root hooks: whatever the tests did, the shared control plane is stopped at the end. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedControlPlane();
  },
};
