/**
 * /metrics: everything the operations page shows, as Prometheus text.
 *   appliance_dhcp_messages_total{message,reply,result}   every DHCP exchange (from the events)
 *   appliance_dhcp_requests_total{type} / _replies_total{type} / _malformed_total{code} / _rate_limited_total
 *   appliance_dhcp_leases_used{site} / _free{site} / _pool_size{site}
 *   appliance_transfers_total{protocol,direction,result}, appliance_transfer_bytes_total{protocol,direction}
 *   appliance_uploads_refused_total{reason}
 *   appliance_malformed_packets_total{service}
 *   appliance_config_reloads_total, _reload_failures_total, appliance_config_loaded_timestamp_seconds, appliance_config_info{sha256}
 *   appliance_phones{firmware}, appliance_phones_by_state{state}, appliance_rollout_phones{model,state}
 *   appliance_notify_total{result}, appliance_sip_malformed_total
 *   appliance_<service>_<field> for every other numeric field a service's stats() returns (untyped)
 */
import type { ConfigState } from '../../runtime/live-config.ts';
import type { DhcpStats } from '../../dhcp/stats.ts';
import type { Inventory } from '../inventory/inventory.ts';
import type { LeaseSnapshot } from '../leases.ts';
import type { NotifierStats } from '../notify/sender.ts';
import { createExposition, snake } from './exposition.ts';
import type { TrafficCounters } from './traffic.ts';

export interface MetricsInputs {
  readonly inventory: Inventory;
  readonly traffic: TrafficCounters;
  readonly dhcp: DhcpStats | undefined;
  readonly stats: Readonly<Record<string, () => unknown>>;
  readonly config: ConfigState;
  readonly leases: LeaseSnapshot | undefined;
  readonly notifier: NotifierStats | undefined;
}

const MALFORMED_FIELDS = new Set(['malformed', 'malformedRequests']);

export function renderMetrics(m: MetricsInputs): string {
  const x = createExposition();
  for (const [k, n] of m.traffic.dhcpEvents) {
    const [message, reply, result] = k.split('\u0000');
    x.add('appliance_dhcp_messages_total', 'counter', 'DHCP exchanges by request type, reply and result', n, { message, reply, result });
  }
  const d = m.dhcp;
  if (d) {
    for (const [t, n] of Object.entries(d.requests)) x.add('appliance_dhcp_requests_total', 'counter', 'DHCP requests by message type', n, { type: t });
    for (const [t, n] of Object.entries(d.replies)) x.add('appliance_dhcp_replies_total', 'counter', 'DHCP replies sent by message type', n, { type: t });
    for (const [t, n] of Object.entries(d.results)) x.add('appliance_dhcp_results_total', 'counter', 'DHCP requests not answered normally, by result code', n, { result: t });
    for (const [t, n] of Object.entries(d.malformedByCode)) x.add('appliance_dhcp_malformed_total', 'counter', 'Undecodable DHCP datagrams by code', n, { code: t });
    x.add('appliance_dhcp_rate_limited_total', 'counter', 'DHCP datagrams dropped by the per-MAC rate limit', d.rateLimited);
    x.add('appliance_malformed_packets_total', 'counter', 'Malformed packets dropped, by service', d.malformed, { service: 'dhcp' });
  }
  for (const p of m.leases?.pools ?? []) {
    x.add('appliance_dhcp_pool_size', 'gauge', 'Addresses in the site pools', p.size, { site: p.site });
    x.add('appliance_dhcp_leases_used', 'gauge', 'Active leases in the site pools', p.used, { site: p.site });
    x.add('appliance_dhcp_leases_free', 'gauge', 'Free addresses in the site pools', p.free, { site: p.site });
  }
  for (const [k, n] of m.traffic.transfers) {
    const [protocol, direction, result] = k.split('\u0000');
    x.add('appliance_transfers_total', 'counter', 'File transfers by protocol, direction and result', n, { protocol, direction, result });
  }
  for (const [k, n] of m.traffic.bytes) {
    const [protocol, direction] = k.split('\u0000');
    x.add('appliance_transfer_bytes_total', 'counter', 'Bytes served (download) and received (upload)', n, { protocol, direction });
  }
  for (const [reason, n] of m.traffic.refusedUploads) x.add('appliance_uploads_refused_total', 'counter', 'Uploads refused or failed, by reason code', n, { reason });
  for (const [svc, fn] of Object.entries(m.stats)) {
    let s: unknown;
    try { s = fn(); } catch { continue; }
    if (typeof s !== 'object' || s === null) continue;
    for (const [field, v] of Object.entries(s)) {
      if (typeof v !== 'number') continue;
      if (MALFORMED_FIELDS.has(field)) x.add('appliance_malformed_packets_total', 'counter', 'Malformed packets dropped, by service', v, { service: svc });
      else x.add(`appliance_${snake(svc)}_${snake(field)}`, 'untyped', `${svc} ${field}`, v);
    }
  }
  if (m.notifier) {
    x.add('appliance_malformed_packets_total', 'counter', 'Malformed packets dropped, by service', m.notifier.malformed, { service: 'sip' });
    x.add('appliance_notify_sent_total', 'counter', 'check-sync NOTIFY transactions started', m.notifier.sent);
    x.add('appliance_notify_retransmits_total', 'counter', 'check-sync NOTIFY retransmissions (Timer E)', m.notifier.retransmits);
  }
  x.add('appliance_config_reloads_total', 'counter', 'Configuration reloads applied', m.config.reloads);
  x.add('appliance_config_reload_failures_total', 'counter', 'Configuration reloads refused (invalid file)', m.config.failures);
  x.add('appliance_config_loaded_timestamp_seconds', 'gauge', 'When the configuration in use was loaded', Math.round(Date.parse(m.config.loadedAt) / 1000));
  x.add('appliance_config_info', 'gauge', 'The configuration in use (sha256 of appliance.yaml)', 1, { sha256: m.config.sha256 });
  x.add('appliance_config_last_reload_failed', 'gauge', '1 while the last reload attempt was refused', m.config.lastError ? 1 : 0);
  const phones = m.inventory.list();
  const byFw = new Map<string, number>();
  const byState = new Map<string, number>([['known', 0], ['new', 0]]);
  const rollout = new Map<string, number>();
  const notify = new Map<string, number>();
  for (const p of phones) {
    byFw.set(p.runningVersion ?? 'unknown', (byFw.get(p.runningVersion ?? 'unknown') ?? 0) + 1);
    byState.set(p.state, (byState.get(p.state) ?? 0) + 1);
    const rk = `${p.model ?? 'unknown'}\u0000${p.rollout}`;
    rollout.set(rk, (rollout.get(rk) ?? 0) + 1);
    if (p.lastNotify) notify.set(p.lastNotify.result, (notify.get(p.lastNotify.result) ?? 0) + 1);
  }
  for (const [fw, n] of byFw) x.add('appliance_phones', 'gauge', 'Phones in the inventory by running application version', n, { firmware: fw });
  for (const [st, n] of byState) x.add('appliance_phones_by_state', 'gauge', 'Phones listed in appliance.yaml (known) or not (new)', n, { state: st });
  for (const [k, n] of rollout) {
    const [model, state] = k.split('\u0000');
    x.add('appliance_rollout_phones', 'gauge', 'Firmware rollout state per model', n, { model, state });
  }
  for (const [r, n] of notify) x.add('appliance_notify_last_result', 'gauge', 'Phones by the result of their last check-sync', n, { result: r });
  x.add('appliance_inventory_errors_recent', 'gauge', 'Errors in the recent-errors list', m.inventory.errors().length);
  return x.render();
}
