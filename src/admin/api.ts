/**
 * The admin HTTP app: the page (/, /app.js, /app.css), the JSON API under /api, /metrics, and an open /health.
 * Everything except /health needs the token (auth.ts); a refused request gets 401 with a Basic challenge so a
 * browser prompts for it.
 */

import { readFile } from 'node:fs/promises';
import express, {
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import type { Logger } from 'pino';
import { formatIssue } from '../config/issues.ts';
import type { Inventory } from '../inventory/inventory.ts';
import { filterPhones, rolloutByModel } from '../inventory/views.ts';
import type { LeaseSnapshot } from '../runtime/deps.ts';
import type { LiveConfig } from '../runtime/live-config.ts';
import type { LoginThrottle } from '../shared/login-throttle.ts';
import type { Mac } from '../shared/mac.ts';
import { parseMac } from '../shared/mac.ts';
import type { Metrics } from './metrics/registry.ts';
import type { JobRegistry } from './notify/jobs.ts';
import { requireToken } from './token-gate.ts';

export interface AdminContext {
  readonly inventory: Inventory;
  readonly jobs: JobRegistry;
  readonly live: LiveConfig;
  readonly token: string;
  readonly log: Logger;
  readonly startedAt: number;
  /** Wrong-token back-off per source address (default shared/login-throttle.ts's). */
  readonly throttle?: LoginThrottle;
  leases(): LeaseSnapshot;
  readonly metrics: Metrics;
  /** The last lines a phone sent by syslog (undefined while the syslog service is off). */
  readonly phoneLog: ((mac: Mac) => Promise<string>) | undefined;
  /** Called on every inventory change or job update (for server-sent events). */
  onUpdate(fn: () => void): () => void;
}

const PAGE_FILES: Record<string, [string, string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};

/** Sent with every answer: the page may not be framed, runs only its own script and style, leaks no referrer. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

export function createAdminApp(ctx: AdminContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  app.get('/health', (_req, res) => {
    const st = ctx.live.state();
    res.json({
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
      config: {
        sha256: st.sha256,
        loadedAt: st.loadedAt,
        lastReloadFailed: st.lastError !== undefined,
      },
    });
  });
  app.use(requireToken(ctx));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  for (const [route, [file, type]] of Object.entries(PAGE_FILES)) {
    app.get(route, async (_req, res) => {
      res
        .type(type)
        .send(await readFile(new URL(`./page/${file}`, import.meta.url)));
    });
  }
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.contentType).send(await ctx.metrics.render());
  });

  app.get('/api/phones', (req, res) => {
    const all = ctx.inventory.list();
    const phones = filterPhones(all, req.query);
    res.json({
      total: all.length,
      count: phones.length,
      revision: ctx.inventory.revision(),
      phones,
    });
  });
  app.get('/api/phones/:mac', (req, res) => {
    const mac = parseMac(String(req.params.mac));
    const rec = mac.ok ? ctx.inventory.get(mac.value) : undefined;
    if (!mac.ok || !rec) {
      res.status(404).json({
        error: {
          code: 'ADMIN_NO_PHONE',
          message: `no phone ${req.params.mac} in the inventory`,
        },
      });
      return;
    }
    res.json({
      phone: ctx.inventory.view(mac.value),
      files: rec.files,
      timeline: rec.timeline,
    });
  });
  app.get('/api/phones/:mac/log', async (req, res) => {
    const mac = parseMac(String(req.params.mac));
    if (!mac.ok) {
      res.status(404).json({
        error: {
          code: 'ADMIN_NO_PHONE',
          message: `${req.params.mac} is not a MAC address`,
        },
      });
      return;
    }
    if (!ctx.phoneLog) {
      res.status(404).json({
        error: {
          code: 'ADMIN_NO_SYSLOG',
          message: 'the syslog service is not running (services.syslog)',
        },
      });
      return;
    }
    res.type('text/plain; charset=utf-8').send(await ctx.phoneLog(mac.value));
  });
  app.get('/api/leases', (req, res) => {
    const snap = ctx.leases();
    const site = str(req.query.site);
    res.json({
      pools: snap.pools.filter((p) => site === undefined || p.site === site),
      leases: snap.leases
        .filter((l) => site === undefined || l.site === site)
        .map((l) => ({
          ...l,
          label: ctx.inventory.get(l.mac)?.label,
          model: ctx.inventory.get(l.mac)?.model,
        })),
    });
  });
  app.get('/api/rollout', (_req, res) => {
    res.json({
      models: rolloutByModel(ctx.inventory.list(), ctx.live.model.current()),
    });
  });
  app.get('/api/errors', (_req, res) => {
    res.json({ errors: [...ctx.inventory.errors()].reverse().slice(0, 100) });
  });
  app.get('/api/config', (_req, res) => {
    const st = ctx.live.state();
    const m = ctx.live.model.current();
    res.json({
      file: m.source.file,
      ...st,
      lastError: st.lastError
        ? {
            at: st.lastError.at,
            issues: st.lastError.issues.map((i) => ({
              ...i,
              text: formatIssue(i),
            })),
          }
        : undefined,
      warnings: st.warnings.map((i) => ({ ...i, text: formatIssue(i) })),
      sites: [...m.sites.keys()],
      models: [...m.models.keys()],
    });
  });
  app.post('/api/notify', express.json({ limit: '16kb' }), (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const wave =
      b.wave === undefined || b.wave === null ? undefined : Number(b.wave);
    const r = ctx.jobs.start({
      selector: String(b.target ?? ''),
      reboot: b.reboot === true,
      wave,
      refetchTimeoutMs:
        typeof b.refetchTimeoutMs === 'number' ? b.refetchTimeoutMs : undefined,
    });
    if (!r.ok) {
      res.status(400).json({ error: r.error });
      return;
    }
    res.status(202).json({ job: r.value });
  });
  app.get('/api/notify', (_req, res) => {
    res.json({ jobs: ctx.jobs.list() });
  });
  app.get('/api/notify/:id', (req, res) => {
    const j = ctx.jobs.get(String(req.params.id));
    if (!j) {
      res.status(404).json({
        error: { code: 'ADMIN_NO_JOB', message: 'no such check-sync job' },
      });
      return;
    }
    res.json({ job: j });
  });
  app.get('/api/events', (req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(
      `retry: 2000\ndata: ${JSON.stringify({ revision: ctx.inventory.revision() })}\n\n`,
    );
    let timer: NodeJS.Timeout | undefined;
    const off = ctx.onUpdate(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        res.write(
          `data: ${JSON.stringify({ revision: ctx.inventory.revision() })}\n\n`,
        );
      }, 250);
    });
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      off();
      clearTimeout(timer);
      clearInterval(beat);
    });
  });
  app.use((_req, res) => {
    res.status(404).json({
      error: { code: 'ADMIN_NOT_FOUND', message: 'no such page or API' },
    });
  });
  app.use(
    (
      e: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status =
        e.status && e.status >= 400 && e.status < 500 ? e.status : 500;
      if (status === 500)
        ctx.log.error(
          { code: 'ADMIN_INTERNAL', err: e.stack },
          'admin request failed',
        );
      res.status(status).json({
        error: {
          code: status === 500 ? 'ADMIN_INTERNAL' : 'ADMIN_BAD_REQUEST',
          message: status === 500 ? 'internal error' : e.message,
        },
      });
    },
  );
  return app;
}
