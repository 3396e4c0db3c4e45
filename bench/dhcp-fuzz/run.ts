/**
 * DHCP codec fuzz run and codec throughput. Runs N seeded mutations (default 1,000,000) through the fuzz
 * property (decode never throws; accessors never throw; encode(decode(x)) decodes to the same packet), then
 * times decode and encode of unmutated packets. Writes bench/results/dhcp-fuzz.md.
 *
 *   node bench/dhcp-fuzz/run.ts [--cases 1000000] [--seed 1] [--out bench/results/dhcp-fuzz.md]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseHexDump } from '../../src/dhcp/codec/hex-dump.ts';
import {
  messageType,
  parameterRequestList,
  vendorClassRaw,
} from '../../src/dhcp/codec/options.ts';
import { MessageType, replyTo } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { encodeOptionValue } from '../../src/dhcp/configured-options.ts';
import { decodeVendorClass } from '../../src/policy/vendor-class.ts';
import { checkCase, mutate } from '../../test/lib/dhcp-fuzz-mutate.ts';
import { polycomDiscover, seedPackets } from '../../test/lib/dhcp-seeds.ts';
import { prng } from '../../test/lib/prng.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results/dhcp-fuzz.md' },
  },
});
const CASES = Number(values.cases);
const SEED = Number(values.seed);
const command =
  `node bench/dhcp-fuzz/run.ts ${process.argv.slice(2).join(' ')}`.trim();

// 1. Fuzz.
// Seeds: the hand-built requests plus every .hex file in src/dhcp/testdata (golden replies, real captures).
const testdata = join(
  import.meta.dirname,
  '..',
  '..',
  'src',
  'dhcp',
  'testdata',
);
const seeds: Uint8Array[] = seedPackets().map(([, b]) => Uint8Array.from(b));
for (const f of readdirSync(testdata)
  .filter((n) => n.endsWith('.hex'))
  .sort()) {
  const r = parseHexDump(readFileSync(join(testdata, f), 'utf8'));
  if (r.ok) seeds.push(r.value);
}
const rnd = prng(SEED);
const tally = new Map<string, number>();
const crashes: string[] = [];
const violations: string[] = [];
let crashCount = 0;
let violationCount = 0;
const t0 = performance.now();
for (let i = 0; i < CASES; i++) {
  const x = mutate(seeds, rnd);
  try {
    const o = checkCase(x);
    if (o.kind === 'violation') {
      violationCount++;
      if (violations.length < 5)
        violations.push(
          `case ${i}: ${o.why}: ${Buffer.from(x).toString('hex')}`,
        );
    }
    const k = o.kind === 'rejected' ? o.code : o.kind;
    tally.set(k, (tally.get(k) ?? 0) + 1);
  } catch (e) {
    crashCount++;
    if (crashes.length < 5)
      crashes.push(
        `case ${i}: ${(e as Error).message}: ${Buffer.from(x).toString('hex')}`,
      );
  }
}
const fuzzMs = performance.now() - t0;

// 2. Throughput of the hot path on unmutated packets (best of 3 rounds each).
function rate(n: number, fn: () => void): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const s = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.max(best, n / ((performance.now() - s) / 1000));
  }
  return best;
}
const discover = encodePacket(polycomDiscover());
let sink = 0;
const decodeRate = rate(300_000, () => {
  const r = decodePacket(discover);
  if (r.ok) sink += r.value.options.size;
});
const classifyRate = rate(300_000, () => {
  const r = decodePacket(discover);
  if (r.ok)
    sink +=
      (messageType(r.value) ?? 0) +
      (parameterRequestList(r.value)?.length ?? 0) +
      decodeVendorClass(vendorClassRaw(r.value)).text.length;
});
const req = polycomDiscover();
const opts = [
  encodeOptionValue({ code: 54, type: 'ip', value: '10.91.1.1' }),
  encodeOptionValue({ code: 51, type: 'u32', value: 3600 }),
  encodeOptionValue({ code: 1, type: 'ip', value: '255.255.255.0' }),
  encodeOptionValue({ code: 3, type: 'ips', value: ['10.91.1.254'] }),
  encodeOptionValue({
    code: 160,
    type: 'string',
    value: 'ftp://PlcmSpIp:PlcmSpIp@10.91.1.1/hq',
  }),
].map(
  (r, i) =>
    [[54, 51, 1, 3, 160][i]!, r.ok ? r.value : new Uint8Array()] as const,
);
const encodeRate = rate(300_000, () => {
  const p = replyTo(req, MessageType.OFFER);
  p.yiaddr = 0x0a5b0139;
  for (const [c, v] of opts) p.options.set(c, v);
  sink += encodePacket(p).length;
});

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const fuzzRate = CASES / (fuzzMs / 1000);
const cpu = cpus();
const report = `# DHCP codec fuzz and throughput

Command (from the repository root, Node ${process.version}): \`${command}\`
Run: ${new Date().toISOString()} on ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} (shared with other work; rates are noisy); load average at the end: ${loadavg()
  .map((x) => x.toFixed(1))
  .join(' ')}.

## Fuzz (test/lib/dhcp-fuzz-mutate.ts, PRNG seed ${SEED})

| cases | crashes (throws) | round-trip violations | wall time | rate |
|---|---|---|---|---|
| ${fmt(CASES)} | ${crashCount} | ${violationCount} | ${(fuzzMs / 1000).toFixed(1)} s | ${fmt(fuzzRate)} cases/s |

Each case: 1-3 mutations of one of ${seeds.length} seeds (hand-built requests, golden replies, dhclient/udhcpc captures), decode, every accessor, formatOption on every option (all value decoders), option 60/43/125/128 decoders, then encode(decode(x)) decoded again and compared (header and options).

Outcomes:

| outcome | cases |
|---|---|
${[...tally]
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `| ${k} | ${fmt(v)} |`)
  .join('\n')}
${crashes.length + violations.length > 0 ? `\nFirst failures:\n\n${[...crashes, ...violations].map((s) => `- ${s}`).join('\n')}\n` : ''}
## Hot-path throughput (one core, best of 3 rounds of 300,000)

| operation | rate |
|---|---|
| decodePacket (Polycom DISCOVER, ${discover.length} bytes) | ${fmt(decodeRate)} /s |
| decodePacket + messageType + parameterRequestList + decodeVendorClass | ${fmt(classifyRate)} /s |
| replyTo + 5 options + encodePacket (OFFER) | ${fmt(encodeRate)} /s |

No peer runs here: the codec is pure code with no socket. The DHCP server benchmark compares whole exchanges with Kea and dnsmasq.
`;
writeFileSync(values.out!, report);
process.stdout.write(report);
if (sink < 0) console.log(sink);
process.exitCode = crashCount + violationCount > 0 ? 1 : 0;
