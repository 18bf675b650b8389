// A broker's authorizer log at an exact rate, for bench/kafka/watcher-stream.bench.ts: runs in a
// pod (the demo image's Node), reads the messages of /load/messages.txt (authorizer lines without
// their date, built by the bench from test/unit/operator/kafka/authorizer-fixtures.ts) and, once
// POST /start arrives, writes TOTAL of them to stdout at RATE lines/s (again on the next POST once
// done), each with the date of its write as log4j's default layout puts it
// (`[2026-12-07 11:00:00,123] DEBUG Principal = ...`).
// Every 10 ms it writes the lines due by then, so the rate holds on average whatever the timer's
// jitter; stdout is the container's pipe (synchronous writes: a slow reader slows the writer,
// which the achieved rate then shows). GET / answers what was written so far.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

const messages = readFileSync(process.env.MESSAGES ?? '/load/messages.txt', 'utf8').split('\n').filter(Boolean);
const rate = Number(process.env.RATE);
const total = Number(process.env.TOTAL);
const state = { written: 0, startedAt: 0, finishedAt: 0, ticks: 0 };

function log4jDate(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

async function run() {
  Object.assign(state, { written: 0, startedAt: Date.now(), finishedAt: 0, ticks: 0 });
  while (state.written < total) {
    const now = Date.now();
    const due = Math.min(total, Math.floor(((now - state.startedAt) * rate) / 1000));
    if (due > state.written) {
      const date = log4jDate(now);
      let chunk = '';
      for (let n = state.written; n < due; n++) chunk += `[${date}] ${messages[n % messages.length]}\n`;
      process.stdout.write(chunk);
      state.written = due;
      state.ticks++;
    }
    await sleep(10);
  }
  state.finishedAt = Date.now();
}

process.stdout.write(`load generator ready: ${messages.length} messages, ${total} lines at ${rate} lines/s on POST /start\n`);
createServer((request, response) => {
  const idle = state.startedAt === 0 || state.finishedAt > 0;
  if (request.method === 'POST' && request.url === '/start' && idle) void run();
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(state));
}).listen(8080, '::');
