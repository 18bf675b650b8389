/**
 * The oldest Node.js major version the programs run on (package.json `engines`, checked by
 * test/unit/shared/node-version-guard.test.ts). Older ones fail deep inside a dependency (undici
 * on Node 20: "Cannot read properties of undefined (reading 'bind')"), so each main.ts calls
 * refuseOldNode before it loads anything else.
 */
export const minimumNodeMajor = 24;

/** The one line to print on a Node.js that is too old, or undefined when it is new enough. */
export function oldNodeMessage(program: string, version: string, execPath: string, minimum = minimumNodeMajor): string | undefined {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  if (major >= minimum) return undefined;
  return `${program}: needs Node.js ${minimum} or newer, but this is Node.js ${version} (${execPath})`;
}

/**
 * Exits 2 (a configuration error) with that one line. Written for any Node.js since 12 (ES2019,
 * no newer API), since it has to run on the versions it refuses.
 */
export function refuseOldNode(program: string, hint?: string): void {
  const message = oldNodeMessage(program, process.versions.node, process.execPath);
  if (message === undefined) return;
  process.stderr.write(`${message}${hint ? `; ${hint}` : ''}\n`);
  process.exit(2);
}
