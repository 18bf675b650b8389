import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

/**
 * Sends generated DNS responses from port 53 to one address of our own namespaces, paced at a
 * rate, for a bounded time and count: `udp-flood <source> <target> <rate/s> <seconds>`.
 * Prints `{"sent": n, "errors": n, "seconds": s}` when done.
 */
const [source = '', target = '', rateText = '50000', secondsText = '5'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Math.min(Number(secondsText), 30);
const maxPackets = Math.min(rate * seconds, 10_000_000);
const responses = Array.from({ length: 512 }, (_, i) =>
  dnsPacket.encode({
    id: i,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: `svc${i}.ns${i % 16}.svc.cluster.local` }],
    answers: [{ type: 'A', name: `svc${i}.ns${i % 16}.svc.cluster.local`, ttl: 30, data: `10.96.${i % 250}.${(i * 7) % 250}` }],
  }));

const socket = createSocket('udp4');
let sent = 0;
let queued = 0;
let errors = 0;
const done = (error: Error | null) => {
  if (error) errors++;
  else sent++;
};
socket.bind(53, source, () => {
  const start = process.hrtime.bigint();
  const tick = () => {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds || queued >= maxPackets) {
      const finish = () => {
        if (sent + errors < queued) return void setTimeout(finish, 10);
        console.log(JSON.stringify({ sent, errors, seconds: elapsed }));
        socket.close();
      };
      return finish();
    }
    const due = Math.min(Math.floor(elapsed * rate), maxPackets);
    for (let burst = 0; queued < due && burst < 512; burst++) {
      socket.send(responses[queued % responses.length] as Buffer, 40000 + (queued % 1000), target, done);
      queued++;
    }
    setImmediate(tick);
  };
  tick();
});
