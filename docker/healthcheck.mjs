#!/usr/bin/env node
// Container health check (Dockerfile HEALTHCHECK). Exit 0 = healthy, 1 = unhealthy.
//
// With APPLIANCE_HEALTH_URL set (for the admin service's health endpoint), healthy means that URL answers
// 2xx within 4 s. Otherwise healthy means the appliance holds at least one of its service sockets in this
// container's network namespace: a listening TCP socket or a bound UDP socket on one of
// APPLIANCE_HEALTH_PORTS (default tcp:21,tcp:80,tcp:443,udp:67,udp:69), read from /proc/net. This needs
// no knowledge of the configuration and no traffic; the appliance exits when a service fails, so an
// open socket means a running appliance.
import { readFileSync } from 'node:fs';

const url = process.env.APPLIANCE_HEALTH_URL;
if (url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
    process.exit(res.ok ? 0 : 1);
  } catch {
    process.exit(1);
  }
}

const wanted = (process.env.APPLIANCE_HEALTH_PORTS ?? 'tcp:21,tcp:80,tcp:443,udp:67,udp:69')
  .split(',').map((s) => s.trim()).filter(Boolean);

/** Local ports of listening TCP (state 0A) or bound UDP (state 07) sockets in one /proc/net table. */
function ports(table, state) {
  let text = '';
  try { text = readFileSync(`/proc/net/${table}`, 'utf8'); } catch { return []; }
  return text.split('\n').slice(1).map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === state)
    .map((f) => Number.parseInt(f[1].split(':')[1] ?? '', 16));
}

const open = new Set([
  ...ports('tcp', '0A').map((p) => `tcp:${p}`), ...ports('tcp6', '0A').map((p) => `tcp:${p}`),
  ...ports('udp', '07').map((p) => `udp:${p}`), ...ports('udp6', '07').map((p) => `udp:${p}`),
]);
const found = wanted.filter((w) => open.has(w));
if (found.length > 0) process.exit(0);
console.error(`no appliance socket open (looked for ${wanted.join(', ')})`);
process.exit(1);
