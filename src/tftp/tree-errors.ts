/**
 * The tree's refusals as TFTP ERROR packets (RFC 1350 §5 codes). The tree decides; this only translates.
 */
import type { TreeError } from '../tree/types.ts';
import {
  ERR_ACCESS,
  ERR_DISK_FULL,
  ERR_NOT_FOUND,
  ERR_UNDEFINED,
} from './codec/packet.ts';

export interface TftpRefusal {
  /** TFTP error code on the wire. */
  readonly code: number;
  /** Message on the wire (the tree's own words: never a filesystem path of the appliance). */
  readonly message: string;
  /** Stable code for the transfer event and log. */
  readonly result: string;
}

export function refusalFor(e: TreeError): TftpRefusal {
  switch (e.code) {
    case 'TREE_NOT_FOUND':
    case 'TREE_IS_DIRECTORY':
      return { code: ERR_NOT_FOUND, message: 'file not found', result: e.code };
    case 'TREE_BAD_PATH':
      return {
        code: ERR_ACCESS,
        message: `bad file name: ${e.message}`,
        result: e.code,
      };
    case 'TREE_READ_ONLY':
    case 'TREE_NAME_NOT_ALLOWED':
    case 'TREE_MAC_MISMATCH':
    case 'TREE_ESCAPE':
      return {
        code: ERR_ACCESS,
        message: `access violation: ${e.message}`,
        result: e.code,
      };
    case 'TREE_TOO_LARGE':
      return {
        code: ERR_DISK_FULL,
        message: `too large: ${e.message}`,
        result: e.code,
      };
    case 'TREE_IO':
      return {
        code: ERR_UNDEFINED,
        message: 'server I/O error',
        result: e.code,
      };
  }
}
