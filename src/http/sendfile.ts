/**
 * A download's body by sendfile(2) (native/sendfile.c): for plain HTTP and a file on disk, the kernel copies
 * the file to the socket, so no chunk passes through JavaScript or a buffer of ours. The headers go out
 * first through Node (flushHeaders); once Node's write queue is empty the addon sends the bytes from the
 * same connection, and res.end() finishes the response (keep-alive and pipelining stay Node's).
 *
 * While the addon sends, Node sees no writes, so its idle timeout would fire on a long download: every
 * quarter of that timeout (at most PROGRESS_MS) the timer is re-armed if bytes moved, so a download is cut
 * only after the server's idle time without progress, as a streamed one. A client that goes away fails the sendfile (EPIPE, ECONNRESET) or
 * closes the response; either ends the download, recorded as HTTP_CLIENT_ABORTED.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { loadAddon } from '../shared/native-addon.ts';
import type { Result } from '../shared/result.ts';

interface SendfileAddon {
  init(done: (id: number, errno: number, sent: number) => void): void;
  start(sockFd: number, fileFd: number, offset: number, length: number): number;
  sent(id: number): number;
  cancel(id: number): void;
}

const PROGRESS_MS = 5_000;
/** The file ended before Content-Length bytes (sendfile.c's SHORT_FILE). */
const SHORT_FILE = -1;

export interface SendfileOutcome {
  /** unsupported: the file's filesystem has no sendfile and nothing was sent; the caller streams the body. */
  readonly result: 'ok' | 'HTTP_CLIENT_ABORTED' | 'TREE_IO' | 'unsupported';
  readonly sent: number;
}

const { errno: E } = constants;
/** The connection's errors (the client went away or stopped reading); any other is the file's (TREE_IO). */
const CLIENT_GONE = new Set([
  E.EPIPE,
  E.ECONNRESET,
  E.ECONNABORTED,
  E.ENOTCONN,
  E.ETIMEDOUT,
  E.EHOSTUNREACH,
]);
/** The file cannot be sent this way (no splice on its filesystem, not seekable): stream it instead. */
const NO_SENDFILE = new Set([E.EINVAL, E.ENOSYS, E.EOPNOTSUPP, E.ESPIPE]);

function outcomeOf(errno: number, sent: number): SendfileOutcome {
  if (errno === 0) return { result: 'ok', sent };
  if (errno === SHORT_FILE) return { result: 'TREE_IO', sent };
  if (CLIENT_GONE.has(errno)) return { result: 'HTTP_CLIENT_ABORTED', sent };
  if (sent === 0 && NO_SENDFILE.has(errno))
    return { result: 'unsupported', sent };
  return { result: 'TREE_IO', sent };
}

export interface Sendfile {
  /** Bodies this process has begun to send by sendfile (tests, to tell the two paths apart). */
  readonly started: number;
  /** Sends `length` bytes of `fd` from `offset` as the body of `res` (its headers set); never rejects. */
  body(
    res: ServerResponse,
    fd: number,
    offset: number,
    length: number,
  ): Promise<SendfileOutcome>;
}

let loaded: Result<Sendfile, string> | undefined;

/**
 * The process's one sendfile (the addon is compiled on first use); an error when it cannot be built or
 * APPLIANCE_HTTP_SENDFILE=0 turns it off (every download streamed, as over HTTPS).
 */
export function loadSendfile(): Result<Sendfile, string> {
  if (loaded) return loaded;
  if (process.env.APPLIANCE_HTTP_SENDFILE === '0') {
    loaded = { ok: false, error: 'APPLIANCE_HTTP_SENDFILE=0' };
    return loaded;
  }
  const r = loadAddon<SendfileAddon>(
    join(import.meta.dirname, 'native', 'sendfile.c'),
  );
  loaded = r.ok ? { ok: true, value: sendfileWith(r.value) } : r;
  return loaded;
}

/** The socket's descriptor, if Node's handle has one (a TLS socket does not: its bytes are encrypted). */
export function plainSocketFd(res: ServerResponse): number | undefined {
  const s = res.socket as
    | (Socket & { encrypted?: boolean; _handle?: { fd?: number } | null })
    | null;
  if (!s || s.encrypted || s.destroyed) return undefined;
  const fd = s._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function sendfileWith(addon: SendfileAddon): Sendfile {
  const waiting = new Map<number, (errno: number, sent: number) => void>();
  addon.init((id, errno, sent) => {
    const settle = waiting.get(id);
    waiting.delete(id);
    settle?.(errno, sent);
  });
  let started = 0;
  return {
    get started() {
      return started;
    },
    body: (res, fd, offset, length) =>
      new Promise((resolve) => {
        let id: number | undefined;
        let timer: NodeJS.Timeout | undefined;
        let settled = false;
        const settle = (outcome: SendfileOutcome): void => {
          if (settled) return;
          settled = true;
          clearInterval(timer);
          if (id !== undefined) {
            waiting.delete(id);
            addon.cancel(id);
          }
          if (outcome.result === 'ok') res.end();
          else if (outcome.result !== 'unsupported') res.destroy();
          resolve(outcome);
        };
        const sentSoFar = (): number =>
          id === undefined ? 0 : Math.max(0, addon.sent(id));
        res.once('close', () =>
          settle({ result: 'HTTP_CLIENT_ABORTED', sent: sentSoFar() }),
        );
        const go = (): void => {
          const sock = plainSocketFd(res);
          if (settled) return;
          if (sock === undefined) {
            settle({ result: 'HTTP_CLIENT_ABORTED', sent: 0 });
            return;
          }
          try {
            id = addon.start(sock, fd, offset, length);
          } catch {
            // No descriptor left for the duplicate (EMFILE) or no poll: nothing was sent, so stream it.
            settle({ result: 'unsupported', sent: 0 });
            return;
          }
          started++;
          waiting.set(id, (errno, sent) => {
            id = undefined;
            settle(outcomeOf(errno, sent));
          });
          let last = 0;
          // A quarter of the idle timeout (at most PROGRESS_MS): a moving download is re-armed in time.
          const every = Math.min(
            PROGRESS_MS,
            Math.max(50, (res.socket?.timeout || 4 * PROGRESS_MS) / 4),
          );
          timer = setInterval(() => {
            const now = sentSoFar();
            if (now !== last && res.socket)
              res.socket.setTimeout(res.socket.timeout ?? 0);
            last = now;
          }, every).unref();
        };
        res.flushHeaders();
        const socket = res.socket;
        if (socket && socket.writableLength > 0) socket.once('drain', go);
        else go();
      }),
  };
}
