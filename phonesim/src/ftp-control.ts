/**
 * The FTP client's control connection: replies read line-buffered (multi-line "123-…" replies included),
 * one command and its reply at a time, every wait bounded; the PASV reply's address; which error code a
 * refusal means. Failures are typed, never thrown.
 */
import type net from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, type SimErrorCode, simError } from './errors.ts';

export interface Reply {
  readonly code: number;
  readonly text: string;
}

/** Parses "227 Entering Passive Mode (10,0,0,1,195,80)" → host and port. */
export function parsePasv(
  text: string,
): { host: string; port: number } | undefined {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(
    text,
  );
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

export class Control {
  readonly sock: net.Socket;
  private buf = '';
  private multi: { code: string; lines: string[] } | undefined;
  private readonly replies: Reply[] = [];
  private waiter: ((r: Result<Reply, SimError>) => void) | undefined;
  private failure: SimError | undefined;
  private readonly timeoutMs: number;
  constructor(sock: net.Socket, timeoutMs: number) {
    this.sock = sock;
    this.timeoutMs = timeoutMs;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (e) =>
      this.fail(simError('SIM_IO', `FTP control: ${e.message}`)),
    );
    sock.on('close', () =>
      this.fail(simError('SIM_IO', 'FTP control connection closed')),
    );
  }
  private fail(e: SimError): void {
    if (!this.failure) this.failure = e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(err(e));
  }
  private onData(d: string): void {
    this.buf += d;
    if (this.buf.length > 65536) {
      this.fail(simError('SIM_PROTOCOL', 'FTP reply too long'));
      this.sock.destroy();
      return;
    }
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line);
    }
  }
  private onLine(line: string): void {
    if (this.multi) {
      this.multi.lines.push(line);
      if (line.startsWith(`${this.multi.code} `)) {
        const r = {
          code: Number(this.multi.code),
          text: this.multi.lines.join('\n'),
        };
        this.multi = undefined;
        this.push(r);
      }
      return;
    }
    const m = /^(\d{3})([ -])(.*)$/.exec(line);
    if (!m) return;
    if (m[2] === '-') {
      this.multi = { code: m[1]!, lines: [line] };
      return;
    }
    this.push({ code: Number(m[1]), text: m[3]! });
  }
  private push(r: Reply): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(ok(r));
    } else this.replies.push(r);
  }
  /** The next reply (skipping nothing); times out. */
  next(): Promise<Result<Reply, SimError>> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(ok(queued));
    if (this.failure) return Promise.resolve(err(this.failure));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(err(simError('SIM_TIMEOUT', 'FTP server did not reply')));
      }, this.timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }
  async command(line: string): Promise<Result<Reply, SimError>> {
    if (this.failure) return err(this.failure);
    this.sock.write(`${line}\r\n`);
    return this.next();
  }
}

/** A refusal's error code: 550/450 are the caller's "not found", 530/532/553 a denial. */
export const codeFor = (reply: Reply, notFound: SimErrorCode): SimErrorCode =>
  reply.code === 550 || reply.code === 450
    ? notFound
    : reply.code === 530 || reply.code === 532 || reply.code === 553
      ? 'SIM_DENIED'
      : 'SIM_PROTOCOL';
