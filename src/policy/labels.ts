/**
 * A request, from any protocol, becomes labels; one pure selector (select.ts) decides what applies.
 * DHCP fills them from option 60 (vendor-class.ts) and giaddr; requestLabels adds what appliance.yaml knows.
 */
import type { ApplianceModel, Family } from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';

/** Every label is optional: a request says what it can. */
export type Labels = Readonly<
  Partial<{
    mac: Mac;
    site: string;
    /** Catalog model token: VVX410, SPIP650. */
    model: string;
    family: Family;
    partNumber: string;
    /** Option 60 as text (ASCII form, or the binary form's fields joined). */
    vendorClass: string;
  }>
>;

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
