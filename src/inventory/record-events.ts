/**
 * How each bus event changes the inventory: a DHCP exchange (option 60's vendor, model and versions, the
 * leased address), a file transfer (per-file counts, the User-Agent's version, image rollout progress) and a
 * syslog line. Each returns whether it recorded anything (the inventory then notifies its listeners).
 */

import { parseUserAgent } from '../policy/user-agent.ts';
import type { DhcpEvent, TransferEvent } from '../runtime/events.ts';
import type { SyslogEvent } from '../runtime/syslog-event.ts';
import { SEVERITY_NAMES } from '../shared/syslog-names.ts';
import { isOptionalMiss } from './optional.ts';
import type { PhoneTable } from './phone-table.ts';

const MAX_FILES_PER_PHONE = 200;
const APP_ONLY =
  /(-app\.log|-phone\.cfg|-web\.cfg|-directory\.xml|-calls\.xml)$/;
/** Option 60 version strings: the application's (sub-option 4) and the bootROM / updater's (sub-option 5). */
const APP_VERSION = /^(SIP|APP)\//;
const BOOT_VERSION = /^(BR|UP)\//;

/** "SIP/5.9.7.4477/05-Dec-24 00:58" → "5.9.7.4477"; "BR/4.0.11.0593/…" → "4.0.11.0593". */
export function versionOf(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = /^[A-Za-z]+\/([^/]+)/.exec(s);
  return m ? m[1] : /^\d[\d.]*$/.test(s) ? s : undefined;
}

/** Syslog lines take at most `syslogMax` places of a timeline, so a chatty phone keeps its DHCP and transfers. */
export function recordSyslog(
  table: PhoneTable,
  e: SyslogEvent,
  at: number,
  syslogMax: number,
): boolean {
  const p =
    table.phones.get(e.mac) ??
    (table.model.current().phones.has(e.mac)
      ? table.ensure(e.mac, at)
      : undefined);
  if (!p) return false; // a MAC only syslog has named is not a phone the inventory has seen
  p.lastSeen = at;
  const what = [SEVERITY_NAMES[e.severity] ?? `severity ${e.severity}`, e.app]
    .filter(Boolean)
    .join(' ');
  table.push(p, {
    at,
    kind: 'syslog',
    what,
    result: 'ok',
    address: e.peer,
    text: e.text.length > 240 ? `${e.text.slice(0, 239)}…` : e.text,
  });
  let n = 0;
  for (const t of p.timeline) if (t.kind === 'syslog') n++;
  if (n > syslogMax)
    p.timeline.splice(
      p.timeline.findIndex((t) => t.kind === 'syslog'),
      1,
    );
  return true;
}

export function recordDhcp(
  table: PhoneTable,
  e: DhcpEvent,
  at: number,
): boolean {
  if (!table.isPhone(e.mac, e.vendor.vendor === 'polycom')) {
    table.noise.dhcp++;
    return false;
  }
  const p = table.ensure(e.mac, at);
  if (e.site !== undefined) p.site = e.site;
  // The decoded option 60; model and part number as the policy saw them (appliance.yaml's pin wins).
  const v = e.vendor;
  const vendor =
    v.company ??
    (v.form === 'ascii' && v.model !== undefined
      ? v.text.slice(0, v.text.indexOf('-'))
      : undefined);
  if (vendor !== undefined) p.vendor = vendor;
  const model = e.labels.model ?? v.model;
  if (model !== undefined) p.model = model;
  const partNumber = e.labels.partNumber ?? v.partNumber;
  if (partNumber !== undefined) p.partNumber = partNumber;
  if (v.hardwareRevision !== undefined) p.hardwareRevision = v.hardwareRevision;
  // In the bootROM stage sub-option 4 carries the BR/ string too: only SIP/ (or APP/) is the application.
  if (v.appVersion !== undefined && APP_VERSION.test(v.appVersion)) {
    p.appVersionString = v.appVersion;
    if (/^SIP\//.test(v.appVersion)) {
      p.runningVersion = versionOf(v.appVersion);
      p.versionAt = at;
    }
  }
  const boot = [v.bootVersion, v.appVersion].find(
    (b) => b !== undefined && BOOT_VERSION.test(b),
  );
  if (boot !== undefined) {
    p.bootVersionString = boot;
    p.bootVersion = versionOf(boot);
  }
  if (e.reply === 'ACK' && e.address !== undefined) {
    table.setAddress(p, e.address);
    if (e.message === 'REQUEST') p.lease = { address: e.address, at };
  }
  table.push(p, {
    at,
    kind: 'dhcp',
    what: `${e.message}→${e.reply ?? 'none'}`,
    result: e.result,
    address: e.address,
  });
  if (e.result !== 'ok') {
    p.errors++;
    p.lastError = { at, code: e.result, path: undefined };
    table.noteError({
      at,
      mac: e.mac,
      peer: e.address,
      code: e.result,
      what: `DHCP ${e.message}`,
      path: undefined,
    });
  }
  return true;
}

export function recordTransfer(
  table: PhoneTable,
  e: TransferEvent,
  at: number,
): boolean {
  const mac = e.mac ?? table.macForAddress(e.peer);
  /** A failed transfer of no phone the inventory knows: only on the recent-errors list. */
  const unowned = (): void =>
    table.noteError({
      at,
      mac: undefined,
      peer: e.peer,
      code: e.result,
      what: `${e.protocol} ${e.direction}`,
      path: e.path,
    });
  if (mac === undefined) {
    if (e.result !== 'ok') unowned();
    return e.result !== 'ok';
  }
  // A failed request naming a MAC nobody has seen (random <MAC>-x.cfg probes) creates no phone record.
  if (e.result !== 'ok' && !table.phones.has(mac) && !table.listed(mac)) {
    unowned();
    return true;
  }
  const ua = parseUserAgent(e.userAgent);
  // Nor does a successful one for a MAC with no sign of being a phone (a GET of <any MAC>-appliance.cfg).
  if (!table.isPhone(mac, ua !== undefined)) {
    table.noise.transfers++;
    return false;
  }
  const p = table.ensure(mac, at);
  // The lease is the authority on a phone's address; without one, where its requests come from.
  if (p.lease === undefined) table.setAddress(p, e.peer);
  else if (!table.byAddress.has(e.peer)) table.byAddress.set(e.peer, mac);
  if (e.userAgent !== undefined) p.userAgent = e.userAgent;
  if (ua) {
    p.model = ua.model;
    if (
      ua.stage === 'application' ||
      (ua.stage === undefined && APP_ONLY.test(e.path))
    ) {
      p.runningVersion = ua.version;
      p.versionAt = at;
    } else if (ua.stage === 'updater') p.bootVersion = ua.version;
  }
  const miss = isOptionalMiss(e.path, e.result, e.direction);
  const ok = e.result === 'ok' || miss;
  // Bounded per phone: a phone asking for endless distinct names cannot grow the inventory without limit.
  const key =
    p.files[e.path] !== undefined ||
    Object.keys(p.files).length < MAX_FILES_PER_PHONE
      ? e.path
      : '(other files)';
  const f = (p.files[key] ??= {
    downloads: 0,
    uploads: 0,
    failures: 0,
    lastAt: at,
    lastResult: e.result,
    bytes: 0,
  });
  f.lastAt = at;
  f.lastResult = e.result;
  f.bytes += e.bytes;
  if (e.direction === 'download') {
    f.downloads++;
    p.downloads++;
  } else {
    f.uploads++;
    p.uploads++;
  }
  if (!ok) f.failures++;
  if (e.direction === 'download') {
    if (e.result === 'ok' && e.path.endsWith('.cfg')) p.lastConfigFetch = at;
    if (e.path.endsWith('.ld')) {
      p.lastImage = { path: e.path, at, result: e.result };
      if (!ok) p.imageFailure = { path: e.path, at, result: e.result };
      else if (p.imageFailure?.path === e.path) p.imageFailure = undefined;
    }
  }
  table.push(p, {
    at,
    kind: e.direction,
    what: e.protocol,
    path: e.path,
    result: e.result,
    bytes: e.bytes,
    address: e.peer,
    optional: miss || undefined,
  });
  if (!ok) {
    p.errors++;
    p.lastError = { at, code: e.result, path: e.path };
    table.noteError({
      at,
      mac,
      peer: e.peer,
      code: e.result,
      what: `${e.protocol} ${e.direction}`,
      path: e.path,
    });
  }
  return true;
}
