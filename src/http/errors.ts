/**
 * HTTP error codes (documented in docs/errors.md, section HTTP) and the one mapping from tree errors to
 * HTTP statuses. Every error reply carries its code in the X-Error-Code header and a one-line text body.
 */
import type { TreeErrorCode } from '../tree/types.ts';

/** Every HTTP error code, with what it means (docs/errors.md, section HTTP, says the same). */
export const HTTP_ERROR_CODES = [
  'HTTP_METHOD_NOT_ALLOWED', // a method other than GET, HEAD, PUT
  'HTTP_BAD_REQUEST_PATH', // the request target is not a decodable origin-form path
  'HTTP_AUTH_REQUIRED', // the path is in a site folder with accounts and no valid credentials came
  'HTTP_CLIENT_CERT_REQUIRED', // mutual TLS is on and the client presented no certificate signed by the CA
  'HTTP_BAD_CONTENT_LENGTH', // a PUT with an unparsable Content-Length
  'HTTP_RANGE_NOT_SATISFIABLE', // the single range asked for lies outside the file
  'HTTP_CLIENT_ABORTED', // the client closed the connection before the transfer finished
  'HTTP_SERVER_SHUTDOWN', // the server closed the connection at its own shutdown before the transfer finished
  'HTTP_TLS_HANDSHAKE', // a TLS handshake failed (with mutual TLS: no certificate or one not signed by the CA); logged, no transfer event
  'HTTP_TLS_CONFIG', // services.https is enabled but its cert/key/clientCa files are missing or unreadable (start fails)
  'HTTP_INTERNAL', // an unexpected failure in the server (a bug); the client gets 500
] as const;

export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export type ErrorCode = HttpErrorCode | TreeErrorCode;

export interface HttpFailure {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** HTTP status for a tree error. Directories are not served (no listings): 404 on read, 409 on write. */
export function statusForTreeError(
  code: TreeErrorCode,
  direction: 'download' | 'upload',
): number {
  switch (code) {
    case 'TREE_BAD_PATH':
      return 400;
    case 'TREE_NOT_FOUND':
      return 404;
    case 'TREE_IS_DIRECTORY':
      return direction === 'download' ? 404 : 409;
    case 'TREE_READ_ONLY':
      return 403;
    case 'TREE_NAME_NOT_ALLOWED':
      return 403;
    case 'TREE_MAC_MISMATCH':
      return 403;
    case 'TREE_ESCAPE':
      return 403;
    case 'TREE_TOO_LARGE':
      return 413;
    case 'TREE_IO':
      return 500;
  }
}

export const failure = (
  status: number,
  code: ErrorCode,
  message: string,
): HttpFailure => ({ status, code, message });
