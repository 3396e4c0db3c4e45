/**
 * Data-connection hygiene for ftp-srv 4.6.3, installed on each control connection as it connects:
 *   - one data listener per control connection: a new PASV / EPSV / PORT closes the previous connector's
 *     listener and socket (ftp-srv kept each one open until its own 30 s timer, so one client could hold the
 *     whole passive range and legitimate clients got 425);
 *   - a stale connector that ends later (its timer, its listener's close event) no longer replaces the
 *     current connector (ftp-srv's end() assigns a fresh one unconditionally);
 *   - passive listeners per client address are bounded (425 past the bound);
 *   - PORT / EPRT with a port outside 1-65535 or a malformed address answers 501 (ftp-srv answered
 *     "ERR_SOCKET_BAD_PORT" with no status code).
 * Everything goes through the connection's `connector` property, which every ftp-srv command assigns.
 */
import { isIPv4 } from 'node:net';

interface DataServer {
  close(): void;
  listening?: boolean;
}
interface Connector {
  type: string | false;
  connection: unknown;
  dataServer: DataServer | null;
  closeSocket(): void;
  closeServer(): void;
  setupServer?: () => Promise<unknown>;
  setupConnection?: (
    host: string,
    port: number,
    family?: number,
  ) => Promise<unknown>;
}
export interface GuardedConnection {
  connector: Connector;
  ip: string;
}

export interface PassiveGuard {
  /** Hook one control connection (call on ftp-srv's "connect"). */
  install(connection: GuardedConnection): void;
  /** Open passive listeners of one client address. */
  listeners(ip: string): number;
}

const replyError = (code: number, message: string): Error =>
  Object.assign(new Error(message), { code });

export function createPassiveGuard(opts: {
  maxPerClient: number;
}): PassiveGuard {
  const byClient = new Map<string, Set<Connector>>();
  const open = (ip: string): Set<Connector> => {
    let s = byClient.get(ip);
    if (!s) {
      s = new Set();
      byClient.set(ip, s);
    }
    return s;
  };
  const forget = (ip: string, c: Connector): void => {
    const s = byClient.get(ip);
    if (!s) return;
    s.delete(c);
    if (s.size === 0) byClient.delete(ip);
  };
  const listening = (ip: string): number => {
    let n = 0;
    for (const c of byClient.get(ip) ?? [])
      if (c.dataServer) n++;
      else forget(ip, c);
    return n;
  };

  const guardPassive = (ip: string, c: Connector): void => {
    const setup = c.setupServer!.bind(c);
    c.setupServer = () => {
      if (listening(ip) >= opts.maxPerClient)
        return Promise.reject(
          replyError(425, `too many passive data connections from ${ip}`),
        );
      open(ip).add(c);
      return setup();
    };
  };
  const guardActive = (c: Connector): void => {
    const setup = c.setupConnection!.bind(c);
    c.setupConnection = (host, port, family) => {
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return Promise.reject(replyError(501, 'bad port in PORT / EPRT'));
      if ((family ?? 4) === 4 && !isIPv4(host))
        return Promise.reject(replyError(501, 'bad address in PORT / EPRT'));
      return setup(host, port, family);
    };
  };

  return {
    install(connection) {
      let current = connection.connector;
      Object.defineProperty(connection, 'connector', {
        configurable: true,
        enumerable: true,
        get: () => current,
        set(next: Connector) {
          if (next === current) return;
          // ftp-srv's Connector#end() assigns `new Connector(this)`: its `connection` is the connector that
          // ended. Only the current connector may reset the connection; a stale one is ignored.
          if (next.connection !== connection && next.connection !== current)
            return;
          const prev = current;
          current = next;
          if (next.connection === connection) {
            // A new PASV / EPSV / PORT: the previous data listener and socket go now.
            prev.closeSocket();
            prev.closeServer();
          }
          forget(connection.ip, prev);
          if (next.type === 'passive' && typeof next.setupServer === 'function')
            guardPassive(connection.ip, next);
          if (
            next.type === 'active' &&
            typeof next.setupConnection === 'function'
          )
            guardActive(next);
        },
      });
    },
    listeners: listening,
  };
}
