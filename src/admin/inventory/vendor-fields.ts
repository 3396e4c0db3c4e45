/**
 * The option-60 fields of a DhcpEvent's labels. The DHCP server passes what it decoded (vendor, model,
 * partNumber, hardwareRevision, appVersion, bootVersion); when only the joined text is there
 * ("Polycom;SoundPointIP-SPIP_601;2345-11605-001,2;SIP/Tip.XXXX/08-Jun-07 10:44;BR/3.1.0.XXXX/28-Apr-05 13:30"
 * for the binary form, "Polycom-VVX410" for the ASCII form) the fields are recovered from it.
 */
export interface VendorFields {
  vendor?: string;
  model?: string;
  partNumber?: string;
  hardwareRevision?: string;
  /** Full sub-option 4 string, e.g. SIP/5.9.7.4477/05-Dec-24 00:58. */
  appVersion?: string;
  /** Full sub-option 5 string, e.g. BR/4.0.11.0593/… or UP/5.9.7.3828/…. */
  bootVersion?: string;
}

const PART = /^(\d{4}-\d{5}-\d{3})(?:,(\w{1,8}))?$/;
const ASCII = /^(Polycom|Poly)-(VVX|SSIP|SPIP|Trio|CCX)-?([A-Z]?\d{2,4})$/;

export function vendorFields(labels: Readonly<Record<string, string>>): VendorFields {
  const out: VendorFields = {};
  const text = labels.vendorClass;
  if (text !== undefined) {
    const ascii = ASCII.exec(text);
    if (ascii) {
      out.vendor = ascii[1];
      out.model = `${ascii[2]}${ascii[3]}`;
    } else if (text.includes(';')) {
      for (const f of text.split(';')) {
        const part = PART.exec(f);
        if (part) { out.partNumber = part[1]; if (part[2] !== undefined) out.hardwareRevision = part[2]; }
        else if (/^(SIP|APP)\//.test(f)) out.appVersion = f;
        else if (/^(BR|UP)\//.test(f)) out.bootVersion = f;
        else if (/^Poly(com)?$/.test(f)) out.vendor = f;
        else if (/^[A-Za-z]+-[A-Za-z0-9_-]+$/.test(f)) out.model = f.slice(f.indexOf('-') + 1).replace(/[_-]/g, '');
      }
    }
  }
  // What the DHCP server decoded itself wins over what was recovered from text.
  for (const k of ['vendor', 'model', 'partNumber', 'hardwareRevision', 'appVersion', 'bootVersion'] as const) {
    const v = labels[k];
    if (v !== undefined && v !== '') out[k] = v;
  }
  if (out.vendor === undefined && labels.company) out.vendor = labels.company;
  return out;
}

/** "SIP/5.9.7.4477/05-Dec-24 00:58" → "5.9.7.4477"; "BR/4.0.11.0593/…" → "4.0.11.0593". */
export function versionOf(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const m = /^[A-Za-z]+\/([^/]+)/.exec(s);
  return m ? m[1] : /^\d[\d.]*$/.test(s) ? s : undefined;
}
