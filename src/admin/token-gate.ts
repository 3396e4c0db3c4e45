/**
 * The admin API's token check with login throttling: a request presenting a token waits for its source
 * address's back-off slot (shared/login-throttle.ts) before the token is compared, so wrong tokens cost the
 * schedule's time, not microseconds; each wrong one is logged (ADMIN_UNAUTHORIZED, with the address and its
 * failures so far). An address with too many requests already waiting gets 429 ADMIN_THROTTLED at once. A
 * request without any token gets the 401 challenge (what a browser's first request gets) and costs nothing.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { plainAddress } from '../shared/ipv4.ts';
import {
  createLoginThrottle,
  type LoginThrottle,
} from '../shared/login-throttle.ts';
import { sameSecret } from '../shared/secrets.ts';
import { presentedToken } from './auth.ts';

export interface TokenGateContext {
  readonly token: string;
  readonly log: Logger;
  readonly throttle?: LoginThrottle | undefined;
}

const unauthorized = (res: Response): void => {
  res.set('WWW-Authenticate', 'Basic realm="appliance admin", charset="UTF-8"');
  res.status(401).json({
    error: {
      code: 'ADMIN_UNAUTHORIZED',
      message:
        'send Authorization: Bearer <token>, or basic auth with the token as password',
    },
  });
};

export function requireToken(
  ctx: TokenGateContext,
): (req: Request, res: Response, next: NextFunction) => void {
  const throttle = ctx.throttle ?? createLoginThrottle();
  return (req, res, next) => {
    const given = presentedToken(req.headers.authorization);
    if (given === undefined) {
      unauthorized(res);
      return;
    }
    const peer = plainAddress(req.socket.remoteAddress ?? '', '');
    const slot = throttle.admit(peer);
    if (!slot) {
      res.set('Retry-After', '30');
      res.status(429).json({
        error: {
          code: 'ADMIN_THROTTLED',
          message: 'too many wrong tokens from this address; try again later',
        },
      });
      return;
    }
    const check = (): void => {
      const ok = sameSecret(given, ctx.token);
      slot.done(ok);
      if (ok) {
        next();
        return;
      }
      ctx.log.warn(
        { peer, code: 'ADMIN_UNAUTHORIZED', failures: throttle.failures(peer) },
        'admin request with a wrong token',
      );
      unauthorized(res);
    };
    if (slot.waitMs === 0) {
      check();
      return;
    }
    const timer = setTimeout(check, slot.waitMs);
    req.once('close', () => {
      if (!res.headersSent) {
        clearTimeout(timer);
        slot.done(false);
      }
    });
  };
}
