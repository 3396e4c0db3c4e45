/**
 * One passive-mode FTP download of the benchmarks' load generator (load.ts, for ftp:// URLs): USER/PASS, TYPE I,
 * PASV, RETR, QUIT over phonesim's control connection (ftp-control.ts). The data connection reads into one
 * static buffer shared by every connection of the process (net.connect onread, as wire-get.ts) with SO_RCVLOWAT
 * at its size (phonesim's rcvlowat.ts: one wake-up per buffer, the FIN wakes it for the tail); the bytes are
 * counted, never copied or hashed. Every wait is bounded by the timeout; a failure is counted, never thrown.
 */
import { connect, type Socket } from 'node:net';
import {
  Control,
  parsePasv,
  type Reply,
} from '../../phonesim/src/ftp-control.ts';
import { setRcvLowat } from '../../phonesim/src/rcvlowat.ts';
import type { GetResult } from './wire-get.ts';

const SHARED = Buffer.allocUnsafe(256 * 1024);

/**
 * At most this many sessions of the process between their connect and the server's greeting at once. vsftpd
 * listens with a backlog of 32: 100 connects at once overflow it (TcpExtListenOverflows), and a connection whose
 * last handshake ACK was dropped is open on the client's side only, so its 220 comes once the client speaks,
 * never for a client that waits for it: 81 of 200 downloads failed at the 60 s timeout in the first trial
 * (bench/results/ftp.md). curl processes started by xargs were too slow to start to overflow it; one process is not.
 */
const GREETING_WINDOW = 16;
let greeting = 0;
const waiting: (() => void)[] = [];
const enterGreeting = (): Promise<void> => {
  if (greeting < GREETING_WINDOW) {
    greeting++;
    return Promise.resolve();
  }
  return new Promise((r) => waiting.push(r));
};
const leaveGreeting = (): void => {
  const next = waiting.shift();
  if (next) next();
  else greeting--;
};

interface Data {
  readonly sock: Socket;
  /** True once connected; false on an error or after the timeout. */
  readonly connected: Promise<boolean>;
  /** True at the server's FIN; false on an error or a stall of the timeout. */
  readonly ended: Promise<boolean>;
  readonly bytes: () => number;
}

/** A data connection whose bytes are counted as they are read into SHARED (the callback consumes them). */
function openData(host: string, port: number, timeoutMs: number): Data {
  let bytes = 0;
  const sock = connect({
    host,
    port,
    onread: {
      buffer: SHARED,
      callback: (n: number) => {
        bytes += n;
        return true;
      },
    },
  });
  sock.setTimeout(timeoutMs, () => sock.destroy()); // no connection or no byte for that long
  sock.on('error', () => undefined); // 'close' follows and settles both promises
  const closed = new Promise<false>((r) => sock.once('close', () => r(false)));
  const connected = new Promise<boolean>((r) =>
    sock.once('connect', () => {
      setRcvLowat(sock, SHARED.length);
      r(true);
    }),
  );
  const ended = new Promise<boolean>((r) => sock.once('end', () => r(true)));
  return {
    sock,
    connected: Promise.race([connected, closed]),
    ended: Promise.race([ended, closed]),
    bytes: () => bytes,
  };
}

/** The session after the greeting, step by step; false at the first reply that is not one of the expected codes, or none. */
async function session(
  ctl: Control,
  url: URL,
  timeoutMs: number,
  setData: (d: Data) => void,
): Promise<boolean> {
  const expect = async (
    line: string | undefined,
    codes: readonly number[],
  ): Promise<Reply | undefined> => {
    const r = line === undefined ? await ctl.next() : await ctl.command(line);
    return r.ok && codes.includes(r.value.code) ? r.value : undefined;
  };
  const user = await expect(
    `USER ${decodeURIComponent(url.username) || 'anonymous'}`,
    [230, 331],
  );
  if (!user) return false;
  if (
    user.code === 331 &&
    !(await expect(`PASS ${decodeURIComponent(url.password)}`, [230, 202]))
  )
    return false;
  if (!(await expect('TYPE I', [200]))) return false;
  const pasv = await expect('PASV', [227]);
  const addr = pasv && parsePasv(pasv.text);
  if (!addr) return false;
  const data = openData(
    addr.host === '0.0.0.0' ? url.hostname : addr.host,
    addr.port,
    timeoutMs,
  );
  setData(data);
  if (!(await data.connected)) return false;
  // the path relative to the login folder, as curl's URL means it (curl walks there by CWD; one RETR here)
  const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!(await expect(`RETR ${path}`, [150, 125]))) return false;
  const [ended, done] = await Promise.all([
    data.ended,
    expect(undefined, [226, 250]),
  ]);
  await expect('QUIT', [221]); // bounded; the download is complete either way
  return ended && done !== undefined;
}

export async function ftpGet(
  url: URL,
  size: number,
  timeoutMs: number,
): Promise<GetResult> {
  await enterGreeting();
  const sock = connect({
    host: url.hostname,
    port: Number(url.port || 21),
    noDelay: true,
  });
  const ctl = new Control(sock, timeoutMs); // its every wait is bounded, a broken connection a failed reply
  const hello = await ctl.next();
  leaveGreeting();
  let data: Data | undefined;
  try {
    const ok =
      hello.ok &&
      hello.value.code === 220 &&
      (await session(ctl, url, timeoutMs, (d) => {
        data = d;
      }));
    const bytes = data?.bytes() ?? 0;
    return { ok: ok && bytes === size, bytes };
  } catch {
    return { ok: false, bytes: data?.bytes() ?? 0 };
  } finally {
    sock.destroy();
    data?.sock.destroy();
  }
}
