/**
 * The renderer: a pure function from the model to the rendered part of the file tree. Each site lives in
 * the folder its boot-server URL names (ftp://…@10.20.0.2/hq → "hq/"; "" = the root).
 */
import { createHash } from 'node:crypto';
import type { ApplianceModel, Site } from '../../config/model.ts';
import {
  commonParameters,
  siteParameters,
} from '../../policy/derived-params.ts';
import { FILES, hasModelParams } from '../../policy/files.ts';
import { releaseFor } from '../../policy/release.ts';
import { AREAS } from '../layout.ts';
import { inFolder } from '../paths.ts';
import { renderDirectory } from './directory.ts';
import { renderMaster, renderPhoneMaster } from './master.ts';
import { renderParams } from './params.ts';

export interface RenderedFile {
  readonly body: Buffer;
  readonly etag: string;
}

export interface Rendered {
  /** Tree path → file. */
  readonly files: ReadonlyMap<string, RenderedFile>;
  /** Folder ("" = root) → site name; a root without a site is undefined. */
  readonly folders: ReadonlyMap<string, string | undefined>;
}

export function renderedFile(text: string): RenderedFile {
  const body = Buffer.from(text, 'utf8');
  return Object.freeze({
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  });
}

/** Everything one folder serves, by file name. */
export function renderSite(
  model: ApplianceModel,
  site: Site | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  const where = site ? `site "${site.name}"` : 'phones outside every site';
  out.set(FILES.master, renderMaster(model, site));
  out.set(
    FILES.common,
    renderParams(
      'common.cfg: parameters every phone gets (read last)',
      commonParameters(model),
    ),
  );
  out.set(
    FILES.site,
    renderParams(
      `site.cfg: parameters of ${where}`,
      siteParameters(model, site),
    ),
  );
  for (const info of model.models.values()) {
    if (hasModelParams(info))
      out.set(
        FILES.modelParams(info.model),
        renderParams(
          `model-${info.model}.cfg: parameters of every ${info.model}`,
          info.parameters,
        ),
      );
  }
  const siteEntries = site?.directory.entries ?? [];
  const directory = renderDirectory(
    `Contact directory of ${where}`,
    siteEntries,
  );
  out.set(FILES.directory, directory);
  out.set(inFolder(AREAS.CONTACTS_DIRECTORY.dir, FILES.directory), directory);
  for (const phone of model.phones.values()) {
    if (phone.site !== site?.name) continue;
    // The phone's own directory (read at every boot, before the shared one): its entries, then the site's.
    const own = renderDirectory(
      `Contact directory of phone ${phone.key}: its own entries, then ${where}'s`,
      [...phone.directory, ...siteEntries],
    );
    out.set(FILES.phoneDirectory(phone.mac), own);
    out.set(
      inFolder(AREAS.CONTACTS_DIRECTORY.dir, FILES.phoneDirectory(phone.mac)),
      own,
    );
    out.set(
      `${phone.mac}${FILES.phoneParamsSuffix}`,
      renderParams(
        `Parameters of phone ${phone.key}${phone.label ? ` (${phone.label})` : ''}`,
        phone.parameters,
      ),
    );
    const release = phone.firmware
      ? releaseFor(model, { mac: phone.mac })
      : undefined;
    if (release)
      out.set(
        FILES.phoneMaster(phone.mac),
        renderPhoneMaster(model, phone.model, release),
      );
  }
  return out;
}

export function renderTree(model: ApplianceModel): Rendered {
  const files = new Map<string, RenderedFile>();
  const folders = new Map<string, string | undefined>();
  for (const site of model.sites.values())
    folders.set(site.bootServer.path, site.name);
  if (!folders.has('')) folders.set('', undefined);
  for (const [folder, siteName] of folders) {
    const site = siteName ? model.sites.get(siteName) : undefined;
    for (const [name, text] of renderSite(model, site))
      files.set(inFolder(folder, name), renderedFile(text));
  }
  return { files, folders };
}
