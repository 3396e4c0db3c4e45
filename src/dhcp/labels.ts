/** A request's labels from option 60 (decoded by vendor-class.ts); the engine adds mac, site, family. */
import type { Labels } from '../policy/labels.ts';
import {
  decodeVendorClass,
  type VendorLabels,
} from '../policy/vendor-class.ts';
import { vendorClassRaw } from './codec/options.ts';
import type { DhcpPacket } from './codec/packet.ts';

export function labelsOf(req: DhcpPacket): {
  labels: Labels;
  vendor: VendorLabels;
} {
  const vendor = decodeVendorClass(vendorClassRaw(req));
  const labels: Labels = {
    model: vendor.model,
    partNumber: vendor.partNumber,
    vendorClass: vendor.form === 'none' ? undefined : vendor.text,
  };
  return { labels, vendor };
}
