/**
 * The lease source of an appliance beside another DHCP server (`appliance.leaseSource`, services.dhcp off):
 * Kea's memfile lease CSV or dnsmasq's lease file, re-read whenever it changes (follow.ts), as the same
 * LeaseQuery the appliance's own DHCP service gives (query.ts over a LeaseTable): the file services check an
 * uploader's MAC with it, the inventory and the admin side (/api/leases, /metrics) read it.
 * Kea's lease file cleanup (LFC) moves the file aside and merges: the leases are `.completed`, or `.2` then
 * `.1`, then the file itself, the order kea-dhcp4 loads them in. A read that races a rewrite (a file changed
 * while it was read) is read again; the change that caused it also schedules another read.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { LeaseSource } from '../../config/model.ts';
import type { LeaseQuery, ModelRef } from '../../runtime/deps.ts';
import type { Service } from '../../shared/service.ts';
import { parseDnsmasqLeases } from './external/dnsmasq-file.ts';
import {
  type FollowOptions,
  followFiles,
  identity,
} from './external/follow.ts';
import { parseKeaLeases } from './external/kea-csv.ts';
import { type ParsedLeases, tableOf } from './external/records.ts';
import { createLeaseQuery } from './query.ts';
import { createLeaseTable } from './table.ts';

export interface LeaseSourceOptions extends FollowOptions {
  readonly source: LeaseSource;
  readonly model: ModelRef;
  readonly log: Logger;
  readonly now?: () => number;
}

export interface LeaseSourceService extends Service {
  readonly leases: LeaseQuery;
  /** Leases and unreadable lines of the last read. */
  status(): {
    readonly leases: number;
    readonly bad: number;
    readonly reads: number;
  };
}

/** Every file that may hold leases, and the ones to read now (in order). */
function files(source: LeaseSource): {
  follow: string[];
  read: () => string[];
} {
  if (source.kind === 'dnsmasq')
    return { follow: [source.path], read: () => [source.path] };
  const [completed, previous, input] = ['.completed', '.2', '.1'].map(
    (s) => source.path + s,
  ) as [string, string, string];
  return {
    follow: [source.path, completed, previous, input],
    read: () =>
      identity(completed) !== '-'
        ? [completed, source.path]
        : [previous, input, source.path],
  };
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
};

export function startLeaseSource(opts: LeaseSourceOptions): LeaseSourceService {
  const { source, model } = opts;
  const log = opts.log.child({ svc: 'lease-source' });
  const clock = opts.now ?? Date.now;
  const f = files(source);
  let current = createLeaseQuery(createLeaseTable(), model, {
    badLines: 0,
    now: clock,
  });
  let last = { leases: 0, bad: 0, reads: 0 };
  let missing = false;

  const parse = (): ParsedLeases | undefined => {
    for (let attempt = 0; ; attempt++) {
      const paths = f.read();
      const before = f.follow.map(identity).join('|');
      const texts = paths.map(readText);
      if (texts.every((t) => t === undefined)) return undefined;
      if (attempt < 2 && f.follow.map(identity).join('|') !== before) continue;
      const present = texts.filter((t): t is string => t !== undefined);
      return source.kind === 'kea'
        ? parseKeaLeases(present)
        : parseDnsmasqLeases(present.join('\n'));
    }
  };
  const load = (): void => {
    let parsed: ParsedLeases | undefined;
    try {
      parsed = parse();
    } catch (e) {
      log.warn(
        { code: 'DHCP_LEASE_SOURCE_READ', file: source.path, err: e },
        'cannot read the lease file; the last leases read stay in use',
      );
      return;
    }
    if (parsed === undefined) {
      if (!missing)
        log.warn(
          { file: source.path },
          `no ${source.kind} lease file yet: no phone is known by its address until it appears`,
        );
      missing = true;
      parsed = { leases: [], bad: 0 };
    } else missing = false;
    const table = tableOf(parsed, clock());
    current = createLeaseQuery(table, model, {
      badLines: parsed.bad,
      now: clock,
    });
    if (parsed.bad > last.bad)
      log.warn(
        {
          code: 'DHCP_LEASE_SOURCE_BAD_LINES',
          file: source.path,
          bad: parsed.bad,
        },
        'lines of the lease file could not be read and were skipped',
      );
    last = { leases: table.size(), bad: parsed.bad, reads: last.reads + 1 };
    log.debug({ file: source.path, ...last }, 'lease file read');
  };

  load();
  const follower = followFiles(f.follow, load, opts);
  log.info(
    { kind: source.kind, file: source.path, leases: last.leases },
    'following the lease file',
  );
  return {
    name: 'lease-source',
    leases: {
      macForAddress: (ip) => current.macForAddress(ip),
      snapshot: (now) => current.snapshot(now),
      pools: (now) => current.pools(now),
    },
    status: () => last,
    async close() {
      follower.close();
    },
  };
}
