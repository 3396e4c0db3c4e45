/**
 * HTTP / HTTPS transfers as a Polycom phone makes them: GET for files, PUT for logs, call lists and overrides
 * (facts §7), the phone's User-Agent, basic auth from the boot-server URL, one keep-alive connection.
 * Plain HTTP goes through http-wire.ts (no Buffer per body chunk; the same request bytes as node:http),
 * HTTPS through node:https.
 */
import http from 'node:http';
import https from 'node:https';
import { err, ok, type Result } from '../../src/shared/result.ts';
import type { BootLocation } from './boot-server.ts';
import { type SimError, simError } from './errors.ts';
import { HttpConnection, requestHead } from './http-wire.ts';
import {
  type ClientContext,
  Collector,
  type Fetched,
  type FileClient,
  joinPath,
  type UserAgentType,
} from './transfer.ts';

export interface HttpOptions {
  /** Accept a certificate the phone cannot verify (self-signed lab appliance). */
  readonly insecure?: boolean;
  readonly ca?: string | Buffer | undefined;
  /** Plain HTTP through 'wire' (http-wire.ts, default) or 'node' (node:http: the reference its tests compare). */
  readonly client?: 'wire' | 'node';
}

function statusError(status: number, method: string, path: string): SimError {
  const what = `${method} /${path}: HTTP ${status}`;
  if (status === 404 || status === 410) return simError('SIM_NOT_FOUND', what);
  if (status === 401 || status === 403 || status === 405)
    return simError('SIM_DENIED', what);
  return simError('SIM_PROTOCOL', what);
}

export function createHttpClient(
  loc: BootLocation,
  ctx: ClientContext,
  opts: HttpOptions = {},
): FileClient {
  const secure = loc.protocol === 'https';
  const agentOpts = {
    keepAlive: true,
    maxSockets: 1,
    ...(ctx.localAddress ? { localAddress: ctx.localAddress } : {}),
  };
  const agent = secure
    ? new https.Agent({
        ...agentOpts,
        rejectUnauthorized: !opts.insecure,
        ...(opts.ca ? { ca: opts.ca } : {}),
      })
    : new http.Agent(agentOpts);
  const auth =
    loc.user !== undefined
      ? `Basic ${Buffer.from(`${loc.user}:${loc.password ?? ''}`).toString('base64')}`
      : undefined;
  let retries = 0;
  const host = loc.host.replace(/^\[|\]$/g, '');
  const wire =
    secure || opts.client === 'node'
      ? undefined
      : new HttpConnection(host, loc.port, ctx.localAddress);

  const request = (
    method: 'GET' | 'PUT' | 'HEAD',
    path: string,
    ua: UserAgentType,
    body?: Buffer,
    keep = true,
  ): Promise<
    Result<
      { status: number; body: Fetched; length: number | undefined },
      SimError
    >
  > =>
    new Promise((resolve) => {
      const full = joinPath(loc.base, path);
      const headers: Record<string, string> = {
        'User-Agent': ctx.userAgent(ua),
        Accept: '*/*',
      };
      if (auth) headers.Authorization = auth;
      if (body) {
        headers['Content-Length'] = String(body.length);
        headers['Content-Type'] = 'application/octet-stream';
      }
      const target = `/${full.split('/').map(encodeURIComponent).join('/')}`;
      if (wire) {
        wire
          .request(
            requestHead(
              method,
              target,
              Object.entries(headers),
              host,
              loc.port,
            ),
            body,
            method === 'HEAD',
            keep,
            ctx.timeoutMs,
            `${method} /${full}`,
          )
          .then(resolve);
        return;
      }
      const mod = secure ? https : http;
      const req = mod.request({
        host,
        port: loc.port,
        method,
        path: target,
        headers,
        agent,
      });
      const timer = setTimeout(
        () => req.destroy(new Error('timeout')),
        ctx.timeoutMs,
      );
      req.on('response', (res) => {
        const col = new Collector(keep);
        res.on('data', (c: Buffer) => {
          col.add(c);
          timer.refresh();
        });
        res.on('end', () => {
          clearTimeout(timer);
          const len = res.headers['content-length'];
          resolve(
            ok({
              status: res.statusCode ?? 0,
              body: col.done(),
              length: len !== undefined ? Number(len) : undefined,
            }),
          );
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          resolve(err(simError('SIM_IO', `${method} /${full}: ${e.message}`)));
        });
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        resolve(
          err(
            simError(
              e.message === 'timeout' ? 'SIM_TIMEOUT' : 'SIM_IO',
              `${method} /${full}: ${e.message}`,
            ),
          ),
        );
      });
      req.end(body);
    });

  /** One retry on a connection error: a keep-alive socket the server closed in between. */
  const withRetry = async <T>(
    fn: () => Promise<Result<T, SimError>>,
  ): Promise<Result<T, SimError>> => {
    const first = await fn();
    if (first.ok || first.error.code !== 'SIM_IO') return first;
    retries++;
    return fn();
  };

  return {
    async get(path, ua, keep = true) {
      const r = await withRetry(() =>
        request('GET', path, ua, undefined, keep),
      );
      if (!r.ok) return r;
      if (r.value.status !== 200)
        return err(
          statusError(r.value.status, 'GET', joinPath(loc.base, path)),
        );
      return ok(r.value.body);
    },
    async put(path, data, ua) {
      const r = await withRetry(() => request('PUT', path, ua, data));
      if (!r.ok) return r;
      if (r.value.status < 200 || r.value.status > 204)
        return err(
          statusError(r.value.status, 'PUT', joinPath(loc.base, path)),
        );
      return ok(undefined);
    },
    async size(path, ua) {
      const r = await withRetry(() => request('HEAD', path, ua));
      if (!r.ok) return r;
      if (r.value.status === 404) return ok(undefined);
      if (r.value.status !== 200)
        return err(
          statusError(r.value.status, 'HEAD', joinPath(loc.base, path)),
        );
      return ok(r.value.length);
    },
    retries: () => retries,
    async close() {
      agent.destroy();
      wire?.destroy();
    },
  };
}
