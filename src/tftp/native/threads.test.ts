/**
 * How many engine threads the service starts by default: one per two cores (1 to 4), so that on the
 * appliance's usual two cores one engine thread carries every download and the other core is left to the
 * JavaScript thread and the simulator or peers (bench/results/storm.md, run 10t). Counted by name
 * (tftp-engine, set by engine.c) among this process's threads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { emptyStats } from '../stats.ts';
import {
  createNativeDownloads,
  defaultEngineThreads,
  loadEngineAddon,
} from './engine.ts';

const engineThreads = (): number =>
  readdirSync('/proc/self/task').filter((t) => {
    try {
      return (
        readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() ===
        'tftp-engine'
      );
    } catch {
      return false; // exited
    }
  }).length;

test('one engine thread per two cores, at least 1 and at most 4', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 6, 8, 16, 64].map(defaultEngineThreads),
    [1, 1, 1, 2, 3, 4, 4, 4],
  );
});

test('the service starts the default number of engine threads, named tftp-engine', (t) => {
  const addon = loadEngineAddon();
  if (!addon.ok) {
    t.skip(`native engine: ${addon.error}`);
    return;
  }
  const before = engineThreads();
  const downloads = createNativeDownloads(addon.value, emptyStats());
  try {
    assert.equal(
      engineThreads() - before,
      defaultEngineThreads(availableParallelism()),
    );
  } finally {
    downloads.close();
  }
  assert.equal(engineThreads(), before, 'close() joins every engine thread');
});
