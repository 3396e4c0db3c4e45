/**
 * TFTP_HOST_BUSY: a request from an address that already holds maxTransfersPerHost transfers (or waits for
 * them) gets ERROR 0 on the listening socket. Not recorded as a transfer: a flood from one address costs a
 * counter and one log line per host a minute (tree/refusals.ts), whatever its rate.
 */
import type { Socket } from 'node:dgram';
import type { Logger } from '../shared/log.ts';
import { createRefusalLog } from '../tree/refusals.ts';
import type { Peer } from './accepted.ts';
import { ERR_UNDEFINED, encodeError } from './codec/packet.ts';
import type { TftpStats } from './stats.ts';

export type RefuseHostBusy = (
  peer: Peer,
  filename: string,
  held: number,
) => void;

export function createHostBusy(
  log: Logger,
  main: Socket,
  stats: TftpStats,
): RefuseHostBusy {
  const refusals = createRefusalLog({
    log: (r) =>
      log.warn(
        {
          code: 'TFTP_HOST_BUSY',
          peer: r.peer,
          path: r.path,
          suppressed: r.suppressed,
        },
        'tftp: request refused, too many transfers from this address (logged once per host a minute)',
      ),
  });
  return (peer, filename, held) => {
    stats.hostBusy++;
    refusals.note({
      protocol: 'tftp',
      peer: peer.address,
      path: filename.slice(0, 200),
    });
    main.send(
      encodeError(
        ERR_UNDEFINED,
        `server busy: ${held} transfers from your address in progress, retry later`,
      ),
      peer.port,
      peer.address,
    );
  };
}
