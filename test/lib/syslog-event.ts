/** A syslog event as the syslog server emits it for a phone's RFC 3164 line over UDP (tests and benches). */
import type { SyslogEvent } from '../../src/runtime/syslog-event.ts';
import type { Mac } from '../../src/shared/mac.ts';

export const syslogEvent = (
  mac: Mac,
  peer: string,
  app: string,
  text: string,
  at: number,
): SyslogEvent => ({
  type: 'syslog',
  mac,
  attributedBy: 'lease',
  peer,
  transport: 'udp',
  format: 'rfc3164',
  facility: 16,
  severity: 6,
  timestamp: undefined,
  hostname: undefined,
  app,
  text,
  receivedAt: new Date(at).toISOString(),
});
