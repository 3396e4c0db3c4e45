/**
 * A small passive-mode FTP client, as a phone uses FTP (the factory default server type): one control
 * connection per boot, USER/PASS, TYPE I, CWD to the boot-server folder, then PASV + RETR / STOR per file.
 * The control connection is ftp-control.ts, the sockets ftp-data.ts. Failures are typed, never thrown.
 */
import type net from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import type { BootLocation } from './boot-server.ts';
import { type SimError, type SimErrorCode, simError } from './errors.ts';
import { Control, codeFor, parsePasv, type Reply } from './ftp-control.ts';
import { connect, retrieve, writeAll } from './ftp-data.ts';
import type { ClientContext, Fetched, FileClient } from './transfer.ts';

export function createFtpClient(
  loc: BootLocation,
  ctx: ClientContext,
): FileClient {
  let control: Control | undefined;
  let retries = 0;

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
    const s = await connect(loc.host, loc.port, ctx);
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
    const data = await connect(host, addr.port, ctx, onChunk);
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
        const r = retrieve(keep, ctx.timeoutMs);
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
