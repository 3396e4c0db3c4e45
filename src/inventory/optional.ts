/**
 * Files a Polycom phone asks for on every boot whether or not they exist (facts §5, [FAQ-files]): per-phone
 * overrides, licences, the phone-specific master <MAC>.cfg, per-phone directory and call lists, and the
 * sip.ver / bootrom.ver version files (without them the phone compares the image itself). A "not found"
 * for one of these is normal and not an error; a missing image, master or CONFIG_FILES entry is.
 */
const OPTIONAL =
  /^(?:sip\.ver|bootrom\.ver|[0-9a-f]{12}(?:-license\.cfg|-web\.cfg|-phone\.cfg|-directory\.xml|-calls\.xml|\.cfg)|000000000000-(?:license\.cfg|directory\.xml))$/;

export function isOptionalMiss(
  path: string,
  result: string,
  direction: 'download' | 'upload',
): boolean {
  if (direction !== 'download' || result !== 'TREE_NOT_FOUND') return false;
  return OPTIONAL.test(path.slice(path.lastIndexOf('/') + 1).toLowerCase());
}
