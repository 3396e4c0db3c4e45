/**
 * startHttpServers: the HTTP and HTTPS listeners over one express app, from services.http / services.https.
 *
 * HTTPS reads services.https.cert and .key (PEM file paths). With services.https.clientCa set, the TLS layer
 * requests a client certificate and refuses (handshake alert) any client without one signed by that CA.
 * Malformed HTTP and failed TLS handshakes are dropped and counted, never fatal.
 */

import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { ServiceDeps } from '../runtime/deps.ts';
import { ApplianceError } from '../shared/errors.ts';
import { http } from '../shared/node-http.ts';
import type { Service } from '../shared/service.ts';
import { createHttpApp } from './app.ts';

export interface HttpStats {
  /** Requests the HTTP parser refused (bad syntax, oversized headers, timeouts). */
  malformedRequests: number;
  /** TLS handshakes that failed (no or untrusted client certificate, protocol errors). */
  tlsFailures: number;
}

export interface HttpService extends Service {
  /** Bound ports, when that server runs (useful with port 0). */
  readonly httpPort: number | undefined;
  readonly httpsPort: number | undefined;
  readonly stats: Readonly<HttpStats>;
}

type AnyServer = Server | https.Server;

function listen(
  server: AnyServer,
  port: number,
  host: string | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.removeListener('error', onError);
      // Later errors (EMFILE on accept …) must be logged, not thrown: an 'error' with no listener kills the process.
      server.on('error', () => undefined);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

async function tlsOptions(cfg: {
  cert: string | undefined;
  key: string | undefined;
  clientCa: string | undefined;
}): Promise<https.ServerOptions> {
  if (cfg.cert === undefined || cfg.key === undefined) {
    throw new ApplianceError(
      'HTTP_TLS_CONFIG',
      'services.https needs cert and key',
    );
  }
  try {
    const [cert, key, ca] = await Promise.all([
      readFile(cfg.cert),
      readFile(cfg.key),
      cfg.clientCa === undefined ? undefined : readFile(cfg.clientCa),
    ]);
    const base: https.ServerOptions = { cert, key, minVersion: 'TLSv1.2' };
    return ca === undefined
      ? base
      : { ...base, ca, requestCert: true, rejectUnauthorized: true };
  } catch (e) {
    throw new ApplianceError(
      'HTTP_TLS_CONFIG',
      `cannot read the HTTPS certificate files: ${(e as Error).message}`,
    );
  }
}

export async function startHttpServers(
  deps: ServiceDeps & { httpPort?: number; httpsPort?: number },
): Promise<HttpService> {
  const cfg = deps.model.current().services;
  const log = deps.log.child({ component: 'http' });
  const inflight = new Set<Promise<void>>();
  let closing = false;
  const app = createHttpApp(
    { ...deps, log },
    { inflight, closing: () => closing },
  );
  const stats: HttpStats = { malformedRequests: 0, tlsFailures: 0 };
  const servers: AnyServer[] = [];

  const onClientError = (
    e: Error & { code?: string },
    socket: Socket,
  ): void => {
    stats.malformedRequests++;
    log.debug(
      { code: e.code, peer: socket.remoteAddress },
      'malformed request dropped',
    );
    if (socket.writable && !socket.destroyed)
      socket.end(
        'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
    socket.destroy();
  };
  const harden = (s: AnyServer): void => {
    s.on('clientError', onClientError);
    // Expect: 100-continue goes to the app, which sends 100 only once the tree accepts the upload, so a
    // refused PUT (wrong MAC, over the cap …) is answered before the phone sends its body
    s.on('checkContinue', (req, res) => {
      app(req, res);
    });
    s.headersTimeout = 20_000;
    s.requestTimeout = 300_000; // receiving one whole request (a PUT body); downloads are not bounded by it
    s.timeout = 120_000; // a socket idle this long is closed
    s.keepAliveTimeout = 5_000;
    s.maxHeadersCount = 100;
  };

  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
    // cut transfers finish their bookkeeping (event, upload abort) before close() resolves
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...inflight]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 3_000);
      }),
    ]);
    clearTimeout(timer);
  };

  try {
    let httpPort: number | undefined;
    let httpsPort: number | undefined;
    if (cfg.http.enabled) {
      const s = http.createServer(app);
      harden(s);
      servers.push(s);
      httpPort = await listen(
        s,
        deps.httpPort ?? cfg.http.port,
        deps.bindAddress,
      );
    }
    if (cfg.https.enabled) {
      const s = https.createServer(await tlsOptions(cfg.https), app);
      harden(s);
      s.on('tlsClientError', (e: Error & { code?: string }, socket: Socket) => {
        stats.tlsFailures++;
        log.info(
          {
            code: 'HTTP_TLS_HANDSHAKE',
            tls: e.code,
            peer: socket.remoteAddress?.replace(/^::ffff:/, ''),
          },
          'TLS handshake refused',
        );
      });
      servers.push(s);
      httpsPort = await listen(
        s,
        deps.httpsPort ?? cfg.https.port,
        deps.bindAddress,
      );
    }
    log.info(
      {
        httpPort,
        httpsPort,
        mutualTls: cfg.https.enabled && cfg.https.clientCa !== undefined,
      },
      'http service listening',
    );
    return { name: 'http', close, httpPort, httpsPort, stats };
  } catch (e) {
    await close();
    throw e;
  }
}
