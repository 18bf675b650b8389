import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/*
 * The kernel's counters of another process's packet sockets (its libpcap captures), for a
 * sniffer that exposes none. /proc/<pid>/net/packet lists the namespace's packet sockets without
 * drop counts, and PACKET_STATISTICS is a getsockopt, so the socket is duplicated into a helper
 * with pidfd_getfd(2) (Linux 5.6, root) and asked there. Python because Node has neither call.
 * Reading PACKET_STATISTICS resets the kernel's counters: each call returns what was counted
 * since the previous one (so the first read of a phase starts it), and nothing else may read
 * them meanwhile (the reference sniffer never calls pcap_stats()).
 */
const script = `
import ctypes, json, os, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(int(sys.argv[1]))
total = {'packets': 0, 'drops': 0, 'sockets': 0}
for fd in sys.argv[2:]:
    dup = libc.syscall(438, pidfd, int(fd), 0)  # pidfd_getfd
    if dup < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    s = socket.socket(fileno=dup)
    raw = s.getsockopt(263, 6, 12)  # SOL_PACKET, PACKET_STATISTICS: tpacket_stats{,_v3}
    packets, drops = struct.unpack('II', raw[:8])
    total['packets'] += packets  # the kernel's tp_packets includes the dropped ones
    total['drops'] += drops
    total['sockets'] += 1
    s.detach()
    os.close(dup)
print(json.dumps(total))
`;

/** The fds of a process that are packet sockets (their inodes appear in its namespace's /proc/<pid>/net/packet). */
export function packetSocketFds(pid: number): number[] {
  const inodes = new Set(
    readFileSync(`/proc/${pid}/net/packet`, 'utf8').split('\n').slice(1)
      .map((line) => line.trim().split(/\s+/)[8]).filter((inode): inode is string => Boolean(inode)),
  );
  return readdirSync(`/proc/${pid}/fd`).map(Number).filter((fd) => {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? '');
    } catch {
      return false;
    }
  });
}

/** Packets the filters accepted and dropped on every packet socket of `pid` since the last call. */
export async function packetSocketStats(pid: number): Promise<{ packets: number; drops: number; sockets: number }> {
  const fds = packetSocketFds(pid);
  const { stdout } = await run('/usr/bin/python3', ['-c', script, String(pid), ...fds.map(String)]);
  return JSON.parse(stdout) as { packets: number; drops: number; sockets: number };
}
