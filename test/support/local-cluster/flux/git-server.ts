import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/** git's own smart-HTTP server program (CGI), shipped with git. */
const httpBackend = '/usr/lib/git-core/git-http-backend';

export interface GitServer {
  /** The repository's URL as the cluster's pods reach it. */
  readonly url: string;
  /** Writes the files (relative path -> content; undefined deletes), commits and pushes; the new commit's id. */
  commit(message: string, files: ReadonlyMap<string, string | undefined>): string;
  /** The checkout the test writes to (what a user's clone of the repository is). */
  readonly checkout: string;
  stop(): Promise<void>;
}

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'netmap-test', GIT_AUTHOR_EMAIL: 'test@netmap.invalid', GIT_COMMITTER_NAME: 'netmap-test', GIT_COMMITTER_EMAIL: 'test@netmap.invalid' } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * One bare repository served read-only over HTTP by git-http-backend (Flux's source-controller
 * refuses file:// URLs), on `address:port` of the host, which the node's pods reach through the
 * node's link. The test commits into a checkout and pushes to the bare repository on disk.
 * Written here because git ships only the CGI program: this is its web server, a request per run.
 */
export async function startGitServer(dir: string, address: string, port: number, name = 'intents.git'): Promise<GitServer> {
  rmSync(dir, { recursive: true, force: true });
  const root = join(dir, 'repos');
  const bare = join(root, name);
  const checkout = join(dir, 'checkout');
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--bare', '--initial-branch=main', '-q');
  git(dir, 'clone', '-q', bare, checkout);
  git(checkout, 'checkout', '-q', '-b', 'main');

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git');
    const cgi = spawn(httpBackend, [], {
      env: {
        PATH: process.env.PATH ?? '',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_ADDR: req.socket.remoteAddress ?? '',
        SERVER_PROTOCOL: 'HTTP/1.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(key, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => {
      if (!headerDone) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const commit = (message: string, files: ReadonlyMap<string, string | undefined>): string => {
    for (const [path, content] of files) {
      if (content === undefined) rmSync(join(checkout, path), { force: true });
      else {
        mkdirSync(join(checkout, path, '..'), { recursive: true });
        writeFileSync(join(checkout, path), content);
      }
    }
    git(checkout, 'add', '-A');
    git(checkout, 'commit', '-q', '--allow-empty', '-m', message);
    git(checkout, 'push', '-q', 'origin', 'main');
    return git(checkout, 'rev-parse', 'HEAD');
  };
  return {
    url: `http://${address}:${port}/${name}`,
    checkout,
    commit,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
