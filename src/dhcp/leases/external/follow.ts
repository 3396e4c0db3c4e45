/**
 * Follows a few files in one folder: calls `onChange` (debounced) when any of them is created, written,
 * renamed or removed. fs.watch on the folder catches a rename-into-place (dnsmasq's rewrite, Kea's LFC) and an
 * append; a poll of each file's identity (inode, size, mtime) is the fallback for file systems where fs.watch
 * says nothing (NFS, bind mounts) and for a folder that does not exist yet, and is where the watch is retried.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FollowOptions {
  /** Quiet time after the first change before onChange runs (the change is usually a burst of writes). */
  readonly debounceMs?: number;
  readonly pollMs?: number;
}

export interface Follower {
  close(): void;
}

/** Inode, size and mtime of a file, or "-" when it is not there: a change in any is a change of the file. */
export function identity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return '-';
  }
}

/** `paths` all live in one folder (a file and its siblings, as Kea's lease file and its LFC copies). */
export function followFiles(
  paths: readonly string[],
  onChange: () => void,
  opts: FollowOptions = {},
): Follower {
  const dir = dirname(paths[0]!);
  const names = new Set(paths.map((p) => basename(p)));
  const debounceMs = opts.debounceMs ?? 100;
  let seen = paths.map(identity).join('|');
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;

  const fire = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      seen = paths.map(identity).join('|');
      onChange();
    }, debounceMs);
  };
  const startWatch = (): void => {
    if (watcher || closed) return;
    try {
      watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name))) fire();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // the folder is not there (yet): the poll retries
    }
  };
  startWatch();
  const poll = setInterval(() => {
    startWatch();
    if (paths.map(identity).join('|') !== seen) fire();
  }, opts.pollMs ?? 2000);
  poll.unref();
  return {
    close() {
      closed = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
