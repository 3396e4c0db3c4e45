import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labModel } from '../../../test/lib/admin/fixture.ts';
import type { PhoneView } from '../../inventory/types.ts';
import { selectTargets } from './targets.ts';
import { planJobs, runWaves, type WaveTarget } from './waves.ts';

test('waves: the next wave starts only after the previous one re-fetched', async () => {
  const targets: WaveTarget[] = ['a', 'b', 'c', 'd', 'e'].map((m, i) => ({
    mac: m,
    address: `10.0.0.${i + 1}`,
  }));
  const log: string[] = [];
  const refetch = new Map<string, () => void>();
  let clock = 0;
  const jobs = planJobs(targets, 2);
  assert.deepEqual(
    jobs.map((j) => j.wave),
    [1, 1, 2, 2, 3],
  );
  const done = runWaves(
    {
      targets,
      waveSize: 2,
      refetchTimeoutMs: 1000,
      now: () => ++clock,
      onProgress: () => undefined,
      notify: async (t) => {
        log.push(`notify ${t.mac}`);
        return t.mac === 'c'
          ? {
              result: 'ADMIN_NOTIFY_TIMEOUT',
              status: undefined,
              reason: 'x',
              attempts: 7,
              ms: 1,
            }
          : { result: 'ok', status: 200, reason: 'OK', attempts: 1, ms: 1 };
      },
      waitRefetch: (mac) =>
        new Promise((r) =>
          refetch.set(mac, () => {
            log.push(`fetched ${mac}`);
            r(++clock);
          }),
        ),
    },
    jobs,
  );
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  await tick();
  assert.deepEqual(log, ['notify a', 'notify b']);
  refetch.get('a')!();
  await tick();
  assert.deepEqual(
    log,
    ['notify a', 'notify b', 'fetched a'],
    'b has not re-fetched: wave 2 waits',
  );
  refetch.get('b')!();
  await tick();
  assert.deepEqual(log.slice(3), ['fetched b', 'notify c', 'notify d']);
  refetch.get('d')!();
  await tick();
  refetch.get('e')!();
  await done;
  assert.deepEqual(
    jobs.map((j) => j.state),
    [
      'refetched',
      'refetched',
      'ADMIN_NOTIFY_TIMEOUT',
      'refetched',
      'refetched',
    ],
  );
});

test('selectors: MAC, all, site, model, unknown', () => {
  const model = labModel();
  const seen = [
    {
      mac: '0004f2a00001',
      address: '10.91.10.100',
      site: 'hq',
      model: 'VVX410',
    },
    {
      mac: '0004f2b00009',
      address: '10.92.10.50',
      site: 'branch',
      model: 'VVX410',
    },
  ] as PhoneView[];
  const macs = (s: string): string[] | string => {
    const r = selectTargets(s, seen, model);
    return r.ok
      ? r.value.map((t) => `${t.mac}@${t.address ?? '-'}`)
      : r.error.code;
  };
  assert.deepEqual(macs('all'), [
    '0004f2a00001@10.91.10.100',
    '0004f2a00002@-',
    '0004f2b00009@10.92.10.50',
  ]);
  assert.deepEqual(macs('00:04:F2:A0:00:01'), ['0004f2a00001@10.91.10.100']);
  assert.deepEqual(macs('hq'), ['0004f2a00001@10.91.10.100', '0004f2a00002@-']);
  assert.deepEqual(macs('model:VVX410'), [
    '0004f2a00001@10.91.10.100',
    '0004f2b00009@10.92.10.50',
  ]);
  assert.equal(macs('SSIP9999'), 'ADMIN_NOTIFY_NO_TARGET');
  assert.equal(macs('0004f2ffffff'), 'ADMIN_NOTIFY_NO_TARGET');
});
