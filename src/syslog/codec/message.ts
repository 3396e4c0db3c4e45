/**
 * A total syslog parser (never throws): RFC 5424 when the PRI is followed by version "1 ", else RFC 3164
 * (BSD: "Mmm dd hh:mm:ss HOSTNAME TAG[pid]: text", every part optional as real senders omit them), else the
 * whole datagram as text with the RFC 3164 §4.3.3 default PRI 13 (user.notice). Polycom phones send RFC 3164
 * and, with device.syslog.prependMac, put their MAC in front of the text; extractMac finds it there (or as the
 * HOSTNAME or TAG). Binary datagrams (NUL or control characters other than tab) and empty ones are typed errors.
 */

import { type Mac, parseMac } from '../../shared/mac.ts';
import { err, ok, type Result } from '../../shared/result.ts';

export type SyslogFormat = 'rfc3164' | 'rfc5424' | 'raw';

export interface SyslogMessage {
  readonly format: SyslogFormat;
  /** 0-23 (16 = local0, Polycom's default). */
  readonly facility: number;
  /** 0 (emergency) – 7 (debug). */
  readonly severity: number;
  readonly timestamp: string | undefined;
  readonly hostname: string | undefined;
  /** RFC 3164 TAG / RFC 5424 APP-NAME. */
  readonly app: string | undefined;
  readonly procId: string | undefined;
  readonly msgId: string | undefined;
  /** RFC 5424 STRUCTURED-DATA as sent ("[id k=\"v\"]…"), undefined for "-". */
  readonly structuredData: string | undefined;
  /** The free text (after the TAG in RFC 3164, MSG in RFC 5424). */
  readonly text: string;
  /** The MAC the sender put in front of the text (prependMac), as HOSTNAME or as TAG. */
  readonly mac: Mac | undefined;
}

export type SyslogParseError = 'SYSLOG_EMPTY' | 'SYSLOG_BINARY';

const DEFAULT_PRI = 13;
const BSD_TIME =
  /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d [0-2]\d:[0-5]\d:[0-6]\d(?: |$)/;
const ISO_TIME = /^\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?(?: |$)/;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{0,32})\])?:(?: |$)/;
const MAC_AT_START =
  /^\[?((?:[0-9a-fA-F]{12})|(?:[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}))(?=$|[\s:|,;\]>)])/;
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Is this a byte a text line may not contain (NUL, C0 controls but tab, DEL)? */
const isBinaryByte = (b: number): boolean =>
  (b < 0x20 && b !== 0x09) || b === 0x7f;

export function parseSyslog(
  input: Uint8Array,
): Result<SyslogMessage, SyslogParseError> {
  // Senders end datagrams with LF, CR LF or NUL: not part of the message.
  let end = input.length;
  while (
    end > 0 &&
    (input[end - 1] === 0x0a ||
      input[end - 1] === 0x0d ||
      input[end - 1] === 0x00)
  )
    end--;
  let start = 0;
  while (start < end && (input[start] === 0x20 || input[start] === 0x09))
    start++;
  if (start >= end) return err('SYSLOG_EMPTY');
  for (let i = start; i < end; i++)
    if (isBinaryByte(input[i]!)) return err('SYSLOG_BINARY');
  let s = decoder.decode(input.subarray(start, end));

  let pri = DEFAULT_PRI;
  let hasPri = false;
  const p = /^<(\d{1,3})>/.exec(s);
  if (p && Number(p[1]) <= 191) {
    pri = Number(p[1]);
    hasPri = true;
    s = s.slice(p[0].length);
  }
  const facility = pri >> 3;
  const severity = pri & 7;
  if (hasPri && s.startsWith('1 '))
    return ok(parse5424(s.slice(2), facility, severity));
  if (!hasPri)
    return ok(fromText('raw', facility, severity, undefined, undefined, s));

  let timestamp: string | undefined;
  let hostname: string | undefined;
  const t = BSD_TIME.exec(s) ?? ISO_TIME.exec(s);
  if (t) {
    timestamp = t[0].trimEnd();
    s = s.slice(t[0].length);
    // HOSTNAME: the next word unless it is already the TAG ("app:" / "app[12]:") or the last word.
    const sp = s.indexOf(' ');
    if (sp > 0 && !TAG.test(s)) {
      hostname = s.slice(0, sp);
      s = s.slice(sp + 1);
    }
  }
  return ok(fromText('rfc3164', facility, severity, timestamp, hostname, s));
}

function fromText(
  format: SyslogFormat,
  facility: number,
  severity: number,
  timestamp: string | undefined,
  hostname: string | undefined,
  body: string,
): SyslogMessage {
  let app: string | undefined;
  let procId: string | undefined;
  let text = body;
  const tag = TAG.exec(body);
  if (tag) {
    app = tag[1];
    procId = tag[2] || undefined;
    text = body.slice(tag[0].length);
  }
  const mac =
    extractMac(text) ?? extractMac(body) ?? macOnly(hostname) ?? macOnly(app);
  return {
    format,
    facility,
    severity,
    timestamp,
    hostname,
    app,
    procId,
    msgId: undefined,
    structuredData: undefined,
    text,
    mac,
  };
}

const nil = (f: string | undefined): string | undefined =>
  f === undefined || f === '-' || f === '' ? undefined : f;

function parse5424(
  rest: string,
  facility: number,
  severity: number,
): SyslogMessage {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]: a missing field is nil.
  const fields: string[] = [];
  let s = rest;
  for (let i = 0; i < 5; i++) {
    const sp = s.indexOf(' ');
    if (sp < 0) {
      fields.push(s);
      s = '';
      break;
    }
    fields.push(s.slice(0, sp));
    s = s.slice(sp + 1);
  }
  const sdLen = structuredDataLength(s);
  const sd = s.slice(0, sdLen);
  let text = s.slice(sdLen);
  if (text.startsWith(' ')) text = text.slice(1);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const hostname = nil(fields[1]);
  const app = nil(fields[2]);
  return {
    format: 'rfc5424',
    facility,
    severity,
    timestamp: nil(fields[0]),
    hostname,
    app,
    procId: nil(fields[3]),
    msgId: nil(fields[4]),
    structuredData: nil(sd),
    text,
    mac: extractMac(text) ?? macOnly(hostname) ?? macOnly(app),
  };
}

/** Length of the STRUCTURED-DATA at the start of s: "-", or [..] elements (quotes and \-escapes honoured). */
function structuredDataLength(s: string): number {
  if (s.startsWith('-')) return 1;
  let i = 0;
  while (s[i] === '[') {
    let inQuote = false;
    let j = i + 1;
    for (; j < s.length; j++) {
      const c = s[j];
      if (c === '\\') {
        j++;
        continue;
      }
      if (c === '"') inQuote = !inQuote;
      else if (c === ']' && !inQuote) break;
    }
    if (j >= s.length) return i === 0 ? 0 : i; // unterminated: not structured data
    i = j + 1;
  }
  return i;
}

/** The MAC at the start of text ("0004f28062d6 …", "00:04:f2:80:62:d6|…", "[0004F28062D6] …"). */
export function extractMac(text: string): Mac | undefined {
  const m = MAC_AT_START.exec(text);
  if (!m) return undefined;
  const mac = parseMac(m[1]!);
  return mac.ok ? mac.value : undefined;
}

function macOnly(field: string | undefined): Mac | undefined {
  if (field === undefined) return undefined;
  const mac = extractMac(field);
  return mac !== undefined && field.replace(/^\[|\]$/g, '').length <= 17
    ? mac
    : undefined;
}
