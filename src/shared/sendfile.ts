/**
 * A file's bytes to a plain TCP socket by sendfile(2) (sendfile.c): the kernel copies the file to the socket,
 * so no chunk passes through JavaScript or a buffer of ours. The HTTP service sends bodies with it
 * (http/sendfile-body.ts) and the FTP service its data connections (ftp/sendfile-stream.ts); TLS sockets
 * cannot use it (their bytes are encrypted in the process).
 *
 * The caller starts it once Node's write queue on the socket is empty. While the addon sends, Node sees no
 * writes, so the socket's idle timeout (if it has one) would fire on a long download: every quarter of that
 * timeout (at most PROGRESS_MS) the timer is re-armed if bytes moved, so a download is cut only after the
 * idle time without progress, as a streamed one.
 */
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { loadAddon } from './native-addon.ts';
import type { Result } from './result.ts';

interface SendfileAddon {
  init(done: (id: number, errno: number, sent: number) => void): void;
  start(sockFd: number, fileFd: number, offset: number, length: number): number;
  sent(id: number): number;
  cancel(id: number): void;
}

const PROGRESS_MS = 5_000;
/** The file ended before `length` bytes (sendfile.c's SHORT_FILE). */
const SHORT_FILE = -1;

/**
 * ok: all sent; gone: the connection failed or was cancelled; file: the file failed or ended short;
 * unsupported: this file cannot be sent so (no splice on its filesystem, not seekable) and nothing was sent.
 */
export interface SendOutcome {
  readonly result: 'ok' | 'gone' | 'file' | 'unsupported';
  readonly sent: number;
}

export interface Sending {
  readonly done: Promise<SendOutcome>;
  /** Bytes handed to the socket so far. */
  sent(): number;
  /** Stops the send (done resolves 'gone'); nothing more is written to the socket. */
  cancel(): void;
}

export interface Sendfile {
  /** Sends begun by this process (tests, to tell sendfile from streaming). */
  readonly started: number;
  /** `length` bytes of `fd` from `offset` to `socket`, whose write queue is empty; the socket is not closed. */
  send(socket: Socket, fd: number, offset: number, length: number): Sending;
}

const { errno: E } = constants;
/** The connection's errors (the peer went away or stopped reading); any other is the file's. */
const CONNECTION = new Set([
  E.EPIPE,
  E.ECONNRESET,
  E.ECONNABORTED,
  E.ENOTCONN,
  E.ETIMEDOUT,
  E.EHOSTUNREACH,
]);
const NO_SENDFILE = new Set([E.EINVAL, E.ENOSYS, E.EOPNOTSUPP, E.ESPIPE]);

function outcomeOf(errno: number, sent: number): SendOutcome {
  if (errno === 0) return { result: 'ok', sent };
  if (errno === SHORT_FILE) return { result: 'file', sent };
  if (CONNECTION.has(errno)) return { result: 'gone', sent };
  if (sent === 0 && NO_SENDFILE.has(errno))
    return { result: 'unsupported', sent };
  return { result: 'file', sent };
}

/** The socket's descriptor, if Node's handle has one (a TLS socket has none to use). */
export function plainSocketFd(
  socket: Socket | null | undefined,
): number | undefined {
  const s = socket as
    | (Socket & { encrypted?: boolean; _handle?: { fd?: number } | null })
    | null
    | undefined;
  if (!s || s.encrypted || s.destroyed) return undefined;
  const fd = s._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

let loaded: Result<Sendfile, string> | undefined;

/**
 * The process's one sendfile (the addon is compiled on first use); an error when it cannot be built or
 * APPLIANCE_SENDFILE=0 turns it off (every download streamed, as over TLS).
 */
export function loadSendfile(): Result<Sendfile, string> {
  if (loaded) return loaded;
  if (process.env.APPLIANCE_SENDFILE === '0') {
    loaded = { ok: false, error: 'APPLIANCE_SENDFILE=0' };
    return loaded;
  }
  const r = loadAddon<SendfileAddon>(join(import.meta.dirname, 'sendfile.c'));
  loaded = r.ok ? { ok: true, value: sendfileWith(r.value) } : r;
  return loaded;
}

/** For a service starting: the addon built now, not at the first download, and a warning if it cannot be. */
export function prepareSendfile(log: {
  warn(obj: object, msg: string): void;
}): void {
  const r = loadSendfile();
  if (!r.ok)
    log.warn({ err: r.error }, 'sendfile unavailable: downloads are streamed');
}

function sendfileWith(addon: SendfileAddon): Sendfile {
  const waiting = new Map<number, (errno: number, sent: number) => void>();
  addon.init((id, errno, sent) => {
    const settle = waiting.get(id);
    waiting.delete(id);
    settle?.(errno, sent);
  });
  let started = 0;
  const send = (
    socket: Socket,
    fd: number,
    offset: number,
    length: number,
  ): Sending => {
    let id: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settle: (o: SendOutcome) => void = () => undefined;
    const sent = (): number =>
      id === undefined ? last : Math.max(0, addon.sent(id));
    let last = 0;
    const done = new Promise<SendOutcome>((resolve) => {
      let settled = false;
      settle = (o) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        if (id !== undefined) {
          waiting.delete(id);
          addon.cancel(id);
          id = undefined;
        }
        last = o.sent;
        resolve(o);
      };
    });
    const sock = plainSocketFd(socket);
    if (sock === undefined) {
      settle({ result: 'gone', sent: 0 });
      return { done, sent, cancel: () => undefined };
    }
    try {
      id = addon.start(sock, fd, offset, length);
    } catch {
      // No descriptor left for the duplicate (EMFILE) or no poll: nothing was sent, so it can be streamed.
      settle({ result: 'unsupported', sent: 0 });
      return { done, sent, cancel: () => undefined };
    }
    started++;
    // Node closing its socket does not close our duplicate: stop sending then, or the peer gets the rest.
    const closed = (): void => settle({ result: 'gone', sent: sent() });
    socket.once('close', closed);
    void done.then(() => socket.off('close', closed));
    waiting.set(id, (errno, n) => {
      id = undefined;
      settle(outcomeOf(errno, n));
    });
    const every = Math.min(
      PROGRESS_MS,
      Math.max(50, (socket.timeout || 4 * PROGRESS_MS) / 4),
    );
    let seen = 0;
    timer = setInterval(() => {
      const now = sent();
      if (now !== seen && socket.timeout) socket.setTimeout(socket.timeout);
      seen = now;
    }, every).unref();
    return {
      done,
      sent,
      cancel: () => settle({ result: 'gone', sent: sent() }),
    };
  };
  return {
    get started() {
      return started;
    },
    send,
  };
}
