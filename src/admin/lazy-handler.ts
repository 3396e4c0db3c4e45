/**
 * The admin server's request handler, loaded on its first request: the page and API (Express), /metrics
 * (prom-client) and what they import cost memory that an appliance nobody asks for them never needs. Requests
 * that arrive while it loads wait for it (one load for all of them). If the load fails, each waiting request
 * gets 503 with code ADMIN_LOAD and the failure is logged; the next request tries again.
 */
import type {
  IncomingMessage,
  RequestListener,
  ServerResponse,
} from 'node:http';
import type { Logger } from 'pino';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function lazyHandler(
  load: () => Promise<Handler>,
  log: Logger,
): RequestListener {
  let handler: Handler | undefined;
  let loading: Promise<Handler> | undefined;
  const failed = (res: ServerResponse, e: Error): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(
      JSON.stringify({
        error: {
          code: 'ADMIN_LOAD',
          message: `the admin page and API could not be loaded: ${e.message}`,
        },
      }),
    );
  };
  return (req, res) => {
    if (handler) {
      handler(req, res);
      return;
    }
    if (!loading) {
      loading = load();
      loading.then(
        (h) => {
          handler = h;
        },
        (e: Error) => {
          loading = undefined; // the next request loads again
          log.error(
            { code: 'ADMIN_LOAD', err: e.message },
            'admin page and API not loaded; requests get 503',
          );
        },
      );
    }
    loading.then(
      (h) => {
        try {
          h(req, res);
        } catch (e) {
          log.error(
            { code: 'ADMIN_INTERNAL', err: (e as Error).stack },
            'admin request failed',
          );
          res.destroy();
        }
      },
      (e: Error) => failed(res, e),
    );
  };
}
