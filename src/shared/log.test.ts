import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { rootLoggerOptions } from './log.ts';

/** Lines written by a root logger with the appliance's settings, and that logger. */
function capture(): { lines: string[]; log: pino.Logger } {
  const lines: string[] = [];
  const log = pino(rootLoggerOptions('info'), {
    write: (s: string) => {
      lines.push(s.trimEnd());
    },
  });
  return { lines, log };
}

/** How often each top-level key occurs in a JSON line (JSON.parse would silently keep the last). */
function keyCounts(line: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of Object.keys(JSON.parse(line) as object)) {
    counts.set(key, line.split(`${JSON.stringify(key)}:`).length - 1);
  }
  return counts;
}

test('a service child logger line carries each key once: app from the root, svc from the child', () => {
  const { lines, log } = capture();
  log.child({ svc: 'dhcp' }).info({ mac: '0004f28062d6' }, 'ack');
  log.child({ svc: 'ftp' }).child({ component: 'ftp-srv' }).warn('internal');
  assert.equal(lines.length, 2);
  for (const line of lines) {
    for (const [key, n] of keyCounts(line))
      assert.equal(n, 1, `${key} appears ${n} times in ${line}`);
  }
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(first.app, 'appliance');
  assert.equal(first.svc, 'dhcp');
  assert.equal(first.msg, 'ack');
  assert.equal(typeof first.time, 'string', 'ISO timestamp');
});

test('the root logger names the appliance and no service', () => {
  const { lines, log } = capture();
  log.info('started');
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.app, 'appliance');
  assert.equal('svc' in line, false);
});
