/**
 * Every appliance_* metric family /metrics exposes, declared once: name, type, help, label names and how
 * its samples come out of a scrape (inputs.ts). registry.ts registers them with prom-client. Families are
 * always listed (HELP and TYPE), with no samples or 0 while what they count is not running. docs/admin.md
 * lists the same names (registry.test.ts checks that the exposition has exactly these).
 */
import type { Scrape } from './inputs.ts';

export type Labels = Readonly<Record<string, string | undefined>>;
export type Samples = Iterable<readonly [Labels, number]>;

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly labels?: readonly string[];
  samples(s: Scrape): Samples;
}

const one = (v: number | undefined): Samples =>
  v === undefined ? [] : [[{}, v]];
/** A Record of counts as samples with the key under `label`. */
const keyed = (
  rec: Readonly<Record<string, number>> | undefined,
  label: string,
): Samples => Object.entries(rec ?? {}).map(([k, n]) => [{ [label]: k }, n]);
/** A Map keyed by NUL-joined label values (traffic.ts) as samples. */
const joined = (
  m: ReadonlyMap<string, number>,
  labels: readonly string[],
): Samples =>
  [...m].map(([k, n]) => {
    const v = k.split('\u0000');
    return [Object.fromEntries(labels.map((l, i) => [l, v[i]])), n];
  });
const count = <T>(
  items: readonly T[],
  key: (t: T) => string | undefined,
  label: string,
  start: readonly string[] = [],
): Samples => {
  const m = new Map<string, number>(start.map((k) => [k, 0]));
  for (const t of items) {
    const k = key(t);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => [{ [label]: k }, n]);
};

export const FAMILIES: readonly Family[] = [
  // From the events (traffic.ts).
  {
    name: 'appliance_dhcp_messages_total',
    type: 'counter',
    help: 'DHCP exchanges by request type, reply and result',
    labels: ['message', 'reply', 'result'],
    samples: (s) =>
      joined(s.traffic.dhcpEvents, ['message', 'reply', 'result']),
  },
  {
    name: 'appliance_transfers_total',
    type: 'counter',
    help: 'File transfers by protocol, direction and result',
    labels: ['protocol', 'direction', 'result'],
    samples: (s) =>
      joined(s.traffic.transfers, ['protocol', 'direction', 'result']),
  },
  {
    name: 'appliance_transfer_bytes_total',
    type: 'counter',
    help: 'Bytes served (download) and received (upload)',
    labels: ['protocol', 'direction'],
    samples: (s) => joined(s.traffic.bytes, ['protocol', 'direction']),
  },
  {
    name: 'appliance_uploads_refused_total',
    type: 'counter',
    help: 'Uploads refused or failed, by reason code',
    labels: ['reason'],
    samples: (s) => joined(s.traffic.refusedUploads, ['reason']),
  },
  // The DHCP service's counters and the leases.
  {
    name: 'appliance_dhcp_requests_total',
    type: 'counter',
    help: 'DHCP requests by message type',
    labels: ['type'],
    samples: (s) => keyed(s.dhcp?.requests, 'type'),
  },
  {
    name: 'appliance_dhcp_replies_total',
    type: 'counter',
    help: 'DHCP replies sent by message type',
    labels: ['type'],
    samples: (s) => keyed(s.dhcp?.replies, 'type'),
  },
  {
    name: 'appliance_dhcp_results_total',
    type: 'counter',
    help: 'DHCP requests not answered normally, by result code',
    labels: ['result'],
    samples: (s) => keyed(s.dhcp?.results, 'result'),
  },
  {
    name: 'appliance_dhcp_malformed_total',
    type: 'counter',
    help: 'Undecodable DHCP datagrams by code',
    labels: ['code'],
    samples: (s) => keyed(s.dhcp?.malformedByCode, 'code'),
  },
  {
    name: 'appliance_dhcp_rate_limited_total',
    type: 'counter',
    help: 'DHCP datagrams dropped by the per-MAC rate limit',
    samples: (s) => one(s.dhcp?.rateLimited),
  },
  {
    name: 'appliance_dhcp_pool_size',
    type: 'gauge',
    help: 'Addresses in the site pools',
    labels: ['site'],
    samples: (s) => s.pools.map((p) => [{ site: p.site }, p.size]),
  },
  {
    name: 'appliance_dhcp_leases_used',
    type: 'gauge',
    help: 'Active leases in the site pools',
    labels: ['site'],
    samples: (s) => s.pools.map((p) => [{ site: p.site }, p.used]),
  },
  {
    name: 'appliance_dhcp_leases_free',
    type: 'gauge',
    help: 'Free addresses in the site pools',
    labels: ['site'],
    samples: (s) => s.pools.map((p) => [{ site: p.site }, p.free]),
  },
  {
    name: 'appliance_malformed_packets_total',
    type: 'counter',
    help: 'Malformed packets dropped, by service',
    labels: ['service'],
    samples: (s) =>
      [
        ['dhcp', s.dhcp?.malformed],
        ['tftp', s.tftp?.malformed],
        ['http', s.http?.malformedRequests],
        ['sip', s.sip?.malformed],
      ]
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([service, n]) => [{ service }, n]),
  },
  // The TFTP service's counters.
  {
    name: 'appliance_tftp_active',
    type: 'gauge',
    help: 'TFTP transfers in progress',
    samples: (s) => one(s.tftp?.active),
  },
  {
    name: 'appliance_tftp_peak_active',
    type: 'gauge',
    help: 'Most TFTP transfers in progress at once',
    samples: (s) => one(s.tftp?.peakActive),
  },
  {
    name: 'appliance_tftp_requests_total',
    type: 'counter',
    help: 'TFTP read and write requests accepted',
    samples: (s) => one(s.tftp?.requests),
  },
  {
    name: 'appliance_tftp_completed_total',
    type: 'counter',
    help: 'TFTP transfers completed',
    samples: (s) => one(s.tftp?.completed),
  },
  {
    name: 'appliance_tftp_failed_total',
    type: 'counter',
    help: 'TFTP transfers failed',
    samples: (s) => one(s.tftp?.failed),
  },
  {
    name: 'appliance_tftp_busy_total',
    type: 'counter',
    help: 'TFTP requests refused at the transfer limit',
    samples: (s) => one(s.tftp?.busy),
  },
  {
    name: 'appliance_tftp_host_busy_total',
    type: 'counter',
    help: 'TFTP requests refused at the per-address transfer limit',
    samples: (s) => one(s.tftp?.hostBusy),
  },
  {
    name: 'appliance_tftp_wrong_tid_total',
    type: 'counter',
    help: "TFTP datagrams from a peer that is not the transfer's",
    samples: (s) => one(s.tftp?.wrongTid),
  },
  {
    name: 'appliance_tftp_duplicates_total',
    type: 'counter',
    help: 'Duplicate TFTP ACK or DATA blocks ignored',
    samples: (s) => one(s.tftp?.duplicates),
  },
  {
    name: 'appliance_tftp_unexpected_total',
    type: 'counter',
    help: "TFTP packets unexpected in their transfer's state",
    samples: (s) => one(s.tftp?.unexpected),
  },
  {
    name: 'appliance_tftp_retransmits_total',
    type: 'counter',
    help: 'TFTP blocks sent again',
    samples: (s) => one(s.tftp?.retransmits),
  },
  {
    name: 'appliance_tftp_bytes_sent_total',
    type: 'counter',
    help: 'TFTP payload bytes sent',
    samples: (s) => one(s.tftp?.bytesSent),
  },
  {
    name: 'appliance_tftp_bytes_received_total',
    type: 'counter',
    help: 'TFTP payload bytes received',
    samples: (s) => one(s.tftp?.bytesReceived),
  },
  // FTP, HTTP(S) and the SIP check-sync client.
  {
    name: 'appliance_ftp_connections_total',
    type: 'counter',
    help: 'FTP control connections accepted',
    samples: (s) => one(s.ftp?.connections),
  },
  {
    name: 'appliance_ftp_login_failures_total',
    type: 'counter',
    help: 'FTP logins refused',
    samples: (s) => one(s.ftp?.loginFailures),
  },
  {
    name: 'appliance_ftp_client_errors_total',
    type: 'counter',
    help: 'FTP connections closed for a client protocol error',
    samples: (s) => one(s.ftp?.clientErrors),
  },
  {
    name: 'appliance_http_tls_failures_total',
    type: 'counter',
    help: 'HTTPS handshakes that failed',
    samples: (s) => one(s.http?.tlsFailures),
  },
  {
    name: 'appliance_notify_sent_total',
    type: 'counter',
    help: 'check-sync NOTIFY transactions started',
    samples: (s) => one(s.sip?.sent),
  },
  {
    name: 'appliance_notify_retransmits_total',
    type: 'counter',
    help: 'check-sync NOTIFY retransmissions (Timer E)',
    samples: (s) => one(s.sip?.retransmits),
  },
  // The time and log services.
  {
    name: 'appliance_ntp_requests_total',
    type: 'counter',
    help: 'NTP datagrams received',
    samples: (s) => one(s.ntp?.received),
  },
  {
    name: 'appliance_ntp_answered_total',
    type: 'counter',
    help: 'NTP client requests answered',
    samples: (s) => one(s.ntp?.answered),
  },
  {
    name: 'appliance_ntp_dropped_total',
    type: 'counter',
    help: 'NTP datagrams dropped, by reason code',
    labels: ['reason'],
    samples: (s) => keyed(s.ntp?.dropped, 'reason'),
  },
  {
    name: 'appliance_ntp_stratum',
    type: 'gauge',
    help: 'The stratum the NTP server announces',
    samples: (s) => one(s.ntp?.stratum),
  },
  {
    name: 'appliance_syslog_messages_total',
    type: 'counter',
    help: 'Syslog messages received, by how they were attributed to a phone',
    labels: ['attribution'],
    samples: (s) =>
      s.syslog
        ? [
            [{ attribution: 'prefix' }, s.syslog.attributed.prefix],
            [{ attribution: 'lease' }, s.syslog.attributed.lease],
            [{ attribution: 'unattributed' }, s.syslog.unattributed],
          ]
        : [],
  },
  {
    name: 'appliance_syslog_dropped_total',
    type: 'counter',
    help: 'Syslog messages dropped or not stored, by reason code',
    labels: ['reason'],
    samples: (s) =>
      s.syslog
        ? keyed({ ...s.syslog.dropped, ...s.syslog.store.dropped }, 'reason')
        : [],
  },
  // The configuration in use.
  {
    name: 'appliance_config_reloads_total',
    type: 'counter',
    help: 'Configuration reloads applied',
    samples: (s) => one(s.config.reloads),
  },
  {
    name: 'appliance_config_reload_failures_total',
    type: 'counter',
    help: 'Configuration reloads refused (invalid file)',
    samples: (s) => one(s.config.failures),
  },
  {
    name: 'appliance_config_loaded_timestamp_seconds',
    type: 'gauge',
    help: 'When the configuration in use was loaded',
    samples: (s) => one(Math.round(Date.parse(s.config.loadedAt) / 1000)),
  },
  {
    name: 'appliance_config_info',
    type: 'gauge',
    help: 'The configuration in use (sha256 of appliance.yaml)',
    labels: ['sha256'],
    samples: (s) => [[{ sha256: s.config.sha256 }, 1]],
  },
  {
    name: 'appliance_config_last_reload_failed',
    type: 'gauge',
    help: '1 while the last reload attempt was refused',
    samples: (s) => one(s.config.lastError ? 1 : 0),
  },
  // The inventory.
  {
    name: 'appliance_phones',
    type: 'gauge',
    help: 'Phones in the inventory by running application version',
    labels: ['firmware'],
    samples: (s) =>
      count(s.phones, (p) => p.runningVersion ?? 'unknown', 'firmware'),
  },
  {
    name: 'appliance_phones_by_state',
    type: 'gauge',
    help: 'Phones listed in appliance.yaml (known) or not (new)',
    labels: ['state'],
    samples: (s) => count(s.phones, (p) => p.state, 'state', ['known', 'new']),
  },
  {
    name: 'appliance_rollout_phones',
    type: 'gauge',
    help: 'Firmware rollout state per model',
    labels: ['model', 'state'],
    samples: (s) =>
      [
        ...count(
          s.phones,
          (p) => `${p.model ?? 'unknown'}\u0000${p.rollout}`,
          'k',
        ),
      ].map(([l, n]) => {
        const [model, state] = l.k!.split('\u0000');
        return [{ model, state }, n] as const;
      }),
  },
  {
    name: 'appliance_notify_last_result',
    type: 'gauge',
    help: 'Phones by the result of their last check-sync',
    labels: ['result'],
    samples: (s) => count(s.phones, (p) => p.lastNotify?.result, 'result'),
  },
  {
    name: 'appliance_inventory_errors_recent',
    type: 'gauge',
    help: 'Errors in the recent-errors list',
    samples: (s) => one(s.recentErrors),
  },
  {
    name: 'appliance_inventory_ignored_events_total',
    type: 'counter',
    help: 'Events about MACs with no sign of being a phone, counted instead of recorded',
    labels: ['source'],
    samples: (s) => [
      [{ source: 'dhcp' }, s.noise.dhcp],
      [{ source: 'transfer' }, s.noise.transfers],
    ],
  },
  {
    name: 'appliance_inventory_evicted_total',
    type: 'counter',
    help: 'Unknown phones dropped at the inventory cap, oldest first',
    samples: (s) => one(s.noise.evicted),
  },
];
