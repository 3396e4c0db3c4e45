/**
 * Errors carry a stable code (documented in docs/errors.md) and are turned into protocol replies
 * (TFTP error packet, FTP 5xx, HTTP status) only at each front-end's boundary.
 */
export class ApplianceError extends Error {
  readonly code: string;
  readonly detail: Record<string, unknown> | undefined;
  constructor(code: string, message: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'ApplianceError';
    this.code = code;
    this.detail = detail;
  }
}
