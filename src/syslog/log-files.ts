/**
 * Where a phone's syslog lines live (<dataDir>/syslog/<mac>.log, and the one rotated generation .log.1), and
 * reading them back: the last bytes for the admin page, and a follow that yields what is appended (and starts
 * over when the file rotates) for `appliance logs --follow`.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mac } from '../shared/mac.ts';

export const syslogDir = (dataDir: string): string => join(dataDir, 'syslog');
export const logFile = (dir: string, mac: Mac): string =>
  join(dir, `${mac}.log`);

async function readRange(
  path: string,
  from: number,
  to: number,
): Promise<string> {
  if (to <= from) return '';
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

const sizeOf = (
  path: string,
): Promise<{ size: number; ino: number } | undefined> =>
  stat(path).then(
    (s) => ({ size: s.size, ino: s.ino }),
    () => undefined,
  );

/** The last `maxBytes` of a phone's log, older generation first, starting at a whole line. */
export async function readLogTail(
  dir: string,
  mac: Mac,
  maxBytes = 64 * 1024,
): Promise<string> {
  const path = logFile(dir, mac);
  let text = '';
  for (const p of [`${path}.1`, path]) {
    const s = await sizeOf(p);
    if (s)
      text += await readRange(p, Math.max(0, s.size - maxBytes), s.size).catch(
        () => '',
      );
  }
  if (text.length <= maxBytes) return text;
  const cut = text.slice(text.length - maxBytes);
  const nl = cut.indexOf('\n');
  return nl >= 0 ? cut.slice(nl + 1) : cut;
}

/** The admin page's reader of a phone's log, over the data directory. */
export const phoneLogReader =
  (dataDir: string): ((mac: Mac) => Promise<string>) =>
  (mac) =>
    readLogTail(syslogDir(dataDir), mac);

/** Text appended to a phone's log after `from` bytes, polled every `pollMs` until the signal aborts. */
export async function* followLog(
  dir: string,
  mac: Mac,
  signal: AbortSignal,
  pollMs = 250,
): AsyncGenerator<string> {
  const path = logFile(dir, mac);
  let at = (await sizeOf(path))?.size ?? 0;
  let ino = (await sizeOf(path))?.ino;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
    const s = await sizeOf(path);
    if (!s) continue;
    if (s.ino !== ino || s.size < at) {
      at = 0;
      ino = s.ino;
    } // rotated: the new file from its start
    if (s.size > at) {
      yield await readRange(path, at, s.size);
      at = s.size;
    }
  }
}
