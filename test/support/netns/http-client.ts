import { Agent, request } from 'node:http';

/**
 * `http-client <origin> <METHOD path>...`: real Node HTTP/1.1 requests, one after another over one
 * keep-alive connection (an Agent with keepAlive and one socket). Prints one JSON line with the
 * statuses and how many requests went over a reused socket.
 */
const [origin, ...calls] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const statuses: number[] = [];
let reused = 0;
for (const call of calls) {
  const [method, path] = call.split(' ');
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{"x":1}' : undefined;
  await new Promise<void>((resolve, reject) => {
    const req = request(new URL(path ?? '/', origin), { method, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (response) => {
      statuses.push(response.statusCode ?? 0);
      if (req.reusedSocket) reused++;
      response.resume();
      response.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}
agent.destroy();
console.log(JSON.stringify({ statuses, reused }));
