/**
 * The check-sync NOTIFY (facts §8) and the parsing of the phone's response. Pure: no sockets, no clock, no
 * randomness (branch, tag and Call-ID come in).
 *
 *   NOTIFY sip:10.20.0.57:5060 SIP/2.0
 *   Via: SIP/2.0/UDP 10.20.0.2:5061;branch=z9hG4bK7f3a…;rport
 *   Max-Forwards: 70
 *   From: <sip:appliance@10.20.0.2>;tag=9c1e…
 *   To: <sip:10.20.0.57:5060>
 *   Call-ID: 5b8d…@10.20.0.2
 *   CSeq: 1 NOTIFY
 *   Event: check-sync
 *   Subscription-State: terminated        (out of dialog, no subscription: RFC 6665 §4.2.1 wording)
 *   User-Agent: polycom-appliance
 *   Content-Length: 0
 *
 * --reboot adds ";reboot=true" to Event (the Asterisk/Yealink convention; Polycom phones reboot on a plain
 * check-sync when voIpProt.SIP.specialEvent.checkSync.alwaysReboot=1, or when what they fetch changed).
 */
import { err, ok, type Result } from '../shared/result.ts';

export interface NotifyParams {
  readonly target: {
    readonly address: string;
    readonly port: number;
    readonly user?: string | undefined;
  };
  readonly local: { readonly address: string; readonly port: number };
  /** Without the z9hG4bK magic cookie; it is added here. */
  readonly branch: string;
  readonly fromTag: string;
  readonly callId: string;
  readonly reboot?: boolean;
}

export const MAGIC = 'z9hG4bK';

const hostPort = (a: string, p: number): string => `${a}:${p}`;

export function buildNotify(p: NotifyParams): string {
  const uri = `sip:${p.target.user ? `${p.target.user}@` : ''}${hostPort(p.target.address, p.target.port)}`;
  return [
    `NOTIFY ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${hostPort(p.local.address, p.local.port)};branch=${MAGIC}${p.branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:appliance@${p.local.address}>;tag=${p.fromTag}`,
    `To: <${uri}>`,
    `Call-ID: ${p.callId}@${p.local.address}`,
    'CSeq: 1 NOTIFY',
    `Contact: <sip:appliance@${hostPort(p.local.address, p.local.port)}>`,
    `Event: check-sync${p.reboot ? ';reboot=true' : ''}`,
    'Subscription-State: terminated',
    'User-Agent: polycom-appliance',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

export interface SipResponse {
  readonly status: number;
  readonly reason: string;
  /** Branch of the top Via, with its z9hG4bK cookie. */
  readonly branch: string;
  readonly callId: string;
  readonly cseq: string;
}

export interface SipParseError {
  readonly code: 'ADMIN_SIP_MALFORMED';
  readonly message: string;
}

/** Compact header names (RFC 3261 §7.3.3) that a response may use. */
const COMPACT: Record<string, string> = {
  v: 'via',
  i: 'call-id',
  f: 'from',
  t: 'to',
  l: 'content-length',
};

/** A response to our NOTIFY; never throws. Requests, truncated and oversized datagrams are errors. */
export function parseResponse(
  buf: Uint8Array,
): Result<SipResponse, SipParseError> {
  const bad = (message: string): { ok: false; error: SipParseError } =>
    err({ code: 'ADMIN_SIP_MALFORMED', message });
  if (buf.length < 12 || buf.length > 65_535) return bad(`size ${buf.length}`);
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString(
    'latin1',
  );
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const lines = head.split(/\r?\n/);
  const status = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/.exec(lines[0] ?? '');
  if (!status) return bad('not a SIP/2.0 status line');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim()); // the top Via is the first one
  }
  const via = headers.get('via');
  const callId = headers.get('call-id');
  const cseq = headers.get('cseq');
  if (via === undefined || callId === undefined || cseq === undefined)
    return bad('missing Via, Call-ID or CSeq');
  const branch = /;\s*branch=([^;,\s]+)/i.exec(via)?.[1];
  if (branch === undefined) return bad('Via without branch');
  return ok({
    status: Number(status[1]),
    reason: status[2] ?? '',
    branch,
    callId,
    cseq,
  });
}
