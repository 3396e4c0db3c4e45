/**
 * The DHCP handler's CPU per DORA exchange without the socket: the real handler (handler.ts), lease store and
 * journal (in a folder on /dev/shm, so fdatasync costs no disk), fed DISCOVER then REQUEST datagrams of
 * perfdhcp's shape (options 53, 55, 61; relayed) or a Polycom phone's (--polycom: option 60 binary), from
 * distinct MACs in batches, every ACK awaited. --log adds the line per DHCP message `appliance run` logs
 * (pino, asynchronous, to /dev/null). Prints CPU µs (user + system, all threads) and wall µs per exchange.
 * Under valgrind --tool=callgrind the instruction count is noise-free: the count of a run with one round more,
 * less that of the run without it, divided by --clients, is one warmed-up round's instructions per exchange.
 *   node bench/dhcp/hot-path.ts [--clients 50000] [--batch 64] [--rounds 3] [--polycom] [--log]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { pino } from 'pino';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';
import { createDhcpHandler } from '../../src/dhcp/handler.ts';
import { openLeaseStore } from '../../src/dhcp/leases/store.ts';
import { createStats } from '../../src/dhcp/stats.ts';
import { createEventBus, dhcpLogLine } from '../../src/runtime/events.ts';
import { silentLogger } from '../../src/shared/log.ts';
import { createBoundedRateLimiter } from '../../src/shared/rate-limit.ts';
import { benchYaml } from '../../test/lib/dhcp-fixture.ts';
import {
  ipn,
  request,
  SPIP601_VENDOR_CLASS,
} from '../../test/lib/dhcp-packets.ts';
import { loadLab } from '../../test/lib/lab-yaml.ts';
import { arg, flag } from '../lib/args.ts';

const CLIENTS = Number(arg('clients', '50000'));
const BATCH = Number(arg('batch', '64'));
const ROUNDS = Number(arg('rounds', '3'));
const NET = '10.91.3';
const model = loadLab(
  benchYaml({
    net: NET,
    dataDir: '/dev/shm',
    subnet: '10.64.0.0/10',
    pool: '10.96.0.0-10.111.255.254',
  }),
);
const GIADDR = `${NET}.2`;
const PRL = [1, 28, 2, 3, 15, 6, 12];
const macHex = (i: number): string =>
  `000c${(i + 0x01020304).toString(16).padStart(8, '0')}`;
const clientId = (mac: string): Uint8Array =>
  Uint8Array.from(Buffer.from(`01${mac}`, 'hex'));
const ipText = (n: number): string =>
  [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** DISCOVER and REQUEST bytes of client i (the address it will be offered is the i-th of the pool). */
function client(i: number): [Uint8Array, Uint8Array] {
  const mac = macHex(i);
  const spec = {
    mac,
    xid: i,
    giaddr: GIADDR,
    prl: PRL,
    ...(flag('polycom') ? { vendorClass: SPIP601_VENDOR_CLASS } : {}),
  };
  const d = request(1, spec);
  d.options.set(61, clientId(mac));
  const r = request(3, {
    ...spec,
    requested: ipText(ipn('10.96.0.0') + i),
    serverId: `${NET}.1`,
  });
  r.options.set(61, clientId(mac));
  return [encodePacket(d), encodePacket(r)];
}

// Made once: every round replays the same datagrams against a fresh store.
const packets = Array.from({ length: CLIENTS }, (_, i) => client(i));

async function round(): Promise<{
  cpuUs: number;
  wallUs: number;
  acks: number;
}> {
  const dir = mkdtempSync('/dev/shm/dhcp-hot-');
  const store = await openLeaseStore(dir, silentLogger());
  const events = createEventBus();
  if (flag('log')) {
    const log = pino(
      {
        level: 'info',
        base: { app: 'appliance' },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      pino.destination({ dest: '/dev/null', sync: false, minLength: 0 }),
    );
    events.subscribe((e) => {
      if (e.type === 'dhcp') log.info(dhcpLogLine(e), 'dhcp');
    });
  }
  let acks = 0;
  let offers = 0;
  let wake: (() => void) | undefined;
  const handler = createDhcpHandler({
    model: { current: () => model },
    iface: 'eth0',
    pinnedInterface: true,
    log: silentLogger(),
    events,
    store,
    limiter: createBoundedRateLimiter({
      maxKeys: 65_536,
      burst: 40,
      perSecond: 10,
    }),
    stats: createStats(),
    now: Date.now,
    // Option 53 is the first option of every reply: its value is byte 242.
    send: (bytes) => {
      if (bytes[242] === 5) {
        acks++;
        wake?.();
      } else offers++;
    },
    closed: () => false,
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 0; b < CLIENTS; b += BATCH) {
    const end = Math.min(CLIENTS, b + BATCH);
    for (let i = b; i < end; i++) handler.onMessage(packets[i]![0]);
    for (let i = b; i < end; i++) handler.onMessage(packets[i]![1]);
    while (acks < end) await new Promise<void>((r) => (wake = r));
  }
  const wallUs = (performance.now() - t0) * 1000;
  const c = process.cpuUsage(c0);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (offers !== CLIENTS) throw new Error(`${offers} offers of ${CLIENTS}`);
  return { cpuUs: c.user + c.system, wallUs, acks };
}

for (let k = 0; k < ROUNDS; k++) {
  const r = await round();
  process.stdout.write(
    `round ${k + 1}: ${CLIENTS} DORA, CPU ${(r.cpuUs / CLIENTS).toFixed(2)} µs per exchange, wall ${(r.wallUs / CLIENTS).toFixed(2)} µs${flag('log') ? ' (with the log line)' : ''}${flag('polycom') ? ' (Polycom option 60)' : ''}\n`,
  );
}
