/**
 * Every appliance_* metric family /metrics exposes, declared once: name, type, help, label names and how
 * its samples come out of a scrape (inputs.ts). registry.ts registers them with prom-client. Families are
 * always listed (HELP and TYPE), with no samples or 0 while what they count is not running. docs/admin.md
 * lists the same names (registry.test.ts checks that the exposition has exactly these).
 */
import type { Scrape } from './inputs.ts';

export type Labels = Readonly<Record<string, string | undefined>>;
export type Samples = Iterable<readonly [Labels, number]>;

/** How a family's samples come out of a scrape, and the label names they carry. */
interface Source {
  readonly labels: readonly string[];
  samples(s: Scrape): Samples;
}

export interface Family extends Source {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
}

/** One unlabelled sample, none while what it counts is not running. */
const one = (get: (s: Scrape) => number | undefined): Source => ({
  labels: [],
  samples: (s) => {
    const v = get(s);
    return v === undefined ? [] : [[{}, v]];
  },
});
/** A Record of counts with its key under `label`. */
const keyed = (
  label: string,
  get: (s: Scrape) => Readonly<Record<string, number>> | undefined,
): Source => ({
  labels: [label],
  samples: (s) =>
    Object.entries(get(s) ?? {}).map(([k, n]) => [{ [label]: k }, n]),
});
/** A Map keyed by NUL-joined label values (traffic.ts). */
const joined = (
  labels: readonly string[],
  get: (s: Scrape) => ReadonlyMap<string, number>,
): Source => ({
  labels,
  samples: (s) =>
    [...get(s)].map(([k, n]) => {
      const v = k.split('\u0000');
      return [Object.fromEntries(labels.map((l, i) => [l, v[i]])), n];
    }),
});
/** One sample per site pool. */
const perSite = (get: (p: Scrape['pools'][number]) => number): Source => ({
  labels: ['site'],
  samples: (s) => s.pools.map((p) => [{ site: p.site }, get(p)]),
});
/** Phones counted by one key (`start`: keys listed even at 0). */
const perPhone = (
  label: string,
  key: (p: Scrape['phones'][number]) => string | undefined,
  start: readonly string[] = [],
): Source => ({
  labels: [label],
  samples: (s) => count(s.phones, key, label, start),
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

/** Every family by name, with its HELP text, in exposition order. Names ending _total are counters. */
const HELP = {
  // From the events (traffic.ts).
  appliance_dhcp_messages_total:
    'DHCP exchanges by request type, reply and result',
  appliance_transfers_total: 'File transfers by protocol, direction and result',
  appliance_transfer_bytes_total:
    'Bytes served (download) and received (upload)',
  appliance_uploads_refused_total: 'Uploads refused or failed, by reason code',
  // The DHCP service's counters and the leases.
  appliance_dhcp_requests_total: 'DHCP requests by message type',
  appliance_dhcp_replies_total: 'DHCP replies sent by message type',
  appliance_dhcp_results_total:
    'DHCP requests not answered normally, by result code',
  appliance_dhcp_malformed_total: 'Undecodable DHCP datagrams by code',
  appliance_dhcp_rate_limited_total:
    'DHCP datagrams dropped by the per-MAC rate limit',
  appliance_dhcp_pool_size: 'Addresses in the site pools',
  appliance_dhcp_leases_used: 'Active leases in the site pools',
  appliance_dhcp_leases_free: 'Free addresses in the site pools',
  appliance_malformed_packets_total: 'Malformed packets dropped, by service',
  // The TFTP service's counters.
  appliance_tftp_active: 'TFTP transfers in progress',
  appliance_tftp_peak_active: 'Most TFTP transfers in progress at once',
  appliance_tftp_requests_total: 'TFTP read and write requests accepted',
  appliance_tftp_completed_total: 'TFTP transfers completed',
  appliance_tftp_failed_total: 'TFTP transfers failed',
  appliance_tftp_busy_total: 'TFTP requests refused at the transfer limit',
  appliance_tftp_host_busy_total:
    'TFTP requests refused at the per-address transfer limit',
  appliance_tftp_waited_total:
    'TFTP requests that found every transfer slot taken and waited for one',
  appliance_tftp_waiting: 'TFTP requests waiting for a transfer slot now',
  appliance_tftp_wrong_tid_total:
    "TFTP datagrams from a peer that is not the transfer's",
  appliance_tftp_duplicates_total: 'Duplicate TFTP ACK or DATA blocks ignored',
  appliance_tftp_unexpected_total:
    "TFTP packets unexpected in their transfer's state",
  appliance_tftp_retransmits_total: 'TFTP blocks sent again',
  appliance_tftp_bytes_sent_total: 'TFTP payload bytes sent',
  appliance_tftp_bytes_received_total: 'TFTP payload bytes received',
  // FTP, HTTP(S) and the SIP check-sync client.
  appliance_ftp_connections_total: 'FTP control connections accepted',
  appliance_ftp_login_failures_total: 'FTP logins refused',
  appliance_ftp_client_errors_total:
    'FTP connections closed for a client protocol error',
  appliance_http_tls_failures_total: 'HTTPS handshakes that failed',
  appliance_notify_sent_total: 'check-sync NOTIFY transactions started',
  appliance_notify_retransmits_total:
    'check-sync NOTIFY retransmissions (Timer E)',
  // The time and log services.
  appliance_ntp_requests_total: 'NTP datagrams received',
  appliance_ntp_answered_total: 'NTP client requests answered',
  appliance_ntp_dropped_total: 'NTP datagrams dropped, by reason code',
  appliance_ntp_stratum: 'The stratum the NTP server announces',
  appliance_syslog_messages_total:
    'Syslog messages received, by how they were attributed to a phone',
  appliance_syslog_dropped_total:
    'Syslog messages dropped or not stored, by reason code',
  // The configuration in use.
  appliance_config_reloads_total: 'Configuration reloads applied',
  appliance_config_reload_failures_total:
    'Configuration reloads refused (invalid file)',
  appliance_config_loaded_timestamp_seconds:
    'When the configuration in use was loaded',
  appliance_config_info: 'The configuration in use (sha256 of appliance.yaml)',
  appliance_config_last_reload_failed:
    '1 while the last reload attempt was refused',
  // The inventory.
  appliance_phones: 'Phones in the inventory by running application version',
  appliance_phones_by_state:
    'Phones listed in appliance.yaml (known) or not (new)',
  appliance_rollout_phones: 'Firmware rollout state per model',
  appliance_notify_last_result: 'Phones by the result of their last check-sync',
  appliance_inventory_errors_recent: 'Errors in the recent-errors list',
  appliance_inventory_ignored_events_total:
    'Events about MACs with no sign of being a phone, counted instead of recorded',
  appliance_inventory_evicted_total:
    'Unknown phones dropped at the inventory cap, oldest first',
} as const;

const SOURCES: { readonly [N in keyof typeof HELP]: Source } = {
  // From the events (traffic.ts).
  appliance_dhcp_messages_total: joined(
    ['message', 'reply', 'result'],
    (s) => s.traffic.dhcpEvents,
  ),
  appliance_transfers_total: joined(
    ['protocol', 'direction', 'result'],
    (s) => s.traffic.transfers,
  ),
  appliance_transfer_bytes_total: joined(
    ['protocol', 'direction'],
    (s) => s.traffic.bytes,
  ),
  appliance_uploads_refused_total: joined(
    ['reason'],
    (s) => s.traffic.refusedUploads,
  ),
  // The DHCP service's counters and the leases.
  appliance_dhcp_requests_total: keyed('type', (s) => s.dhcp?.requests),
  appliance_dhcp_replies_total: keyed('type', (s) => s.dhcp?.replies),
  appliance_dhcp_results_total: keyed('result', (s) => s.dhcp?.results),
  appliance_dhcp_malformed_total: keyed('code', (s) => s.dhcp?.malformedByCode),
  appliance_dhcp_rate_limited_total: one((s) => s.dhcp?.rateLimited),
  appliance_dhcp_pool_size: perSite((p) => p.size),
  appliance_dhcp_leases_used: perSite((p) => p.used),
  appliance_dhcp_leases_free: perSite((p) => p.free),
  appliance_malformed_packets_total: {
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
  appliance_tftp_active: one((s) => s.tftp?.active),
  appliance_tftp_peak_active: one((s) => s.tftp?.peakActive),
  appliance_tftp_requests_total: one((s) => s.tftp?.requests),
  appliance_tftp_completed_total: one((s) => s.tftp?.completed),
  appliance_tftp_failed_total: one((s) => s.tftp?.failed),
  appliance_tftp_busy_total: one((s) => s.tftp?.busy),
  appliance_tftp_host_busy_total: one((s) => s.tftp?.hostBusy),
  appliance_tftp_waited_total: one((s) => s.tftp?.waited),
  appliance_tftp_waiting: one((s) => s.tftp?.waiting),
  appliance_tftp_wrong_tid_total: one((s) => s.tftp?.wrongTid),
  appliance_tftp_duplicates_total: one((s) => s.tftp?.duplicates),
  appliance_tftp_unexpected_total: one((s) => s.tftp?.unexpected),
  appliance_tftp_retransmits_total: one((s) => s.tftp?.retransmits),
  appliance_tftp_bytes_sent_total: one((s) => s.tftp?.bytesSent),
  appliance_tftp_bytes_received_total: one((s) => s.tftp?.bytesReceived),
  // FTP, HTTP(S) and the SIP check-sync client.
  appliance_ftp_connections_total: one((s) => s.ftp?.connections),
  appliance_ftp_login_failures_total: one((s) => s.ftp?.loginFailures),
  appliance_ftp_client_errors_total: one((s) => s.ftp?.clientErrors),
  appliance_http_tls_failures_total: one((s) => s.http?.tlsFailures),
  appliance_notify_sent_total: one((s) => s.sip?.sent),
  appliance_notify_retransmits_total: one((s) => s.sip?.retransmits),
  // The time and log services.
  appliance_ntp_requests_total: one((s) => s.ntp?.received),
  appliance_ntp_answered_total: one((s) => s.ntp?.answered),
  appliance_ntp_dropped_total: keyed('reason', (s) => s.ntp?.dropped),
  appliance_ntp_stratum: one((s) => s.ntp?.stratum),
  appliance_syslog_messages_total: {
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
  appliance_syslog_dropped_total: keyed(
    'reason',
    (s) => s.syslog && { ...s.syslog.dropped, ...s.syslog.store.dropped },
  ),
  // The configuration in use.
  appliance_config_reloads_total: one((s) => s.config.reloads),
  appliance_config_reload_failures_total: one((s) => s.config.failures),
  appliance_config_loaded_timestamp_seconds: one((s) =>
    Math.round(Date.parse(s.config.loadedAt) / 1000),
  ),
  appliance_config_info: {
    labels: ['sha256'],
    samples: (s) => [[{ sha256: s.config.sha256 }, 1]],
  },
  appliance_config_last_reload_failed: one((s) => (s.config.lastError ? 1 : 0)),
  // The inventory.
  appliance_phones: perPhone('firmware', (p) => p.runningVersion ?? 'unknown'),
  appliance_phones_by_state: perPhone('state', (p) => p.state, [
    'known',
    'new',
  ]),
  appliance_rollout_phones: {
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
  appliance_notify_last_result: perPhone('result', (p) => p.lastNotify?.result),
  appliance_inventory_errors_recent: one((s) => s.recentErrors),
  appliance_inventory_ignored_events_total: {
    labels: ['source'],
    samples: (s) => [
      [{ source: 'dhcp' }, s.noise.dhcp],
      [{ source: 'transfer' }, s.noise.transfers],
    ],
  },
  appliance_inventory_evicted_total: one((s) => s.noise.evicted),
};

export const FAMILIES: readonly Family[] = Object.entries(HELP).map(
  ([name, help]) => ({
    name,
    help,
    type: name.endsWith('_total') ? 'counter' : 'gauge',
    ...SOURCES[name as keyof typeof HELP],
  }),
);
