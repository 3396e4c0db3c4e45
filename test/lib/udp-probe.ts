/**
 * Sends datagrams and prints what comes back, for tests that must speak a protocol byte by byte from a lab
 * namespace (run with lab.exec):
 *
 *   node test/lib/udp-probe.ts HOST PORT [--expect N] [--timeout MS] [--repeat K] [--rate PER_S] HEX...
 *
 * Each HEX datagram is sent (K times with --repeat; at most PER_S a second with --rate, in 10 ms slices), then replies are collected until N have arrived or
 * the timeout passes (default: N = 0, so it exits once sent). stdout: one JSON line
 * {"sentAtMs":[…],"replies":[{"hex":…,"atMs":…}]} with wall-clock times in fractional milliseconds.
 */
import { createSocket } from 'node:dgram';

const [host, portArg, ...rest] = process.argv.slice(2);
let expect = 0;
let timeoutMs = 2000;
let repeat = 1;
let rate = 0;
const payloads: Buffer[] = [];
for (let i = 0; i < rest.length; i++) {
  const a = rest[i]!;
  if (a === '--expect') expect = Number(rest[++i]);
  else if (a === '--timeout') timeoutMs = Number(rest[++i]);
  else if (a === '--repeat') repeat = Number(rest[++i]);
  else if (a === '--rate') rate = Number(rest[++i]);
  else payloads.push(Buffer.from(a, 'hex'));
}
// Wall clock in fractional ms: anchored at the instant Date.now() ticks over, so the anchor is within
// microseconds of the real clock (Date.now() alone truncates to the millisecond).
const first = Date.now();
let anchorMs = first;
while ((anchorMs = Date.now()) === first) {
  /* spin to the next millisecond edge */
}
const anchorHr = process.hrtime.bigint();
const nowMs = (): number =>
  anchorMs + Number(process.hrtime.bigint() - anchorHr) / 1e6;
const sock = createSocket('udp4');
const replies: { hex: string; atMs: number }[] = [];
const sentAtMs: number[] = [];
let done = false;
const finish = (): void => {
  if (done) return;
  done = true;
  process.stdout.write(`${JSON.stringify({ sentAtMs, replies })}\n`);
  sock.close();
};
sock.on('message', (m) => {
  replies.push({ hex: m.toString('hex'), atMs: nowMs() });
  if (expect > 0 && replies.length >= expect) finish();
});
const started = performance.now();
let sent = 0;
sock.bind(0, async () => {
  for (let r = 0; r < repeat; r++) {
    for (const p of payloads) {
      if (
        rate > 0 &&
        sent++ >= ((performance.now() - started) / 1000) * rate + rate / 100
      ) {
        const due = started + (sent / rate) * 1000;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(1, due - performance.now())),
        );
      }
      await new Promise<void>((resolve) => {
        sentAtMs.push(nowMs());
        sock.send(p, Number(portArg), host, () => resolve());
      });
    }
  }
  if (expect === 0) finish();
  else setTimeout(finish, timeoutMs).unref();
});
