/**
 * The differential lab: the same clients against the appliance and against another server running the
 * exported policy, one server at a time in the same "srv" host (10.93.1.1), fresh lease store each.
 *   segment 10.93.1.0/24: srv .1, relay .2, c1 .3, c2 .4, c3 .5 (MAC 00:04:f2:00:00:50, the reserved phone)
 *   segment 10.93.2.0/24 (behind dhcrelay): relay .1, phone .2
 */
import { join } from 'node:path';
import { addSegment, createLab, type Lab, waitFor } from '../lib/netns.ts';
import { tempDir } from '../lib/temp-dir.ts';
import { runClients, type Seen } from './clients.ts';
import { type ServerKind, startKind, writeFixture } from './servers.ts';

export const CLIENT_COMMANDS = ['udhcpc', 'dhclient', 'dhcping', 'dhcrelay'];

export interface Differential {
  readonly seen: Record<ServerKind, Record<string, Seen>>;
  /** One line per (case, key) where a server saw something other than the appliance. */
  readonly differences: string[];
}

async function withLab<T>(
  prefix: string,
  fn: (lab: Lab) => Promise<T>,
): Promise<T> {
  const lab = await createLab({
    prefix,
    hosts: ['srv', 'relay', 'c1', 'c2', 'c3', 'phone'],
    subnet: '10.93.1',
  });
  let seg: { destroy(): Promise<void> } | undefined;
  try {
    seg = await addSegment(lab, {
      name: 'r',
      subnet: '10.93.2',
      members: [
        { host: 'relay', iface: 'eth1', octet: 1 },
        { host: 'phone', iface: 'eth1', octet: 2 },
      ],
    });
    await lab.exec('phone', ['ip', 'link', 'set', 'eth0', 'down']);
    await lab.exec('srv', [
      'ip',
      'route',
      'add',
      '10.93.2.0/24',
      'via',
      lab.hosts.relay!.address,
    ]);
    await lab.exec('c3', [
      'ip',
      'link',
      'set',
      'eth0',
      'address',
      '00:04:f2:00:00:50',
    ]);
    const relay = lab.spawn(
      'relay',
      [
        'dhcrelay',
        '-d',
        '-4',
        '-iu',
        'eth0',
        '-id',
        'eth1',
        lab.hosts.srv!.address,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let said = '';
    relay.stdout!.on('data', (d: Buffer) => {
      said += d.toString();
    });
    relay.stderr!.on('data', (d: Buffer) => {
      said += d.toString();
    });
    await waitFor(
      () =>
        said.includes('Sending on   Socket/fallback') ||
        relay.exitCode !== null,
      10_000,
      'dhcrelay listening',
    );
    if (relay.exitCode !== null) throw new Error(`dhcrelay exited: ${said}`);
    return await fn(lab);
  } finally {
    await seg?.destroy();
    await lab.destroy();
  }
}

export function compare(
  base: Record<string, Seen>,
  other: Record<string, Seen>,
  name: string,
): string[] {
  const out: string[] = [];
  for (const [c, seen] of Object.entries(base)) {
    const theirs = other[c] ?? {};
    for (const key of new Set([...Object.keys(seen), ...Object.keys(theirs)])) {
      if (seen[key] !== theirs[key])
        out.push(
          `${c} ${key}: appliance ${JSON.stringify(seen[key])}, ${name} ${JSON.stringify(theirs[key])}`,
        );
    }
  }
  return out;
}

/** Runs the clients against the appliance and each of `others`; differences against the appliance. */
export async function differential(
  prefix: string,
  others: readonly ServerKind[],
): Promise<Differential> {
  const root = tempDir(`export-${prefix}-`);
  const yaml = writeFixture(root);
  return withLab(prefix, async (lab) => {
    const seen = {} as Record<ServerKind, Record<string, Seen>>;
    for (const kind of ['appliance', ...others] as ServerKind[]) {
      const dir = join(root, kind);
      const server = await startKind(lab, 'srv', kind, yaml, dir);
      try {
        seen[kind] = await runClients(lab, dir);
      } catch (e) {
        throw new Error(
          `${kind}: ${(e as Error).message}\n--- ${kind} output ---\n${server.output().slice(-4000)}`,
        );
      } finally {
        await server.stop();
      }
    }
    const differences = others.flatMap((k) =>
      compare(seen.appliance, seen[k], k),
    );
    return { seen, differences };
  });
}
