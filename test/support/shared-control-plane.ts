import { startControlPlane, type ControlPlane } from './control-plane.js';

let shared: Promise<ControlPlane> | undefined;

/** One control plane for the whole test run, started by the first test that asks for it. */
export function sharedControlPlane(): Promise<ControlPlane> {
  shared ??= startControlPlane();
  return shared;
}

export async function stopSharedControlPlane(): Promise<void> {
  if (!shared) return;
  const started = shared;
  shared = undefined;
  await (await started.catch(() => undefined))?.stop();
}
