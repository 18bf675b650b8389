import type { Topology } from '../../../test/support/netns/topology.js';

/*
 * TCP SYNs (IPv4, no options) from one address to one port, from source ports cycling over
 * 10,000, paced at a rate for a bounded time, through a raw socket: a real kernel connect() per
 * SYN would cost the sender a socket each and retransmit. Python because Node has no raw sockets.
 * The node should drop them in INPUT (no RST back). Prints {"sent": n, "seconds": s}.
 */
const script = `
import socket, struct, sys, time, json
src, dst, port, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
def checksum(data):
    if len(data) % 2: data += b'\\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xffff)
    total += total >> 16
    return ~total & 0xffff
s_ip, d_ip = socket.inet_aton(src), socket.inet_aton(dst)
packets = []
for i in range(10000):
    sport = 20000 + i
    tcp = struct.pack('!HHIIBBHHH', sport, port, i * 7919, 0, 5 << 4, 0x02, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack('!H', checksum(s_ip + d_ip + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, i & 0xffff, 0, 64, 6, 0, s_ip, d_ip)
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    packets.append(ip + tcp)
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
target = (dst, 0)
limit = int(rate * seconds)
sent = 0
start = time.monotonic()
while sent < limit:
    elapsed = time.monotonic() - start
    if elapsed >= seconds: break
    due = min(int(elapsed * rate), limit)
    if sent >= due:
        time.sleep(0.0005)
        continue
    while sent < due:
        sock.sendto(packets[sent % 10000], target)
        sent += 1
print(json.dumps({'sent': sent, 'seconds': time.monotonic() - start}))
`;

export async function synFlood(
  topology: Topology,
  namespace: string,
  options: { source: string; target: string; port: number; rate: number; seconds: number; cpu?: number },
): Promise<{ sent: number; seconds: number }> {
  const pin = options.cpu === undefined ? [] : ['taskset', '-c', String(options.cpu)];
  const args = ['/usr/bin/python3', '-c', script, options.source, options.target, String(options.port), String(options.rate), String(options.seconds)];
  const [command, ...rest] = [...pin, ...args] as [string, ...string[]];
  const out = await topology.exec(namespace, command, ...rest);
  return JSON.parse(out.trim()) as { sent: number; seconds: number };
}
