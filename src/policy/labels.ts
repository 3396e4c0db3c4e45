/**
 * A request, from any protocol, becomes labels; one pure selector (select.ts) decides what applies.
 * DHCP fills them from option 60 (vendor-class.ts) and giaddr; requestLabels adds what appliance.yaml knows.
 */
import type { ApplianceModel, Family } from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';

export interface Labels {
  readonly mac?: Mac | undefined;
  readonly site?: string | undefined;
  /** Catalog model token: VVX410, SPIP650. */
  readonly model?: string | undefined;
  readonly family?: Family | undefined;
  readonly partNumber?: string | undefined;
  /** Option 60 as text (ASCII form, or the binary form's fields joined). */
  readonly vendorClass?: string | undefined;
}

/**
 * The labels a selector sees: the phone's appliance.yaml entry names its model (it wins over what the
 * request says), and the catalog gives that model's family and part number where the request did not.
 */
export function requestLabels(model: ApplianceModel, labels: Labels): Labels {
  const entry = labels.mac ? model.phones.get(labels.mac) : undefined;
  const token = entry?.model ?? labels.model;
  const info = token !== undefined ? model.models.get(token) : undefined;
  return {
    ...labels,
    model: token,
    family: labels.family ?? info?.family,
    partNumber: labels.partNumber ?? info?.partNumber,
  };
}
