/**
 * FTP logins: each address's attempts wait for its back-off slot (shared/login-throttle.ts) before the password
 * is checked (accounts.ts); a refusal is counted and logged (the user name made safe to log), an accepted
 * login gets its connection's transfer list and a TreeFileSystem (filesystem.ts) confined to its account.
 */
import type { Socket } from 'node:net';
import type { FtpConnection, FtpSrv } from 'ftp-srv';
import type { ServiceDeps } from '../runtime/deps.ts';
import { plainAddress } from '../shared/ipv4.ts';
import type { Logger } from '../shared/log.ts';
import type { Admission, LoginThrottle } from '../shared/login-throttle.ts';
import { authenticate } from './accounts.ts';
import { resultCode } from './errors.ts';
import { TreeFileSystem } from './filesystem.ts';
import { ConnectionTransfers, type TransferLog } from './transfers.ts';

/** The counters logins add to (part of the service's FtpStats). */
export interface LoginStats {
  loginFailures: number;
  /** Login attempts that waited for their address's back-off slot, or were refused for too many waiting. */
  loginThrottled: number;
}

export interface LoginContext {
  readonly deps: ServiceDeps;
  readonly log: Logger;
  readonly stats: LoginStats;
  readonly throttle: LoginThrottle;
  /** Each logged-in connection's transfers, by connection id (swept when it disconnects). */
  readonly perConnection: Map<string, ConnectionTransfers>;
  readonly tlog: TransferLog;
  /** Downloads reading from disk right now, server-wide. */
  readonly reads: { active: number };
  readonly graceMs: number;
  /** Set once close() begins: the transfers it cuts are recorded as the server's doing, not the client's. */
  readonly cut: () => 'FTP_SERVER_SHUTDOWN' | undefined;
}

/** A user name as logged: at most 64 characters, control characters shown as '?'. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
const CONTROL = /[\x00-\x1f\x7f]/g;
const logUser = (u: string): string => u.slice(0, 64).replace(CONTROL, '?');

/** Answers the server's 'login' events. */
export function handleLogins(server: FtpSrv, ctx: LoginContext): void {
  const { deps, log, stats, throttle } = ctx;
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
    ctx.perConnection.set(connection.id, transfers);
    const control = (connection as unknown as { commandSocket: Socket })
      .commandSocket;
    const controlClosed = new Promise<void>((r) => {
      control.once('close', () => r());
    });
    connection.on('RETR', (error: unknown) => {
      const t = transfers.currentDownload();
      if (!t) return;
      if (error) t.finish(ctx.cut() ?? resultCode(error), t.sent?.());
      else t.finish('ok');
      transfers.settle(t);
    });
    const fs = new TreeFileSystem(connection as FtpConnection, {
      tree: deps.tree,
      account,
      peer,
      leases: deps.leases,
      transfers,
      tlog: ctx.tlog,
      graceMs: ctx.graceMs,
      controlClosed,
      reads: ctx.reads,
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
}
