/**
 * FTP control replies read off a socket for the raw test clients (ftp-control.ts, ftp-burst.ts): next() is the
 * next complete reply (multi-line aware), or '' once the server closed or the deadline passed; `all` is
 * everything received, `closed` whether the server closed (or the socket failed).
 */
import type { Socket } from 'node:net';

export interface ReplyReader {
  next(): Promise<string>;
  readonly all: string;
  readonly closed: boolean;
}

const REPLY = /^(\d{3})(?:-[\s\S]*?\r?\n\1 [^\n]*|[ ][^\n]*)\r?\n/;

export function replyReader(sock: Socket, timeoutMs: number): ReplyReader {
  let all = '';
  let pending = '';
  let closed = false;
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    const t = d.toString('latin1');
    all += t;
    pending += t;
    wake?.();
  });
  sock.on('error', () => {
    closed = true;
    wake?.();
  });
  sock.on('close', () => {
    closed = true;
    wake?.();
  });
  return {
    async next() {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = REPLY.exec(pending);
        if (m) {
          pending = pending.slice(m[0].length);
          return m[0].trimEnd();
        }
        if (closed || Date.now() > until) return '';
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 100);
        });
      }
    },
    get all() {
      return all;
    },
    get closed() {
      return closed;
    },
  };
}
