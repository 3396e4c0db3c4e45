/** Appliance events for unit tests: a plausible default, with the fields a test cares about given. */
import { decodeVendorClass } from '../../src/policy/vendor-class.ts';
import type { DhcpEvent, TransferEvent } from '../../src/runtime/events.ts';
import type { Mac } from '../../src/shared/mac.ts';

export const transferEvent = (
  o: Partial<TransferEvent> = {},
): TransferEvent => ({
  type: 'transfer',
  protocol: 'http',
  direction: 'download',
  peer: '10.91.10.100',
  mac: undefined,
  path: 'x.cfg',
  bytes: 100,
  durationMs: 1,
  result: 'ok',
  ...o,
});

export const dhcpEvent = (o: Partial<DhcpEvent> = {}): DhcpEvent => ({
  type: 'dhcp',
  message: 'REQUEST',
  reply: 'ACK',
  mac: '0004f2a00001' as Mac,
  site: 'hq',
  address: '10.91.10.100',
  labels: {},
  vendor: decodeVendorClass(undefined),
  result: 'ok',
  ...o,
});
