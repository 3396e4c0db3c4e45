/**
 * The head of an HTTP/1.x response as phonesim's wire client needs it (http-wire.ts): the status, how the
 * body is framed (Content-Length, chunked, or until close) and whether the connection stays open.
 */
export interface ResponseHead {
  readonly status: number;
  /** Content-Length, when given and no chunked coding overrides it (RFC 9112 §6.3). */
  readonly length: number | undefined;
  readonly chunked: boolean;
  readonly keepAlive: boolean;
}

/** `text` = the status line and header lines, without the blank line; undefined when malformed. */
export function parseHead(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  let length: number | undefined;
  let chunked = false;
  let connection = '';
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    const c = l.indexOf(':');
    if (c <= 0) return undefined;
    const name = l.slice(0, c).trim().toLowerCase();
    const value = l.slice(c + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) return undefined;
      length = Number(value);
    } else if (name === 'transfer-encoding')
      chunked = value.toLowerCase().split(',').pop()!.trim() === 'chunked';
    else if (name === 'connection') connection = value.toLowerCase();
  }
  const http11 = m[1] === '1';
  return {
    status: Number(m[2]),
    length: chunked ? undefined : length,
    chunked,
    keepAlive: http11
      ? !connection.includes('close')
      : connection.includes('keep-alive'),
  };
}
