/**
 * Kea hot-standby (libdhcp_ha.so with libdhcp_lease_cmds.so): two kea-dhcp4 running the same exported
 * policy, the primary answering and replicating leases, the standby taking over once the primary has not
 * answered heartbeats for max-response-delay. Kea 2.2 peers talk through a dedicated HTTP listener inside
 * kea-dhcp4 (multi-threading on), so no kea-ctrl-agent is needed.
 */

export interface HaOptions {
  readonly primaryUrl: string;
  readonly standbyUrl: string;
  /** Which of the two this file is for. */
  readonly thisServer: 'primary' | 'standby';
  /** Milliseconds without an answer from the partner before the standby serves (max-response-delay). */
  readonly maxResponseDelay: number;
  readonly hooksDir: string;
}

export const DEBIAN_HOOKS_DIR = '/usr/lib/x86_64-linux-gnu/kea/hooks';
export const DEFAULT_HA_DELAY_MS = 60_000;

/** The hook libraries and the server-level multi-threading block an HA pair needs. */
export function haConfig(ha: HaOptions): {
  hooks: object[];
  multiThreading: object;
} {
  const heartbeat = Math.max(
    1000,
    Math.min(10_000, Math.round(ha.maxResponseDelay / 6)),
  );
  return {
    hooks: [
      { library: `${ha.hooksDir}/libdhcp_lease_cmds.so` },
      {
        library: `${ha.hooksDir}/libdhcp_ha.so`,
        parameters: {
          'high-availability': [
            {
              'this-server-name': ha.thisServer,
              mode: 'hot-standby',
              'heartbeat-delay': heartbeat,
              'max-response-delay': ha.maxResponseDelay,
              'max-ack-delay': Math.min(5000, heartbeat),
              // 0: the standby does not wait to see clients go unanswered; a lost primary is enough.
              'max-unacked-clients': 0,
              'multi-threading': {
                'enable-multi-threading': true,
                'http-dedicated-listener': true,
                'http-listener-threads': 1,
                'http-client-threads': 1,
              },
              peers: [
                {
                  name: 'primary',
                  url: ha.primaryUrl,
                  role: 'primary',
                  'auto-failover': true,
                },
                {
                  name: 'standby',
                  url: ha.standbyUrl,
                  role: 'standby',
                  'auto-failover': true,
                },
              ],
            },
          ],
        },
      },
    ],
    multiThreading: {
      'enable-multi-threading': true,
      'thread-pool-size': 2,
      'packet-queue-size': 64,
    },
  };
}

/** "http://10.0.0.1:8001/,http://10.0.0.2:8001/" → the two URLs, or a message. */
export function parseHaUrls(
  s: string,
): { primary: string; standby: string } | string {
  const parts = s.split(',').map((p) => p.trim());
  if (
    parts.length !== 2 ||
    parts.some((p) => !/^https?:\/\/[^/\s]+\/?$/.test(p))
  )
    return `--ha needs PRIMARY_URL,STANDBY_URL (http://host:port/), got "${s}"`;
  const slash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);
  return { primary: slash(parts[0]!), standby: slash(parts[1]!) };
}
