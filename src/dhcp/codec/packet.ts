/**
 * The DHCPv4 / BOOTP packet (RFC 2131 §2) as the codec gives it: its fields, the wire layout the decoder
 * (packet-decode.ts) and encoder (packet-encode.ts) share, message types, and the packets the server builds
 * (a reply's skeleton, a blank request). Option values are kept raw: decode them with options.ts.
 */

import { type Mac, macFromBytes } from '../../shared/mac.ts';

export interface DhcpPacket {
  op: 1 | 2;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** 16 bytes as on the wire. */
  chaddr: Uint8Array;
  /** NUL-trimmed latin1 text; '' when the field carries options (overload). */
  sname: string;
  file: string;
  /** Raw values; repeated options concatenated (RFC 3396); insertion order kept. Never holds 0, 52 (consumed) or 255. */
  options: Map<number, Uint8Array>;
}
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

const MESSAGE_TYPE_NAMES = Object.keys(MessageType);

/** A known message type's name (DISCOVER … INFORM), or undefined. */
export const messageTypeNameOf = (t: number): string | undefined =>
  t >= 1 && t <= 8 ? MESSAGE_TYPE_NAMES[t - 1] : undefined;

/** Wire layout: fixed header (236 bytes) + magic cookie, then options; the option codes framing uses. */
export const HEADER_SIZE = 236;
export const OPTIONS_OFFSET = 240;
export const MAGIC_COOKIE = 0x63825363;
export const SNAME_OFFSET = 44;
export const SNAME_SIZE = 64;
export const FILE_OFFSET = 108;
export const FILE_SIZE = 128;
export const OPT_PAD = 0;
export const OPT_OVERLOAD = 52;
export const OPT_MESSAGE_TYPE = 53;
export const OPT_CLIENT_ID = 61;
export const OPT_RELAY_AGENT = 82;
export const OPT_END = 255;

/** Option 53's value for each type, made once and shared by the replies (option values are read-only). */
const typeBytes: Uint8Array[] = [];
const messageTypeBytes = (t: number): Uint8Array =>
  (typeBytes[t] ??= Uint8Array.of(t));

/**
 * The skeleton of a reply: op 2, xid, flags, giaddr, htype/hlen, chaddr copied; option 53 set; option 61
 * echoed (RFC 6842) and option 82 echoed (RFC 3046 §2.2, always last on the wire). ciaddr is copied for ACK
 * (RFC 2131 table 3: an ACK to a renewing/rebinding REQUEST or to an INFORM carries the client's ciaddr).
 */
export function replyTo(req: DhcpPacket, messageType: number): DhcpPacket {
  const options = new Map<number, Uint8Array>();
  options.set(OPT_MESSAGE_TYPE, messageTypeBytes(messageType & 0xff));
  const clientId = req.options.get(OPT_CLIENT_ID);
  if (clientId !== undefined) options.set(OPT_CLIENT_ID, clientId);
  const relay = req.options.get(OPT_RELAY_AGENT);
  if (relay !== undefined) options.set(OPT_RELAY_AGENT, relay);
  const chaddr = new Uint8Array(16);
  chaddr.set(req.chaddr.subarray(0, 16));
  return {
    op: 2,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: messageType === MessageType.ACK ? req.ciaddr : 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: req.giaddr,
    chaddr,
    sname: '',
    file: '',
    options,
  };
}

/** The client's MAC from chaddr (first 6 bytes). */
export function macOf(p: DhcpPacket): Mac {
  return macFromBytes(p.chaddr);
}

/** A blank request packet (op 1, Ethernet), for builders and tests. */
export function emptyPacket(op: 1 | 2 = 1): DhcpPacket {
  return {
    op,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: new Uint8Array(16),
    sname: '',
    file: '',
    options: new Map(),
  };
}
