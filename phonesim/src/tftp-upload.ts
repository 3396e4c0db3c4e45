/**
 * A TFTP upload (WRQ) as a phone sends its logs, call lists and overrides: blksize and tsize asked for
 * (none when blksize is 0), lock-step DATA/ACK with block numbers rolling over at 65536, the last block
 * shorter than blksize (empty when the size is a multiple); a refusal is SIM_UPLOAD_REJECTED.
 */
import { err, ok, type Result } from '../../src/shared/result.ts';
import {
  ERR_ACCESS,
  ERR_NOT_FOUND,
  encode,
  encodeData,
  OP_ACK,
} from '../../src/tftp/codec/packet.ts';
import { type SimError, simError } from './errors.ts';
import { converse, type Retransmit } from './tftp-conversation.ts';
import { oackBlksize } from './tftp-download.ts';

const blockOf = (msg: Buffer): number => (msg[2]! << 8) | msg[3]!;

export function upload(
  localAddress: string | undefined,
  server: { port: number; address: string },
  opts: Retransmit & { readonly blksize: number },
  full: string,
  data: Buffer,
  onRetry: () => void,
): Promise<Result<void, SimError>> {
  const what = `WRQ ${full}`;
  return converse<void>(localAddress, server, opts, what, onRetry, (c) => {
    const options =
      opts.blksize > 0
        ? [
            { name: 'blksize', value: String(opts.blksize) },
            { name: 'tsize', value: String(data.length) },
          ]
        : [];
    let blksize = 512;
    let block = 0; // last block sent (0 = the request)
    const blocks = (): number => Math.floor(data.length / blksize) + 1;
    c.start(
      encode({ op: 'wrq', filename: full, mode: 'octet', options }),
      (op, msg, p) => {
        if (p?.op === 'error') {
          c.finish(
            err(
              simError(
                p.code === ERR_NOT_FOUND ||
                  p.code === ERR_ACCESS ||
                  p.code === 6 ||
                  p.code === 3
                  ? 'SIM_UPLOAD_REJECTED'
                  : 'SIM_PROTOCOL',
                `${what}: TFTP error ${p.code} ${p.message}`,
              ),
            ),
          );
          return;
        }
        if (p?.op === 'oack' && block === 0) {
          const b = oackBlksize(p, blksize);
          blksize = b.value;
          if (!b.ok) {
            c.finish(
              err(simError('SIM_PROTOCOL', `${what}: OACK blksize ${b.raw}`)),
            );
            return;
          }
        } else if (!(op === OP_ACK && blockOf(msg) === (block & 0xffff)))
          return;
        if (block >= blocks()) {
          c.finish(ok(undefined));
          return;
        }
        block++;
        const start = (block - 1) * blksize;
        c.send(
          encodeData(
            block & 0xffff,
            data.subarray(start, Math.min(start + blksize, data.length)),
          ),
        );
      },
    );
  });
}
