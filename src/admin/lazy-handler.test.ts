import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../shared/log.ts';
import { type Handler, lazyHandler } from './lazy-handler.ts';

async function serve(listener: http.RequestListener): Promise<{
  get(path: string): Promise<[number, string]>;
  close(): Promise<void>;
}> {
  const server = http.createServer(listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async get(path) {
      const r = await fetch(base + path);
      return [r.status, await r.text()];
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const echo: Handler = (req, res) => {
  res.end(`loaded ${req.url}`);
};

test('the handler is loaded on the first request, once, and then answers every request', async () => {
  let loads = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = await serve(
    lazyHandler(async () => {
      loads++;
      await gate;
      return echo;
    }, silentLogger()),
  );
  try {
    assert.equal(loads, 0, 'nothing loaded before a request');
    // Three requests while it loads: one load, and all three are answered by the loaded handler.
    const waiting = [s.get('/a'), s.get('/b'), s.get('/c')];
    while (loads === 0) await new Promise((r) => setImmediate(r));
    release();
    assert.deepEqual(await Promise.all(waiting), [
      [200, 'loaded /a'],
      [200, 'loaded /b'],
      [200, 'loaded /c'],
    ]);
    assert.deepEqual(await s.get('/d'), [200, 'loaded /d']);
    assert.equal(loads, 1);
  } finally {
    await s.close();
  }
});

test('a failed load answers 503 ADMIN_LOAD, and the next request loads again', async () => {
  let loads = 0;
  const s = await serve(
    lazyHandler(async () => {
      loads++;
      if (loads === 1) throw new Error("Cannot find module './api.ts'");
      return echo;
    }, silentLogger()),
  );
  try {
    const [status, body] = await s.get('/api/phones');
    assert.equal(status, 503);
    const e = JSON.parse(body) as { error: { code: string; message: string } };
    assert.equal(e.error.code, 'ADMIN_LOAD');
    assert.match(e.error.message, /Cannot find module/);
    assert.deepEqual(await s.get('/health'), [200, 'loaded /health']);
    assert.equal(loads, 2);
  } finally {
    await s.close();
  }
});

/** The modules `from` imports at load time (static, non-type imports), followed through src/. */
async function staticImports(from: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith('/')) continue; // a package: not followed
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(
      /^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms,
    )) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      todo.push(spec.startsWith('.') ? join(dirname(file), spec) : spec);
    }
  }
  return seen;
}

test('starting the admin server loads neither the page and API nor /metrics (Express, prom-client)', async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const loaded = await staticImports(join(here, 'server.ts'));
  assert.ok(
    loaded.has(join(here, 'lazy-handler.ts')),
    'the walk follows imports',
  );
  for (const m of [
    join(here, 'api.ts'),
    join(here, 'metrics/registry.ts'),
    'express',
    'prom-client',
  ])
    assert.ok(!loaded.has(m), `${m} is imported when the server starts`);
});
