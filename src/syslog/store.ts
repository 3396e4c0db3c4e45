/**
 * Where syslog lines go. Attributed lines are appended to <dataDir>/syslog/<mac>.log; when the next batch would
 * take the file past maxFileBytes it is renamed to <mac>.log.1 (replacing the previous one) and a new file
 * begins, so each phone costs at most 2 × maxFileBytes. At most maxPhones files are created (existing ones
 * count at start), so disk use stays under maxPhones × 2 × maxFileBytes whatever MACs senders claim. Writes
 * are batched per phone and serialised; a phone's backlog beyond maxFileBytes is dropped and counted.
 * Unattributed lines are kept only in memory: the last ringSize of them, and a count per sender address for
 * at most maxSenders addresses (the rest counted together).
 */
import { appendFile, mkdir, readdir, rename, stat } from 'node:fs/promises';
import type { Mac } from '../shared/mac.ts';
import { logFile } from './log-files.ts';

export interface UnattributedEntry {
  readonly receivedAt: string;
  readonly peer: string;
  readonly line: string;
}

export interface SyslogStoreStats {
  linesWritten: number;
  bytesWritten: number;
  rotations: number;
  /**
   * Lines not stored, by code: SYSLOG_STORE_FULL (maxPhones files exist already), SYSLOG_BACKLOG (a phone's
   * unwritten backlog exceeded maxFileBytes), SYSLOG_STORE_IO (a failed write).
   */
  dropped: {
    SYSLOG_STORE_FULL: number;
    SYSLOG_BACKLOG: number;
    SYSLOG_STORE_IO: number;
  };
  phones: number;
  unattributed: number;
  unattributedSenders: number;
  /** Unattributed lines from senders beyond the tracked maxSenders. */
  unattributedOtherSenders: number;
}

export interface SyslogStore {
  /** Queue a line for the phone's file; false when maxPhones files exist and this phone has none. */
  append(mac: Mac, line: string): boolean;
  unattributed(peer: string, line: string, receivedAt: string): void;
  /** Oldest first. */
  recentUnattributed(): UnattributedEntry[];
  unattributedBySender(): Record<string, number>;
  stats(): SyslogStoreStats;
  /** Resolves once every queued line is written (or failed). */
  flush(): Promise<void>;
  /** The phone's log file. */
  fileOf(mac: Mac): string;
}

export interface SyslogStoreOptions {
  readonly dir: string;
  /** Read per batch, so a hot reload applies to the next write. */
  readonly maxFileBytes: () => number;
  readonly maxPhones: () => number;
  readonly ringSize?: number;
  readonly maxSenders?: number;
  readonly ringLineChars?: number;
  readonly onError?: (e: unknown) => void;
}

interface PhoneFile {
  size: number | undefined;
  pending: string[];
  pendingBytes: number;
  writing: Promise<void> | undefined;
}

export async function openSyslogStore(
  o: SyslogStoreOptions,
): Promise<SyslogStore> {
  await mkdir(o.dir, { recursive: true });
  const files = new Map<string, PhoneFile>();
  for (const name of await readdir(o.dir)) {
    const m = /^([0-9a-f]{12})\.log(?:\.1)?$/.exec(name);
    if (m && !files.has(m[1]!))
      files.set(m[1]!, {
        size: undefined,
        pending: [],
        pendingBytes: 0,
        writing: undefined,
      });
  }
  const ringSize = o.ringSize ?? 200;
  const maxSenders = o.maxSenders ?? 256;
  const ringChars = o.ringLineChars ?? 1024;
  const ring: UnattributedEntry[] = [];
  let ringAt = 0;
  const senders = new Map<string, number>();
  const st: SyslogStoreStats = {
    linesWritten: 0,
    bytesWritten: 0,
    rotations: 0,
    dropped: { SYSLOG_STORE_FULL: 0, SYSLOG_BACKLOG: 0, SYSLOG_STORE_IO: 0 },
    phones: 0,
    unattributed: 0,
    unattributedSenders: 0,
    unattributedOtherSenders: 0,
  };
  const fileOf = (mac: Mac): string => logFile(o.dir, mac);

  async function drain(mac: Mac, f: PhoneFile): Promise<void> {
    while (f.pending.length > 0) {
      const batch = f.pending.join('');
      const lines = f.pending.length;
      f.pending = [];
      f.pendingBytes = 0;
      const bytes = Buffer.byteLength(batch);
      const path = fileOf(mac);
      try {
        if (f.size === undefined)
          f.size = await stat(path).then(
            (s) => s.size,
            () => 0,
          );
        if (f.size > 0 && f.size + bytes > o.maxFileBytes()) {
          await rename(path, `${path}.1`);
          f.size = 0;
          st.rotations++;
        }
        await appendFile(path, batch);
        f.size += bytes;
        st.linesWritten += lines;
        st.bytesWritten += bytes;
      } catch (e) {
        f.size = undefined;
        st.dropped.SYSLOG_STORE_IO++;
        o.onError?.(e);
      }
    }
  }

  // One writer per phone; lines queued while it finishes get a new one.
  function schedule(mac: Mac, f: PhoneFile): void {
    f.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => drain(mac, f))
      .finally(() => {
        f.writing = undefined;
        if (f.pending.length > 0) schedule(mac, f);
      });
  }

  return {
    append(mac, line) {
      let f = files.get(mac);
      if (!f) {
        if (files.size >= o.maxPhones()) {
          st.dropped.SYSLOG_STORE_FULL++;
          return false;
        }
        f = {
          size: undefined,
          pending: [],
          pendingBytes: 0,
          writing: undefined,
        };
        files.set(mac, f);
      }
      const text = `${line}\n`;
      if (f.pendingBytes + text.length > o.maxFileBytes()) {
        st.dropped.SYSLOG_BACKLOG++;
        return true;
      }
      f.pending.push(text);
      f.pendingBytes += text.length;
      if (!f.writing) schedule(mac, f);
      return true;
    },
    unattributed(peer, line, receivedAt) {
      st.unattributed++;
      const n = senders.get(peer);
      if (n !== undefined) senders.set(peer, n + 1);
      else if (senders.size < maxSenders) senders.set(peer, 1);
      else st.unattributedOtherSenders++;
      const entry = {
        receivedAt,
        peer,
        line: line.length > ringChars ? line.slice(0, ringChars) : line,
      };
      if (ring.length < ringSize) ring.push(entry);
      else {
        ring[ringAt] = entry;
        ringAt = (ringAt + 1) % ringSize;
      }
    },
    recentUnattributed: () => [...ring.slice(ringAt), ...ring.slice(0, ringAt)],
    unattributedBySender: () => Object.fromEntries(senders),
    stats: () => ({
      ...st,
      phones: files.size,
      unattributedSenders: senders.size,
    }),
    async flush() {
      for (;;) {
        const busy = [...files.values()]
          .map((f) => f.writing)
          .filter((w): w is Promise<void> => w !== undefined);
        if (busy.length === 0) return;
        await Promise.all(busy);
      }
    },
    fileOf,
  };
}
