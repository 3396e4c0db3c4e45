/**
 * The event the syslog receiver (src/syslog/server.ts) emits for every message attributed to a phone, for the
 * phone's timeline (one of the ApplianceEvent union in events.ts).
 */
import type { Mac } from '../shared/mac.ts';

export interface SyslogEvent {
  readonly type: 'syslog';
  readonly mac: Mac;
  /** How the phone was recognised: the MAC it put in front of the text, or the sender's lease. */
  readonly attributedBy: 'prefix' | 'lease';
  readonly peer: string;
  readonly transport: 'udp' | 'tcp';
  readonly format: 'rfc3164' | 'rfc5424' | 'raw';
  readonly facility: number;
  readonly severity: number;
  /** The sender's own timestamp, as sent (RFC 3164 "Mmm dd hh:mm:ss" or RFC 5424 ISO), if any. */
  readonly timestamp: string | undefined;
  readonly hostname: string | undefined;
  readonly app: string | undefined;
  readonly text: string;
  /** When the appliance received it (ISO 8601). */
  readonly receivedAt: string;
}
