/**
 * startFtpServer: ftp-srv 4.6.3 (patched, see patches/) over the virtual tree, from services.ftp.
 * Passive mode answers with the appliance address and uses services.ftp.pasvMin..pasvMax; explicit FTPS
 * (AUTH TLS) when services.ftp.cert and .key are set. ftp-srv never touches process signals here (main.ts
 * owns them); its own chatter goes to a pino child at debug level, and every transfer logs one line.
 * Logins (back-off, password check, the connection's file system) are login.ts.
 */

import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { FtpSrv } from 'ftp-srv';
import type { ServiceDeps } from '../runtime/deps.ts';
import { ApplianceError } from '../shared/errors.ts';
import {
  createLoginThrottle,
  type ThrottleSchedule,
} from '../shared/login-throttle.ts';
import { prepareSendfile } from '../shared/sendfile.ts';
import type { Service } from '../shared/service.ts';
import { handleLogins, type LoginStats } from './login.ts';
import { createPassiveGuard, type GuardedConnection } from './passive-guard.ts';
import { type ConnectionTransfers, createTransferLog } from './transfers.ts';

export interface FtpService extends Service {
  /** The bound control port (useful with port 0). */
  readonly port: number;
  readonly stats: Readonly<FtpStats>;
}

export interface FtpStats extends LoginStats {
  connections: number;
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

  handleLogins(server, {
    deps,
    log,
    stats,
    throttle,
    perConnection,
    tlog,
    reads,
    graceMs,
    cut: () => cut,
  });

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
