/**
 * A small passive-mode FTP client, as a phone uses FTP (the factory default server type): one control
 * connection per boot, USER/PASS, TYPE I, CWD to the boot-server folder, then PASV + RETR / STOR per file.
 * Replies are read line-buffered (multi-line "123-…" replies included). Failures are typed, never thrown.
 */
import net from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import type { BootLocation } from './boot-server.ts';
import { type SimError, type SimErrorCode, simError } from './errors.ts';
import {
  type ClientContext,
  Collector,
  type Fetched,
  type FileClient,
} from './transfer.ts';

interface Reply {
  readonly code: number;
  readonly text: string;
}

/**
 * The one buffer every data connection of the process reads into: each chunk is consumed (hashed, copied if
 * kept) synchronously in the read callback, before the next read reuses the buffer.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

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

class Control {
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

const codeFor = (reply: Reply, notFound: SimErrorCode): SimErrorCode =>
  reply.code === 550 || reply.code === 450
    ? notFound
    : reply.code === 530 || reply.code === 532 || reply.code === 553
      ? 'SIM_DENIED'
      : 'SIM_PROTOCOL';

export function createFtpClient(
  loc: BootLocation,
  ctx: ClientContext,
): FileClient {
  let control: Control | undefined;
  let retries = 0;

  /** onChunk: read into the shared READ_BUFFER and hand each chunk over (no 'data' events, no buffer per read). */
  const connect = (
    host: string,
    port: number,
    onChunk?: (chunk: Buffer) => void,
  ): Promise<Result<net.Socket, SimError>> =>
    new Promise((resolve) => {
      const s = net.connect({
        host,
        port,
        ...(ctx.localAddress ? { localAddress: ctx.localAddress } : {}),
        ...(onChunk
          ? {
              onread: {
                buffer: READ_BUFFER,
                callback: (n: number, b: Uint8Array) => {
                  onChunk(Buffer.from(b.buffer, b.byteOffset, n));
                  return true;
                },
              },
            }
          : {}),
      });
      const timer = setTimeout(() => {
        s.destroy();
        resolve(
          err(simError('SIM_TIMEOUT', `FTP connect ${host}:${port} timed out`)),
        );
      }, ctx.timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(ok(s));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        resolve(
          err(simError('SIM_IO', `FTP connect ${host}:${port}: ${e.message}`)),
        );
      });
    });

  const expect = async (
    line: string,
    okCodes: number[],
    failCode: SimErrorCode = 'SIM_PROTOCOL',
  ): Promise<Result<Reply, SimError>> => {
    const r = await control!.command(line);
    if (!r.ok) return r;
    if (!okCodes.includes(r.value.code))
      return err(
        simError(
          codeFor(r.value, failCode),
          `FTP ${line.startsWith('PASS') ? 'PASS ***' : line}: ${r.value.code} ${r.value.text}`,
        ),
      );
    return r;
  };

  const login = async (): Promise<Result<void, SimError>> => {
    if (control) return ok(undefined);
    const s = await connect(loc.host, loc.port);
    if (!s.ok) return s;
    const c = new Control(s.value, ctx.timeoutMs);
    control = c;
    const hello = await c.next();
    if (!hello.ok || hello.value.code !== 220) {
      drop();
      return err(
        hello.ok
          ? simError('SIM_PROTOCOL', `FTP greeting ${hello.value.code}`)
          : hello.error,
      );
    }
    // Each login command in turn; the first refusal drops the connection. PASS only when USER asked for it.
    const steps: [string, number[], SimErrorCode?][] = [
      [`USER ${loc.user ?? 'anonymous'}`, [230, 331], 'SIM_DENIED'],
    ];
    for (let k = 0; k < steps.length; k++) {
      const [line, codes, fail] = steps[k]!;
      const r = await expect(line, codes, fail);
      if (!r.ok) {
        drop();
        return r;
      }
      if (k === 0) {
        if (r.value.code === 331)
          steps.push([`PASS ${loc.password ?? ''}`, [230, 202], 'SIM_DENIED']);
        steps.push(['TYPE I', [200]]);
        if (loc.base !== '')
          steps.push([`CWD ${loc.base}`, [250, 200], 'SIM_NOT_FOUND']);
      }
    }
    return ok(undefined);
  };

  const drop = (): void => {
    control?.sock.destroy();
    control = undefined;
  };

  /** PASV + a data connection (reading into `onChunk` when given) + the transfer command; runs `onData` with the data socket. */
  const transfer = async (
    cmd: string,
    notFound: SimErrorCode,
    onData: (s: net.Socket) => Promise<Result<Fetched, SimError>>,
    onChunk?: (chunk: Buffer) => void,
  ): Promise<Result<Fetched, SimError>> => {
    const l = await login();
    if (!l.ok) return l;
    const pasv = await expect('PASV', [227]);
    if (!pasv.ok) {
      drop();
      return pasv;
    }
    const addr = parsePasv(pasv.value.text);
    if (!addr) {
      drop();
      return err(
        simError(
          'SIM_PROTOCOL',
          `FTP PASV reply unreadable: ${pasv.value.text}`,
        ),
      );
    }
    const host = addr.host === '0.0.0.0' ? loc.host : addr.host;
    const data = await connect(host, addr.port, onChunk);
    if (!data.ok) {
      drop();
      return data;
    }
    const started = await control!.command(cmd);
    if (!started.ok) {
      data.value.destroy();
      drop();
      return started;
    }
    if (started.value.code !== 150 && started.value.code !== 125) {
      data.value.destroy();
      return err(
        simError(
          codeFor(started.value, notFound),
          `FTP ${cmd}: ${started.value.code} ${started.value.text}`,
        ),
      );
    }
    const body = await onData(data.value);
    if (!body.ok) {
      data.value.destroy();
      drop();
      return body;
    }
    const done = await control!.next();
    if (!done.ok) {
      drop();
      return done;
    }
    if (done.value.code !== 226 && done.value.code !== 250)
      return err(
        simError(
          codeFor(done.value, notFound),
          `FTP ${cmd}: ${done.value.code} ${done.value.text}`,
        ),
      );
    return body;
  };

  /**
   * A RETR's data: chunks are hashed (and copied when kept) by the Collector as they are read, so the shared
   * read buffer is free again when onChunk returns; `read` then waits for the end (or a stall).
   */
  const retrieve = (keep: boolean) => {
    const col = new Collector(keep);
    let timer: NodeJS.Timeout | undefined;
    return {
      onChunk: (c: Buffer): void => {
        col.add(c);
        timer?.refresh();
      },
      read: (s: net.Socket): Promise<Result<Fetched, SimError>> =>
        new Promise((resolve) => {
          timer = setTimeout(() => {
            s.destroy();
            resolve(
              err(simError('SIM_TIMEOUT', 'FTP data connection stalled')),
            );
          }, ctx.timeoutMs);
          const end = (): void => {
            clearTimeout(timer);
            resolve(ok(col.done()));
          };
          if (s.readableEnded) {
            end();
            return;
          }
          s.on('end', end);
          s.on('error', (e) => {
            clearTimeout(timer);
            resolve(err(simError('SIM_IO', `FTP data: ${e.message}`)));
          });
        }),
    };
  };

  const writeAll = (
    s: net.Socket,
    data: Buffer,
  ): Promise<Result<Fetched, SimError>> =>
    new Promise((resolve) => {
      s.on('error', (e) =>
        resolve(err(simError('SIM_IO', `FTP data: ${e.message}`))),
      );
      s.end(data, () => resolve(ok(new Collector(false).done())));
    });

  /** One reconnect when the control connection broke between files (server restart, idle timeout). */
  const withRetry = async (
    fn: () => Promise<Result<Fetched, SimError>>,
  ): Promise<Result<Fetched, SimError>> => {
    const first = await fn();
    if (
      first.ok ||
      (first.error.code !== 'SIM_IO' && first.error.code !== 'SIM_TIMEOUT')
    )
      return first;
    drop();
    retries++;
    return fn();
  };

  return {
    get: (path, _ua, keep = true) =>
      withRetry(() => {
        const r = retrieve(keep);
        return transfer(`RETR ${path}`, 'SIM_NOT_FOUND', r.read, r.onChunk);
      }),
    async put(path, data) {
      const r = await withRetry(() =>
        transfer(`STOR ${path}`, 'SIM_UPLOAD_REJECTED', (s) =>
          writeAll(s, data),
        ),
      );
      return r.ok ? ok(undefined) : r;
    },
    async size(path) {
      const l = await login();
      if (!l.ok) return l;
      const r = await control!.command(`SIZE ${path}`);
      if (!r.ok) return r;
      return ok(r.value.code === 213 ? Number(r.value.text.trim()) : undefined);
    },
    retries: () => retries,
    async close() {
      if (!control) return;
      const c = control;
      control = undefined;
      c.sock.write('QUIT\r\n');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          c.sock.destroy();
          resolve();
        }, 500);
        c.sock.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        c.sock.end();
      });
    },
  };
}
