/** Counters of one TFTP server instance (held by the server, never module-level). */
export interface TftpStats {
  /** Transfers holding a slot: in progress, up to their outcome (maxTransfers counts these). */
  active: number;
  /** Transfers past their outcome whose socket is still open (an upload lingering to re-ACK its last block). */
  lingering: number;
  peakActive: number;
  /** Requests accepted for processing (RRQ + WRQ). */
  requests: number;
  completed: number;
  failed: number;
  /** Requests refused because maxTransfers were in progress (after waiting, or the waiting room full). */
  busy: number;
  /** Requests that found every slot taken and waited for one (waiting-room.ts); those not served count in busy. */
  waited: number;
  /** Requests waiting for a slot now. */
  waiting: number;
  /** Requests refused because their address already held maxTransfersPerHost transfers. */
  hostBusy: number;
  /** Runt or undecodable datagrams, dropped. */
  malformed: number;
  /** Datagrams from an address/port that is not the transfer's peer (answered with ERROR 5). */
  wrongTid: number;
  /** Duplicate ACKs or DATA blocks ignored. */
  duplicates: number;
  /** Packets valid but unexpected in the transfer's state (ignored). */
  unexpected: number;
  retransmits: number;
  bytesSent: number;
  bytesReceived: number;
}

export const emptyStats = (): TftpStats => ({
  active: 0,
  lingering: 0,
  peakActive: 0,
  requests: 0,
  completed: 0,
  failed: 0,
  busy: 0,
  waited: 0,
  waiting: 0,
  hostBusy: 0,
  malformed: 0,
  wrongTid: 0,
  duplicates: 0,
  unexpected: 0,
  retransmits: 0,
  bytesSent: 0,
  bytesReceived: 0,
});
