/**
 * Group commit: files that must become durable at the same moment share one durability round. Callers that
 * ask while a round runs (or in the same tick) join the next one, which is one syncfs(2) per filesystem
 * (syncfs.c) on a descriptor this module keeps open on that filesystem: one journal commit for all of them
 * instead of an fsync each, which under 2,000 simultaneous uploads queue behind each other in libuv's pool
 * threads. A failed syncfs fails every file of its round on that filesystem.
 *
 * syncfs flushes the whole filesystem, unrelated dirty data included, so a round costs more when other
 * writers left much in the page cache (a firmware release just copied in): when the machine's dirty and
 * writeback pages exceed DIRTY_LIMIT before a round (dirty-pages.ts), that round's files get an fsync each
 * instead, which does not wait for other files' data.
 *
 * syncfs's error reporting needs Linux 5.8 (writeback errors on the filesystem since the descriptor was opened
 * or last synced): prepare(dir) opens that descriptor before the files are written. Without the addon or on an older kernel every file gets its own fsync (and a folder its
 * fsyncDir), as before.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { systemDirtyBytes } from './dirty-pages.ts';
import { fsyncDir } from './durable.ts';
import { loadAddon } from './native-addon.ts';
import type { Result } from './result.ts';

export interface SyncfsAddon {
  syncfs(fd: number): Promise<void>;
}

/** What becomes durable: a written file's data (handle), or the names in a folder (no handle). */
export interface SyncItem {
  readonly dir: string;
  readonly handle?: FileHandle;
}

export interface SyncGroup {
  /** 'syncfs' (grouped rounds) or 'fsync' (one fsync per item). */
  readonly kind: 'syncfs' | 'fsync';
  /** Call before writing files in `dir`: keeps a descriptor on its filesystem (once per folder). */
  prepare(dir: string): Promise<void>;
  /** Resolves once `item` is durable; rejects if its round's sync failed. */
  sync(item: SyncItem): Promise<void>;
  /** Close the descriptors kept open (tests, benchmarks; the process's group lives as long as it). */
  close(): Promise<void>;
}

export function loadSyncfsAddon(): Result<SyncfsAddon, string> {
  return loadAddon<SyncfsAddon>(join(import.meta.dirname, 'syncfs.c'));
}

/** syncfs reports writeback errors from Linux 5.8 on; before, it returns 0 whatever happened. */
export function kernelReportsSyncfsErrors(r = release()): boolean {
  const [major = 0, minor = 0] = r
    .split('.')
    .map((x) => Number.parseInt(x, 10));
  return major > 5 || (major === 5 && minor >= 8);
}

/** An item made durable on its own: its file's fsync, or its folder's. */
const fsyncItem = (item: SyncItem): Promise<void> =>
  item.handle ? item.handle.sync() : fsyncDir(item.dir);

/** One fsync per file, fsyncDir per folder: no rounds. */
export function fsyncEach(): SyncGroup {
  return {
    kind: 'fsync',
    prepare: async () => undefined,
    sync: fsyncItem,
    close: async () => undefined,
  };
}

/**
 * Dirty and writeback bytes above which a round fsyncs its files one by one: 2,000 files' round on ext4 costs
 * about what their own fsyncs cost at 250 MB of unrelated dirty data, and 2-4× more from 1 GB on.
 */
export const DIRTY_LIMIT = 256 * 1024 * 1024;

interface Waiter {
  readonly dev: number;
  readonly item: SyncItem;
  resolve(): void;
  reject(e: unknown): void;
}

/**
 * Rounds of one syncfs per filesystem; `syncfs` is the addon's (a test passes its own); onRound hears how
 * many items each round made durable and how (tests, the commit benchmark); `dirtyBytes` is read before each
 * round (the machine's, by default; a test or benchmark passes its own).
 */
export function syncfsRounds(
  syncfs: (fd: number) => Promise<void>,
  onRound?: (items: number, how: 'syncfs' | 'fsync') => void,
  dirtyBytes: () => number = systemDirtyBytes,
): SyncGroup {
  /** Folder → its filesystem's device number (a folder is stat'ed once). */
  const devOf = new Map<string, Promise<number>>();
  /** Device number → the descriptor kept open on it (a folder of that filesystem, never closed). */
  const fds = new Map<number, Promise<FileHandle>>();
  let pending: Waiter[] = [];
  let running = false;

  const prepare = (dir: string): Promise<number> => {
    let dev = devOf.get(dir);
    if (!dev) {
      dev = stat(dir).then((s) => {
        if (!fds.has(s.dev)) {
          const fd = open(dir, 'r');
          fds.set(s.dev, fd);
          fd.catch(() => fds.delete(s.dev));
        }
        return fds.get(s.dev)!.then(() => s.dev);
      });
      devOf.set(dir, dev);
      dev.catch(() => devOf.delete(dir));
    }
    return dev;
  };

  const round = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (dirtyBytes() > DIRTY_LIMIT) {
      onRound?.(batch.length, 'fsync');
      await Promise.all(
        batch.map((w) => fsyncItem(w.item).then(w.resolve, w.reject)),
      );
      return;
    }
    onRound?.(batch.length, 'syncfs');
    const devs = new Set(batch.map((w) => w.dev));
    const outcomes = new Map<number, unknown>();
    await Promise.all(
      [...devs].map(async (dev) => {
        try {
          await syncfs((await fds.get(dev)!).fd);
        } catch (e) {
          outcomes.set(dev, e);
        }
      }),
    );
    for (const w of batch)
      if (outcomes.has(w.dev)) w.reject(outcomes.get(w.dev));
      else w.resolve();
  };
  const next = (): void => {
    if (running || pending.length === 0) return;
    running = true;
    // setImmediate: everyone who asks in this tick (the same burst of ACKs) joins this round.
    setImmediate(() => {
      void round().finally(() => {
        running = false;
        next();
      });
    });
  };

  return {
    kind: 'syncfs',
    prepare: async (dir) => {
      await prepare(dir);
    },
    async sync(item) {
      const dev = await prepare(item.dir);
      await new Promise<void>((resolve, reject) => {
        pending.push({ dev, item, resolve, reject });
        next();
      });
    },
    async close() {
      const kept = [...fds.values()];
      fds.clear();
      devOf.clear();
      for (const fd of kept) await (await fd.catch(() => undefined))?.close();
    },
  };
}

interface Chosen {
  readonly group: SyncGroup;
  /** Why uploads fall back to an fsync per file (absent with syncfs rounds). */
  readonly why?: string;
}

let shared: Chosen | undefined;

/**
 * The process's group (all uploads share its rounds), built on first use: syncfs rounds when the addon
 * builds and the kernel reports syncfs errors, else fsync per file. `why` says why it fell back (on every
 * call, so the start-up log can say it too).
 * APPLIANCE_UPLOAD_SYNC=fsync asks for fsync per file (a filesystem where other writers keep much dirty
 * data, which every syncfs round would flush too).
 */
export function sharedSyncGroup(): Chosen {
  shared ??= chooseSyncGroup();
  return shared;
}

function chooseSyncGroup(): Chosen {
  if (process.env.APPLIANCE_UPLOAD_SYNC === 'fsync')
    return { group: fsyncEach(), why: 'APPLIANCE_UPLOAD_SYNC=fsync' };
  if (!kernelReportsSyncfsErrors())
    return {
      group: fsyncEach(),
      why: `kernel ${release()} < 5.8: syncfs reports no errors`,
    };
  const addon = loadSyncfsAddon();
  return addon.ok
    ? { group: syncfsRounds(addon.value.syncfs) }
    : { group: fsyncEach(), why: addon.error };
}
