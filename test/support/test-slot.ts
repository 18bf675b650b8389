/**
 * Several checkouts on one machine (worktrees, a CI run beside a developer's) may run the suite
 * at once. NETMAP_TEST_SLOT (0-9, default 0) keeps their network namespaces, links, address
 * ranges and ports apart; slot 0 leaves every name and number as it is.
 */
function parseSlot(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const slot = Number(raw);
  if (!Number.isInteger(slot) || slot < 0 || slot > 9) throw new Error(`NETMAP_TEST_SLOT must be an integer from 0 to 9, not ${JSON.stringify(raw)}`);
  return slot;
}

export const testSlot = parseSlot(process.env.NETMAP_TEST_SLOT);

/**
 * A name prefix with the slot after its first two letters (unchanged in slot 0): `nmlt` becomes
 * `nm3lt`, which no clean-up of another slot's names (by prefix) matches.
 */
export function slotted(prefix: string): string {
  return testSlot === 0 ? prefix : `${prefix.slice(0, 2)}${testSlot}${prefix.slice(2)}`;
}

/** A port moved by 100 per slot. */
export function slottedPort(port: number): number {
  return port + 100 * testSlot;
}

/** An address octet moved by 2 per slot (clusters use two neighbouring octets). */
export function slottedOctet(octet: number): number {
  return octet + 2 * testSlot;
}
