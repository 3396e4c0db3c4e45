/**
 * startFtpServer: ftp-srv 4.6.3 (patched, see patches/) over the virtual tree, from services.ftp.
 * Passive mode answers with the appliance address and uses services.ftp.pasvMin..pasvMax; explicit FTPS
 * (AUTH TLS) when services.ftp.cert and .key are set. ftp-srv never touches process signals here (main.ts
 * owns them); its own chatter goes to a pino child at debug level, and every transfer logs one line.
 */

import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { type FtpConnection, FtpSrv } from 'ftp-srv';
import type { ServiceDeps } from '../runtime/deps.ts';
import { ApplianceError } from '../shared/errors.ts';
import { plainAddress } from '../shared/ipv4.ts';
import {
  type Admission,
  createLoginThrottle,
  type ThrottleSchedule,
} from '../shared/login-throttle.ts';
import { prepareSendfile } from '../shared/sendfile.ts';
import type { Service } from '../shared/service.ts';
import { authenticate } from './accounts.ts';
import { resultCode } from './errors.ts';
import { TreeFileSystem } from './filesystem.ts';
import { createPassiveGuard, type GuardedConnection } from './passive-guard.ts';
import { ConnectionTransfers, createTransferLog } from './transfers.ts';

export interface FtpService extends Service {
  /** The bound control port (useful with port 0). */
  readonly port: number;
  readonly stats: Readonly<FtpStats>;
}

export interface FtpStats {
  connections: number;
  loginFailures: number;
  /** Login attempts that waited for their address's back-off slot, or were refused for too many waiting. */
  loginThrottled: number;
  /** Connections closed for a control line over the cap, or other client-side protocol errors. */
  clientErrors: number;
}

export interface FtpOptions {
  port?: number;
  /** How long an upload waits, after its data connection ended, to see whether the client is still there. */
  uploadGraceMs?: number;
  /** The login back-off (default shared/login-throttle.ts's). */
  loginThrottle?: Partial<ThrottleSchedule>;
}

/** A user name as logged: at most 64 characters, control characters shown as '?'. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
const CONTROL = /[\x00-\x1f\x7f]/g;
const logUser = (u: string): string => u.slice(0, 64).replace(CONTROL, '?');

const LOGIN_TIMEOUT_MS = 60_000;

async function tlsOptions(
  cert: string | undefined,
  key: string | undefined,
): Promise<{ cert: Buffer; key: Buffer } | false> {
  if (cert === undefined && key === undefined) return false;
  if (cert === undefined || key === undefined)
    throw new ApplianceError(
      'FTP_TLS_CONFIG',
      'services.ftp needs both cert and key for FTPS',
    );
  try {
    return { cert: await readFile(cert), key: await readFile(key) };
  } catch (e) {
    throw new ApplianceError(
      'FTP_TLS_CONFIG',
      `cannot read the FTPS certificate files: ${(e as Error).message}`,
    );
  }
}

export async function startFtpServer(
  deps: ServiceDeps & FtpOptions,
): Promise<FtpService> {
  const cfg = deps.model.current().services.ftp;
  const log = deps.log.child({ svc: 'ftp' });
  const host = deps.bindAddress ?? '0.0.0.0';
  const port = deps.port ?? cfg.port;
  const graceMs = deps.uploadGraceMs ?? 150;
  const tls = await tlsOptions(cfg.cert, cfg.key);
  const stats: FtpStats = {
    connections: 0,
    loginFailures: 0,
    loginThrottled: 0,
    clientErrors: 0,
  };
  const throttle = createLoginThrottle(deps.loginThrottle);
  // One data listener per control connection, and at most half the range per client address (passive-guard.ts).
  const guard = createPassiveGuard({
    maxPerClient: Math.max(1, Math.floor((cfg.pasvMax - cfg.pasvMin + 1) / 2)),
  });
  const tlog = createTransferLog(deps.events, log);
  const reads = { active: 0 };
  // RETR over a plain data connection by sendfile (sendfile-stream.ts)
  prepareSendfile(log);
  // Set once close() begins: the transfers it cuts are recorded as the server's doing, not the client's.
  let cut: 'FTP_SERVER_SHUTDOWN' | undefined;
  const perConnection = new Map<string, ConnectionTransfers>();
  const pasvAddress = (): string =>
    host !== '0.0.0.0' && host !== '::' ? host : deps.model.current().address;

  const internal = log.child({ component: 'ftp-srv' });
  if (!internal.isLevelEnabled('debug')) internal.level = 'silent';

  const server = new FtpSrv({
    url: `ftp://${host}:${port}`,
    pasv_url: pasvAddress as unknown as string, // ftp-srv accepts a function(clientIp) too
    pasv_min: cfg.pasvMin,
    pasv_max: cfg.pasvMax,
    tls,
    greeting: 'Polycom provisioning appliance',
    log: internal,
    // No idle timeout on the control connection: it is idle during every transfer, and a 60 MB image on a
    // slow link takes minutes. Dead peers are found by TCP keepalive instead (set on connect below).
    timeout: 0,
    endOnProcessSignal: false,
  } as ConstructorParameters<typeof FtpSrv>[0] & {
    endOnProcessSignal: boolean;
  });

  server.on('login', ({ connection, username, password }, resolve, reject) => {
    const peer = plainAddress(connection.ip, '');
    // Per address, exponential back-off (shared/login-throttle.ts): the password is checked only once the
    // address's slot comes, so guessing costs minutes per dozen tries, not milliseconds.
    const slot = throttle.admit(peer);
    if (!slot) {
      stats.loginThrottled++;
      const code = 'FTP_LOGIN_THROTTLED';
      log.debug(
        { peer, code },
        'ftp login refused unchecked: too many attempts waiting',
      );
      reject(
        new Error(
          `${code}: too many failed logins from this address; try again later`,
        ),
      );
      return;
    }
    if (slot.waitMs > 0) stats.loginThrottled++;
    const timer = setTimeout(
      () =>
        checkLogin(connection, username, password, peer, slot, resolve, reject),
      slot.waitMs,
    );
    timer.unref();
  });

  const checkLogin = (
    connection: FtpConnection,
    username: string,
    password: string,
    peer: string,
    slot: Admission,
    resolve: (r: { fs: TreeFileSystem; cwd: string }) => void,
    reject: (e: Error) => void,
  ): void => {
    const account = authenticate(deps.model.current(), username, password);
    slot.done(account !== undefined);
    if (!account) {
      stats.loginFailures++;
      log.warn(
        {
          peer,
          user: logUser(username),
          userLength: username.length,
          failures: throttle.failures(peer),
          code: 'FTP_LOGIN_FAILED',
        },
        'ftp login refused',
      );
      reject(new Error('Login incorrect'));
      return;
    }
    const transfers = new ConnectionTransfers();
    perConnection.set(connection.id, transfers);
    const control = (connection as unknown as { commandSocket: Socket })
      .commandSocket;
    const controlClosed = new Promise<void>((r) => {
      control.once('close', () => r());
    });
    connection.on('RETR', (error: unknown) => {
      const t = transfers.currentDownload();
      if (!t) return;
      if (error) t.finish(cut ?? resultCode(error), t.sent?.());
      else t.finish('ok');
      transfers.settle(t);
    });
    const fs = new TreeFileSystem(connection as FtpConnection, {
      tree: deps.tree,
      account,
      peer,
      leases: deps.leases,
      transfers,
      tlog,
      graceMs,
      controlClosed,
      reads,
      controlAlive: () => {
        const s = (
          connection as unknown as { commandSocket: Socket | undefined }
        ).commandSocket;
        return !!s && !s.destroyed && !s.readableEnded;
      },
    });
    log.debug(
      { peer, user: logUser(username), site: account.site },
      'ftp login',
    );
    resolve({ fs, cwd: '/' });
  };

  const emitter = server as unknown as EventEmitter;
  emitter.on(
    'connect',
    ({
      connection,
    }: {
      connection: {
        commandSocket?: Socket;
        authenticated?: boolean;
        close(code?: number, msg?: string): unknown;
      };
    }) => {
      stats.connections++;
      guard.install(connection as unknown as GuardedConnection);
      connection.commandSocket?.setKeepAlive(true, 60_000);
      // …but a connection that never logs in is closed after a minute.
      setTimeout(() => {
        if (
          !connection.authenticated &&
          connection.commandSocket &&
          !connection.commandSocket.destroyed
        )
          void connection.close(421, 'Login timeout');
      }, LOGIN_TIMEOUT_MS).unref();
    },
  );
  server.on('disconnect', ({ id }: { id: string }) => {
    const t = perConnection.get(id);
    perConnection.delete(id);
    t?.sweep(cut ?? 'FTP_DISCONNECTED');
  });
  server.on(
    'client-error',
    ({ context, error }: { context: string; error: Error }) => {
      stats.clientErrors++;
      log.debug({ context, err: error.message }, 'ftp client error');
    },
  );
  emitter.on('server-error', ({ error }: { error: Error }) => {
    log.error(
      { err: error.message, code: 'FTP_SERVER_ERROR' },
      'ftp server error',
    );
  });

  try {
    await server.listen();
  } catch (e) {
    throw new ApplianceError(
      'FTP_LISTEN',
      `cannot listen on ${host}:${port}: ${(e as Error).message}`,
    );
  }
  const raw = (
    server as unknown as {
      server: { address(): { port: number } | string | null };
    }
  ).server.address();
  const boundPort = typeof raw === 'object' && raw !== null ? raw.port : port;
  log.info(
    {
      host,
      port: boundPort,
      pasv: `${cfg.pasvMin}-${cfg.pasvMax}`,
      ftps: tls !== false,
    },
    'ftp listening',
  );

  let closing: Promise<void> | undefined;
  return {
    name: 'ftp',
    port: boundPort,
    stats,
    close() {
      cut = 'FTP_SERVER_SHUTDOWN';
      closing ??= (async () => {
        await server.close();
        for (const t of perConnection.values()) t.sweep(cut!);
        perConnection.clear();
      })();
      return closing;
    },
  };
}
