/**
 * FTP error codes (docs/errors.md, section FTP) and the mapping of tree errors to FTP replies. A refusal
 * travels through ftp-srv as an Error carrying `replyCode` (our patch makes STOR/RETR/LIST reply with it).
 */
import type { TreeError, TreeErrorCode } from '../tree/types.ts';

/** Every FTP_* code (each documented in docs/errors.md, section FTP). */
export const FTP_ERROR_CODES = [
  'FTP_OUTSIDE_SITE', // a site account asked for a path outside its site's folder
  'FTP_NOT_PERMITTED', // DELE, MKD, RMD, RNFR/RNTO, SITE CHMOD, REST before STOR: never allowed
  'FTP_NOT_A_DIRECTORY', // CWD to a file
  'FTP_SHORT_UPLOAD', // the data connection ended before the size announced by ALLO
  'FTP_CLIENT_GONE', // the control connection closed while the upload was being finished
  'FTP_DISCONNECTED', // the client went away during a transfer
  'FTP_SERVER_SHUTDOWN', // the server closed the connection at its own shutdown during a transfer
  'FTP_DATA_ERROR', // the data connection failed (reset, timeout, TLS error)
  'FTP_LOGIN_FAILED', // wrong user or password (logged)
  'FTP_SERVER_ERROR', // the listening socket reported an error (logged)
  'FTP_LISTEN', // the control port could not be bound
  'FTP_TLS_CONFIG', // services.ftp.cert / key unreadable
] as const;

export type FtpErrorCode = (typeof FTP_ERROR_CODES)[number];

/** An error ftp-srv turns into a reply: `${replyCode} ${code}: ${message}`. */
export class FtpReplyError extends Error {
  readonly code: TreeErrorCode | FtpErrorCode;
  readonly replyCode: number;
  constructor(
    code: TreeErrorCode | FtpErrorCode,
    replyCode: number,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'FtpReplyError';
    this.code = code;
    this.replyCode = replyCode;
  }
}

/** Reply codes for a tree error when reading (RETR, SIZE, MDTM, LIST, CWD). */
const READ_REPLY: Readonly<Record<TreeErrorCode, number>> = {
  TREE_BAD_PATH: 550,
  TREE_NOT_FOUND: 550,
  TREE_IS_DIRECTORY: 550,
  TREE_READ_ONLY: 550,
  TREE_NAME_NOT_ALLOWED: 550,
  TREE_MAC_MISMATCH: 550,
  TREE_TOO_LARGE: 552,
  TREE_ESCAPE: 550,
  TREE_IO: 451,
};

/** Reply codes for a tree error when writing (STOR, APPE): RFC 959 550 / 552 / 553. */
const WRITE_REPLY: Readonly<Record<TreeErrorCode, number>> = {
  TREE_BAD_PATH: 553, // file name not allowed
  TREE_NOT_FOUND: 550,
  TREE_IS_DIRECTORY: 553,
  TREE_READ_ONLY: 550, // permission denied
  TREE_NAME_NOT_ALLOWED: 553,
  TREE_MAC_MISMATCH: 550,
  TREE_TOO_LARGE: 552, // exceeded storage allocation
  TREE_ESCAPE: 550,
  TREE_IO: 451, // local error in processing
};

export function treeReadError(e: TreeError): FtpReplyError {
  return new FtpReplyError(e.code, READ_REPLY[e.code] ?? 550, e.message);
}

export function treeWriteError(e: TreeError): FtpReplyError {
  return new FtpReplyError(e.code, WRITE_REPLY[e.code] ?? 550, e.message);
}

/** The stable code of whatever ended a transfer, for its event. */
export function resultCode(e: unknown): string {
  if (e instanceof FtpReplyError) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(TREE|FTP)_[A-Z_]+$/.test(code))
    return code;
  return 'FTP_DATA_ERROR';
}
