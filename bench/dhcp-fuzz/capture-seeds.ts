/**
 * Captures real DHCP requests from ISC dhclient and BusyBox udhcpc as fuzz seeds, and checks that both clients
 * accept OFFER/ACK packets built by the codec (they bind 10.91.1.57 and read option 2 = -21600 back).
 * Runs in a namespace lab (prefix "dcodec", 10.91.1.0/24) that it always deletes. Needs root.
 *
 *   node bench/dhcp-fuzz/capture-seeds.ts      → src/dhcp/testdata/captured-<client>-<type>.hex + a summary
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hexDump } from '../../src/dhcp/codec/hex-dump.ts';
import { udhcpc } from '../../test/lib/dhcp-lab.ts';
import { createLab, type Lab, waitFor } from '../../test/lib/netns.ts';

const OUT = join(import.meta.dirname, '..', '..', 'src', 'dhcp', 'testdata');
const TYPES: Record<number, string> = { 1: 'discover', 3: 'request' };

interface Seen {
  type?: number;
  summary?: string;
  hex?: string;
  ready?: boolean;
  error?: string;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'dcodec-'));
  const lab: Lab = await createLab({
    prefix: 'dcodec',
    hosts: ['srv', 'cli'],
    subnet: '10.91.1',
  });
  const seen: Seen[] = [];
  const checks: string[] = [];
  try {
    const responder = lab.spawn('srv', [
      process.execPath,
      join(import.meta.dirname, 'responder.ts'),
      lab.hosts.srv!.address,
    ]);
    createInterface({ input: responder.stdout! }).on('line', (l) => {
      try {
        seen.push(JSON.parse(l) as Seen);
      } catch {
        /* not ours */
      }
    });
    responder.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    await waitFor(() => seen.some((s) => s.ready), 10_000, 'responder');

    const save = (client: string) => {
      for (const s of seen.splice(0)) {
        if (
          s.hex === undefined ||
          s.type === undefined ||
          TYPES[s.type] === undefined
        )
          continue;
        const file = join(OUT, `captured-${client}-${TYPES[s.type]}.hex`);
        if (existsSync(file) && process.env.RECAPTURE !== '1') continue;
        writeFileSync(
          file,
          hexDump(
            Buffer.from(s.hex, 'hex'),
            `Captured from ${client} by bench/dhcp-fuzz/capture-seeds.ts\n${s.summary}`,
          ),
        );
        console.log(`wrote ${file}`);
      }
    };

    // ISC dhclient: foreground, one attempt, no script (interface untouched), lease file in tmp.
    const leases = join(tmp, 'dhclient.leases');
    const dh = lab.spawn('cli', [
      'dhclient',
      '-4',
      '-1',
      '-d',
      '-v',
      '-sf',
      '/bin/true',
      '-lf',
      leases,
      '-pf',
      join(tmp, 'dhclient.pid'),
      'eth0',
    ]);
    dh.stderr!.on('data', () => {});
    try {
      await waitFor(
        () =>
          existsSync(leases) &&
          readFileSync(leases, 'utf8').includes('fixed-address'),
        20_000,
        'dhclient lease',
      );
      const lease = readFileSync(leases, 'utf8');
      checks.push(
        `dhclient bound: ${/fixed-address 10\.91\.1\.57;/.test(lease)}; time-offset -21600: ${/option time-offset -21600;/.test(lease)}; tftp-server-name: ${lease.includes('option tftp-server-name "ftp://')}`,
      );
    } finally {
      if (dh.pid && dh.exitCode === null) process.kill(dh.pid, 'SIGKILL');
    }
    save('dhclient');

    // BusyBox udhcpc: quit after the lease; the script dumps its environment.
    const script = join(tmp, 'udhcpc.sh');
    const env = join(tmp, 'udhcpc.env');
    writeFileSync(
      script,
      `#!/bin/sh\n[ "$1" = bound ] && env > ${env}\nexit 0\n`,
    );
    chmodSync(script, 0o755);
    await lab.exec(
      'cli',
      udhcpc({ script, tries: 3, timeout: 2, ask: [160, 128] }),
      { timeoutMs: 20_000 },
    );
    const e = readFileSync(env, 'utf8');
    if (process.env.SHOW_ENV === '1') console.log(e);
    // BusyBox prints option 2 as unsigned (ff ff ab a0 → 4294945696) and blanks option 66 to "bad" because a URL
    // is not a valid host name (its shell-safety check); both are BusyBox behaviour, not codec errors.
    const hex160 = Buffer.from(
      `ftp://PlcmSpIp:PlcmSpIp@${lab.hosts.srv!.address}/hq`,
    ).toString('hex');
    checks.push(
      `udhcpc bound: ${/^ip=10\.91\.1\.57$/m.test(e)}; timezone ff ff ab a0: ${/^timezone=(-21600|4294945696)$/m.test(e)}; opt160: ${e.includes(`opt160=${hex160}`)}; opt128 VLAN-A=200;: ${/^opt128=564c414e2d413d3230303b$/m.test(e)}; router: ${/^router=10\.91\.1\.1$/m.test(e)}`,
    );
    save('udhcpc');
  } finally {
    await lab.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const c of checks) console.log(c);
  if (checks.some((c) => c.includes('false'))) process.exitCode = 1;
}

await main();
