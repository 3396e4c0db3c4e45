/**
 * Option 60 (Vendor Class Identifier) as Polycom phones send it (facts §1).
 *
 * Binary form [AG31]: 00 00 36 3d (enterprise 13885), one length byte of the sub-option list, then TLVs:
 *   1 company "Polycom", 2 model "SoundPointIP-SPIP_601" / "VVX-VVX_410", 3 "part,rev" "2345-11605-001,2",
 *   4 application version "SIP/…", 5 bootROM / updater version "BR/…" / "UP/…".
 * Parsing stops at the list length (clamped to the bytes present), at an end marker 0xFF, or at a sub-option
 * running past the list; what was read so far is kept.
 * ASCII form (device.dhcp.option60Type=ASCII, seen by Rapid7 Recog): "Polycom-VVX410", "Poly-VVX-D230",
 * "Polycom-SSIP6000". Anything else is vendor 'other' with its text kept (non-printables as \xNN).
 */

export interface VendorLabels {
  vendor: 'polycom' | 'other' | 'none';
  form: 'binary' | 'ascii' | 'text' | 'none';
  /** Printable rendering: the ASCII string, or for binary the sub-option values joined with ';'. */
  text: string;
  /** Catalog token, no underscore or dash: SPIP601, VVX410, SSIP6000, VVXD230. */
  model?: string;
  /** UA token as in sub-option 2 after the family prefix: SPIP_601, VVX_410. */
  uaToken?: string;
  partNumber?: string;
  hardwareRevision?: string;
  appVersion?: string;
  bootVersion?: string;
  company?: string;
}

const SIGNATURE = [0x00, 0x00, 0x36, 0x3d] as const;
const SUB_END = 0xff;

/** Family-then-number ASCII forms; the family list keeps "VVXD230" from splitting as "VVXD"+"230". */
const ASCII_FORM =
  /^(?:Polycom|Poly)-(VVX|SSIP|SPIP|Trio|CCX)-?([A-Z]?\d{2,4})$/;
const POLYCOM_PREFIX = /^(?:Polycom|Poly)-/;

function printable(b: Uint8Array): string {
  let clean = true;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c >= 0x7f || c === 0x5c) {
      clean = false;
      break;
    }
  }
  if (clean) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    s +=
      c >= 0x20 && c < 0x7f && c !== 0x5c
        ? String.fromCharCode(c)
        : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

function isPolycomBinary(raw: Uint8Array): boolean {
  return (
    raw.length >= 5 &&
    raw[0] === SIGNATURE[0] &&
    raw[1] === SIGNATURE[1] &&
    raw[2] === SIGNATURE[2] &&
    raw[3] === SIGNATURE[3]
  );
}

/** "SoundPointIP-SPIP_601" → uaToken "SPIP_601", model "SPIP601"; "VVX-VVX_D230" → "VVX_D230", "VVXD230". */
function modelFromPart(
  part: string,
): { uaToken: string; model: string } | undefined {
  const dash = part.indexOf('-');
  const uaToken = dash >= 0 ? part.slice(dash + 1) : part;
  const model = uaToken.replace(/[_-]/g, '');
  return /^[A-Za-z0-9_-]{2,40}$/.test(uaToken) && model.length > 0
    ? { uaToken, model }
    : undefined;
}

function decodeBinary(raw: Uint8Array): VendorLabels {
  const labels: VendorLabels = { vendor: 'polycom', form: 'binary', text: '' };
  const end = Math.min(raw.length, 5 + raw[4]!);
  const values: string[] = [];
  let i = 5;
  while (i < end) {
    const code = raw[i]!;
    if (code === SUB_END || i + 1 >= end) break;
    const len = raw[i + 1]!;
    if (i + 2 + len > end) break;
    const value = printable(raw.subarray(i + 2, i + 2 + len));
    values.push(value);
    switch (code) {
      case 1:
        labels.company = value;
        break;
      case 2: {
        const m = modelFromPart(value);
        if (m !== undefined) {
          labels.uaToken = m.uaToken;
          labels.model = m.model;
        }
        break;
      }
      case 3: {
        const comma = value.indexOf(',');
        labels.partNumber = comma >= 0 ? value.slice(0, comma) : value;
        if (comma >= 0) labels.hardwareRevision = value.slice(comma + 1);
        break;
      }
      case 4:
        labels.appVersion = value;
        break;
      case 5:
        labels.bootVersion = value;
        break;
      default:
        break;
    }
    i += 2 + len;
  }
  labels.text = values.join(';');
  return labels;
}

function decodeText(raw: Uint8Array): VendorLabels {
  const text = printable(raw);
  const m = ASCII_FORM.exec(text);
  if (m !== null) {
    const family = m[1]!;
    const num = m[2]!;
    return {
      vendor: 'polycom',
      form: 'ascii',
      text,
      model: family + num,
      uaToken: `${family}_${num}`,
    };
  }
  if (POLYCOM_PREFIX.test(text))
    return { vendor: 'polycom', form: 'ascii', text };
  return { vendor: 'other', form: 'text', text };
}

/** Total: never throws; undefined or empty gives vendor 'none'. */
export function decodeVendorClass(raw: Uint8Array | undefined): VendorLabels {
  if (raw === undefined || raw.length === 0)
    return { vendor: 'none', form: 'none', text: '' };
  return isPolycomBinary(raw) ? decodeBinary(raw) : decodeText(raw);
}

export interface PolycomVendorClassFields {
  /** Sub-option 1; default "Polycom". */
  company?: string;
  /** Sub-option 2, e.g. "SoundPointIP-SPIP_601", "VVX-VVX_410". */
  model: string;
  /** Sub-option 3, part number and hardware revision, e.g. "2345-11605-001,2". */
  partNumber?: string;
  /** Sub-option 4, e.g. "SIP/5.9.7.3480/26-Nov-20 13:35" (during the bootROM stage the same as bootVersion). */
  appVersion?: string;
  /** Sub-option 5, e.g. "BR/3.1.0.0000/28-Apr-05 13:30", "UP/5.9.7.3480/26-Nov-20 14:05". */
  bootVersion?: string;
}

/**
 * The binary option 60 value a Polycom phone sends (no end marker inside). Deterministic and total: text is
 * encoded as latin1 (other characters become '?'), and sub-options are cut so the list fits its length byte
 * (255): a value is shortened, and sub-options that no longer fit are left out.
 */
export function encodePolycomVendorClass(
  fields: PolycomVendorClassFields,
): Uint8Array {
  const subs: Array<[number, string | undefined]> = [
    [1, fields.company ?? 'Polycom'],
    [2, fields.model],
    [3, fields.partNumber],
    [4, fields.appVersion],
    [5, fields.bootVersion],
  ];
  const list: number[] = [];
  for (const [code, value] of subs) {
    if (value === undefined) continue;
    const room = 255 - list.length - 2;
    if (room < 0) break;
    const n = Math.min(value.length, room);
    list.push(code, n);
    for (let k = 0; k < n; k++) {
      const c = value.charCodeAt(k);
      list.push(c > 255 ? 0x3f : c);
    }
  }
  return Uint8Array.of(...SIGNATURE, list.length, ...list);
}
