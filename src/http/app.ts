/**
 * The one express app behind both the HTTP and the HTTPS server. No express static helper and no router
 * path matching: every request goes through handleFile, which asks the tree what exists.
 *
 * Order per request: method → request target → tree.normalize → mutual-TLS check → site basic auth →
 * GET/HEAD download or PUT upload. Every request that reaches the path step is recorded as one transfer.
 */

import type { TLSSocket } from 'node:tls';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import type { ServiceDeps } from '../runtime/deps.ts';
import { plainAddress as peerAddress } from '../shared/ipv4.ts';
import type { Mac } from '../shared/mac.ts';
import { prepareSendfile } from '../shared/sendfile.ts';
import type { ReadBudget } from '../tree/read-budget.ts';
import { authorize, challenge, siteForFolder } from './auth.ts';
import { createDownloadBudget, serveDownload } from './download.ts';
import { failure } from './errors.ts';
import { sendFailure, sendTreeFailure } from './reply.ts';
import { rawTreePath } from './request-path.ts';
import { startRecord, type TransferRecord } from './transfer-record.ts';
import { receiveUpload } from './upload.ts';

const ALLOWED = 'GET, HEAD, PUT';

const isTls = (req: Request): boolean =>
  (req.socket as Partial<TLSSocket>).encrypted === true;

/** What the server tells the app: the requests in flight, and whether it has begun to close. */
export interface AppLifecycle {
  readonly inflight: Set<Promise<void>>;
  readonly closing: () => boolean;
}

/** A bug answers 500 and is logged, never crashes the process nor leaks a stack trace. */
function internalError(
  deps: ServiceDeps,
  req: Request,
  res: Response,
  record: TransferRecord | undefined,
  error: unknown,
): void {
  deps.log.error(
    { err: error, url: req.url.slice(0, 256), code: 'HTTP_INTERNAL' },
    'http handler failed',
  );
  sendFailure(
    res,
    record,
    failure(500, 'HTTP_INTERNAL', 'internal error'),
    {},
    { close: true },
  );
}

async function handleFile(
  deps: ServiceDeps,
  req: Request,
  res: Response,
  closing: () => boolean,
  budget: ReadBudget,
): Promise<void> {
  const protocol = isTls(req) ? 'https' : 'http';
  const peer = peerAddress(req.socket.remoteAddress);
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') {
    deps.log.info(
      { protocol, peer, method, code: 'HTTP_METHOD_NOT_ALLOWED' },
      'refused method',
    );
    sendFailure(
      res,
      undefined,
      failure(
        405,
        'HTTP_METHOD_NOT_ALLOWED',
        `${method.slice(0, 20)} is not supported`,
      ),
      { Allow: ALLOWED },
      { close: true },
    );
    return;
  }
  const direction = method === 'PUT' ? 'upload' : 'download';
  const leaseMac = deps.leases.macForAddress(peer);
  const ua = req.headers['user-agent'];
  const record = startRecord(deps, {
    protocol,
    direction,
    peer,
    mac: leaseMac,
    path: req.url,
    userAgent: ua?.slice(0, 256),
    status: () => res.statusCode,
    closing,
  });
  try {
    await routeFile(deps, req, res, record, direction, leaseMac, budget);
  } catch (error) {
    internalError(deps, req, res, record, error);
  }
}

async function routeFile(
  deps: ServiceDeps,
  req: Request,
  res: Response,
  record: TransferRecord,
  direction: 'download' | 'upload',
  leaseMac: Mac | undefined,
  budget: ReadBudget,
): Promise<void> {
  const protocol = isTls(req) ? 'https' : 'http';
  const peer = peerAddress(req.socket.remoteAddress);
  const closeIfPut = { close: direction === 'upload' };
  const raw = rawTreePath(req.url);
  if (!raw.ok)
    return sendFailure(
      res,
      record,
      failure(400, 'HTTP_BAD_REQUEST_PATH', raw.error),
      {},
      closeIfPut,
    );
  const tree = deps.tree.current();
  const model = deps.model.current();
  const norm = tree.normalize(raw.value);
  if (!norm.ok)
    return sendTreeFailure(res, record, norm.error, direction, closeIfPut);
  const path = norm.value;
  record.setPath(path);

  // Belt and braces: the TLS layer already refuses such clients when clientCa is set (rejectUnauthorized).
  if (
    protocol === 'https' &&
    model.services.https.clientCa !== undefined &&
    (req.socket as TLSSocket).authorized !== true
  ) {
    return sendFailure(
      res,
      record,
      failure(
        403,
        'HTTP_CLIENT_CERT_REQUIRED',
        'a client certificate signed by the configured CA is required',
      ),
      {},
      closeIfPut,
    );
  }

  const site = siteForFolder(model, tree.siteOf(path));
  const auth = authorize(site, req.headers.authorization);
  if (!auth.ok) {
    return sendFailure(
      res,
      record,
      failure(
        401,
        'HTTP_AUTH_REQUIRED',
        `site ${auth.realm} needs its account`,
      ),
      { 'WWW-Authenticate': challenge(auth.realm) },
      closeIfPut,
    );
  }

  if (direction === 'download')
    return serveDownload(
      req,
      res,
      tree,
      path,
      record,
      { mac: leaseMac, userAgent: req.headers['user-agent'] },
      budget,
    );
  return receiveUpload(
    req,
    res,
    tree,
    path,
    { protocol, peer, mac: leaseMac, confinedToSite: auth.confinedToSite },
    record,
  );
}

/**
 * lifecycle, when given: its inflight set holds one promise per request being handled, so close() can wait
 * for cut transfers to be recorded and cut uploads to be cleaned up; closing() says the server is closing.
 */
export function createHttpApp(
  deps: ServiceDeps,
  lifecycle?: AppLifecycle,
): Express {
  const inflight = lifecycle?.inflight;
  const closing = lifecycle?.closing ?? (() => false);
  // one read budget for the downloads of this service, HTTP and HTTPS (download.ts)
  const budget = createDownloadBudget();
  // sendfile for plain-HTTP downloads of files on disk (sendfile-body.ts)
  prepareSendfile(deps.log);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const p: Promise<void> = handleFile(deps, req, res, closing, budget)
      .catch(next)
      .finally(() => inflight?.delete(p));
    inflight?.add(p);
  });
  // Last resort, for what escapes handleFile's own catch.
  app.use(
    (error: unknown, req: Request, res: Response, _next: NextFunction) => {
      internalError(deps, req, res, undefined, error);
    },
  );
  return app;
}
