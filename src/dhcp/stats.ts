/** Counters the metrics issue will expose; one object per server (no module state). */
export interface DhcpStats {
  /** Datagrams read from the socket. */
  received: number;
  /** Dropped before the engine: undecodable (DHCP_TOO_SHORT, DHCP_BAD_COOKIE …). */
  malformed: number;
  malformedByCode: Record<string, number>;
  /** Dropped by the per-MAC rate limit. */
  rateLimited: number;
  /** Requests by message type name (DISCOVER, REQUEST …). */
  requests: Record<string, number>;
  /** Replies sent by type (OFFER, ACK, NAK). */
  replies: Record<string, number>;
  /** Engine results other than ok (DHCP_OTHER_SERVER, DHCP_NO_SITE, DHCP_POOL_EXHAUSTED …). */
  results: Record<string, number>;
  /** ACKs not sent because the lease could not be made durable. */
  persistFailures: number;
  sendErrors: number;
  handlerErrors: number;
  /** Bound leases in the table (including expired ones kept for address affinity). */
  leases: number;
}

export function createStats(): DhcpStats {
  return {
    received: 0,
    malformed: 0,
    malformedByCode: {},
    rateLimited: 0,
    requests: {},
    replies: {},
    results: {},
    persistFailures: 0,
    sendErrors: 0,
    handlerErrors: 0,
    leases: 0,
  };
}

export const bump = (rec: Record<string, number>, key: string): void => {
  rec[key] = (rec[key] ?? 0) + 1;
};
