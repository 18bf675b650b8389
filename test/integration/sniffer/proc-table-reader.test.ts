import { expect } from 'chai';
import { slotted } from '../../support/test-slot.js';
import { readFileSync } from 'node:fs';
import { readProcTable } from '../../../src/sniffer/shell/socket-scan/proc-table-reader.js';
import { deleteNamespaces, Topology } from '../../support/netns/topology.js';
import type { NetnsProcess } from '../../support/netns/topology.js';

const prefix = slotted('nmpt');

/** Holds `count` connections to its own listener on `host`, in whatever namespace it runs in. */
const holder = `
const net = require('node:net');
const [count, host] = [Number(process.argv[1]), process.argv[2]];
const held = [];
const server = net.createServer((socket) => held.push(socket));
server.listen(9100, host, async () => {
  for (let i = 0; i < count; i++) held.push(await new Promise((resolve) => { const c = net.connect(9100, host, () => resolve(c)); }));
  setTimeout(() => console.log('ready'), 200);
});
setInterval(() => {}, 60000);
`;

/** Slot, addresses, state and inode: what stays put while nothing happens on the sockets. */
const stableColumns = (table: string): string[] =>
  table.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const fields = line.trim().split(/\s+/);
    return [fields[0], fields[1], fields[2], fields[3], fields[9]].join(' ');
  });

/*
 * readProcTable stops reading when the kernel hands over less than a page minus the longest line
 * (the table's end), to spare the kernel a walk of the TCP hash per table. These tables end at
 * every kind of point within a page; a read stopped too early would lose their last rows.
 */
describe('reading /proc/<pid>/net/tcp{,6} without the last empty read (integration)', function () {
  this.timeout(60_000);
  const topology = new Topology(prefix);
  const holders: { count: number; family: 'tcp' | 'tcp6'; process: NetnsProcess }[] = [];

  before(async function () {
    this.timeout(30_000);
    await deleteNamespaces(prefix);
    for (const count of [0, 12, 13, 14, 40, 150]) {
      for (const [family, host] of [['tcp', '127.0.0.1'], ['tcp6', '::1']] as const) {
        const ns = `${family}-${count}`;
        await topology.addNamespace(ns);
        holders.push({ count, family, process: topology.spawnNode(ns, '-e', holder, String(count), host) });
      }
    }
    await Promise.all(holders.map((h) => h.process.waitForLine((line) => line === 'ready', 20_000)));
  });

  after(async () => {
    await Promise.all(holders.map((h) => h.process.stop()));
    await topology.destroy();
  });

  it('returns every row of tables from a header alone to several pages', () => {
    for (const { count, family, process } of holders) {
      const other = family === 'tcp' ? 'tcp6' : 'tcp';
      const path = `/proc/${process.child.pid}/net/${family}`;
      const table = readProcTable(path);
      const rows = stableColumns(table).slice(1);
      expect(rows, `${path}: listener + both ends of ${count} connections`).to.have.length(1 + 2 * count);
      expect(stableColumns(table), path).to.deep.equal(stableColumns(readFileSync(path, 'latin1')));
      const empty = readProcTable(`/proc/${process.child.pid}/net/${other}`);
      expect(stableColumns(empty), `${other} of the ${family} holder: the header only`).to.have.length(1);
    }
  });

  it('throws as fs does when the process is gone', () => {
    expect(() => readProcTable('/proc/999999999/net/tcp')).to.throw(/ENOENT/);
  });
});
