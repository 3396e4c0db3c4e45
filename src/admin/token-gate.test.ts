/** The admin token gate: wrong tokens wait for their address's back-off slot and are logged; no token costs nothing. */

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { createLoginThrottle } from '../shared/login-throttle.ts';
import { requireToken } from './token-gate.ts';

const TOKEN = 'a-very-long-admin-token-0123';

interface Answer {
  status: number;
  code?: string;
  headers: Record<string, string>;
  passed: boolean;
  at: number;
}

function request(
  gate: ReturnType<typeof requireToken>,
  peer: string,
  auth: string | undefined,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = Object.assign(new EventEmitter(), {
      headers: auth === undefined ? {} : { authorization: auth },
      socket: { remoteAddress: peer },
    }) as unknown as Request;
    const a: Answer = { status: 200, headers: {}, passed: false, at: 0 };
    const res = {
      headersSent: false,
      set(k: string, v: string) {
        a.headers[k] = v;
        return res;
      },
      status(s: number) {
        a.status = s;
        return res;
      },
      json(body: { error?: { code?: string } }) {
        a.code = body.error?.code;
        a.at = performance.now();
        resolve(a);
        return res;
      },
    } as unknown as Response;
    gate(req, res, () => {
      a.passed = true;
      a.at = performance.now();
      resolve(a);
    });
  });
}

test('wrong tokens are logged and throttled per address; the right token passes after its slot; no token is a free 401', async () => {
  const warnings: Record<string, unknown>[] = [];
  const log = {
    warn: (o: Record<string, unknown>) => warnings.push(o),
  } as unknown as Logger;
  const gate = requireToken({
    token: TOKEN,
    log,
    throttle: createLoginThrottle({
      free: 2,
      baseMs: 40,
      capMs: 1000,
      maxWaiting: 4,
    }),
  });
  const t0 = performance.now();
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const a = await request(gate, '::ffff:10.0.0.9', `Bearer wrong-${i}`);
    assert.equal(a.status, 401);
    assert.equal(a.code, 'ADMIN_UNAUTHORIZED');
    times.push(a.at);
  }
  // waits before attempts 3, 4, 5: 40, 80, 160 ms
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.ok(
    gaps[2]! >= 35 && gaps[3]! >= 75 && gaps[4]! >= 155,
    `gaps ${gaps.map(Math.round).join(', ')}`,
  );
  assert.equal(warnings.length, 6, 'every wrong token is logged');
  assert.deepEqual(warnings.at(-1), {
    peer: '10.0.0.9',
    code: 'ADMIN_UNAUTHORIZED',
    failures: 6,
  });
  const right = await request(gate, '::ffff:10.0.0.9', `Bearer ${TOKEN}`);
  assert.equal(right.passed, true);
  assert.ok(
    right.at - times.at(-1)! >= 315,
    'the right token too waits for the slot',
  );
  assert.ok(performance.now() - t0 >= 40 + 80 + 160 + 320 - 20);
  // No token at all: a 401 challenge, not logged, not slowed.
  const none = await request(gate, '10.0.0.9', undefined);
  assert.equal(none.status, 401);
  assert.match(none.headers['WWW-Authenticate']!, /Basic/);
  assert.equal(warnings.length, 6);
  // Another address is not slowed: were the throttle shared, it would wait for the next slot (640 ms).
  const s = performance.now();
  assert.equal(
    (await request(gate, '10.0.0.10', `Bearer ${TOKEN}`)).passed,
    true,
  );
  assert.ok(performance.now() - s < 320);
});

test('too many requests waiting from one address: 429 ADMIN_THROTTLED at once', async () => {
  const log = { warn: () => undefined } as unknown as Logger;
  const gate = requireToken({
    token: TOKEN,
    log,
    throttle: createLoginThrottle({
      free: 0,
      baseMs: 200,
      capMs: 200,
      maxWaiting: 2,
    }),
  });
  await request(gate, '10.0.0.7', 'Bearer x');
  const burst = await Promise.all(
    [1, 2, 3, 4].map((i) => request(gate, '10.0.0.7', `Bearer x${i}`)),
  );
  assert.deepEqual(burst.map((a) => a.status).sort(), [401, 401, 429, 429]);
  assert.equal(
    burst.find((a) => a.status === 429)!.headers['Retry-After'],
    '30',
  );
});
