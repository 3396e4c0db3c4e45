/**
 * The one virtual file tree every file protocol serves. TFTP, FTP and HTTP only translate their protocol
 * to these calls; no protocol code belongs in tree/.
 *
 * Paths are the phone's view: "hq/000000000000.cfg", "0004f28062d6-phone.cfg", "ucs-5.9.7/3111-46162-001.sip.ld".
 * Every entry point runs the raw path through one safety check (tree/paths.ts) first.
 */
import type { Readable } from 'node:stream';
import type { Requester } from '../policy/resources.ts';
import type { Mac } from '../shared/mac.ts';
import type { Result } from '../shared/result.ts';
import type { ReadBudget } from './read-budget.ts';

export type { Requester };

export type TreeErrorCode =
  | 'TREE_BAD_PATH' // traversal, absolute, backslash, percent-encoding, NUL, control characters, too long
  | 'TREE_NOT_FOUND'
  | 'TREE_IS_DIRECTORY'
  | 'TREE_READ_ONLY' // a served (rendered / firmware / tftpboot) file, or outside every writable area
  | 'TREE_NAME_NOT_ALLOWED' // inside a writable area but not a MAC-bound name of that area's kinds
  | 'TREE_MAC_MISMATCH' // the uploader's MAC (from its lease) differs from the MAC in the name
  | 'TREE_TOO_LARGE' // over the size cap of its kind
  | 'TREE_ESCAPE' // a symlink leading out of the tree
  | 'TREE_IO';

export interface TreeError {
  readonly code: TreeErrorCode;
  readonly message: string;
  /**
   * A TREE_MAC_MISMATCH because the uploader's address is bound to no phone at all (no lease, no INFORM).
   * It keeps the TREE_MAC_MISMATCH code so every front-end already answers it as an access violation.
   */
  readonly unknownHost?: true;
}

export type EntrySource = 'rendered' | 'tftpboot' | 'upload';

export interface FileInfo {
  /** Normalised tree path, no leading slash. */
  readonly path: string;
  readonly name: string;
  readonly type: 'file' | 'dir';
  readonly size: number;
  readonly mtime: Date;
  /** Strong validator: content hash for rendered files, size+mtime+inode for disk files. */
  readonly etag: string;
  readonly source: EntrySource;
  /** The site whose folder holds it (undefined at the root of a multi-site tree). */
  readonly site: string | undefined;
  /** The firmware release whose folder answered a name asked for at the site root (bootROMs, resource files). */
  readonly release?: string | undefined;
}

export interface ReadOptions {
  /** Inclusive byte range, as HTTP Range gives it. */
  readonly start?: number;
  readonly end?: number;
  /** Bytes a disk stream reads at a time, and so holds ahead of its consumer (default 64 KiB). */
  readonly chunk?: number;
  /**
   * Read a file on disk into a ring of this many buffers instead of a fresh buffer per chunk (see
   * recycling-stream.ts for the contract: only for a consumer done with each chunk before it takes more).
   */
  readonly ring?: number;
  /** With `ring`: the byte budget that sizes the ring's buffers instead of `chunk` (read-budget.ts). */
  readonly budget?: ReadBudget;
  /** Who asks (see FileTree.stat). */
  readonly who?: Requester;
}

export type UploadKind = 'override' | 'log' | 'contacts' | 'calls';

/** Who is writing: the front-end fills what it knows. */
export interface WriterContext {
  readonly protocol: 'tftp' | 'ftp' | 'http' | 'https';
  readonly peer: string;
  /** The MAC bound to the peer address by a DHCP lease, when known. */
  readonly mac?: Mac | undefined;
  /** Bytes announced in advance (TFTP tsize, HTTP Content-Length, FTP ALLO), checked against the cap early. */
  readonly declaredSize?: number | undefined;
  /** Site the writer authenticated into (FTP/HTTP site accounts); undefined = any. */
  readonly confinedToSite?: string | undefined;
}

export interface UploadTarget {
  readonly path: string;
  readonly site: string | undefined;
  readonly kind: UploadKind;
  readonly mac: Mac;
  readonly maxBytes: number;
}

/**
 * A write in progress. Bytes go to a temporary file; commit() fsyncs and renames it over the old one
 * (keeping earlier generations of override and contact files); abort() removes the temporary file and
 * leaves the previous version untouched.
 */
export interface Upload {
  readonly target: UploadTarget;
  write(chunk: Uint8Array): Promise<Result<void, TreeError>>;
  commit(): Promise<Result<{ bytes: number }, TreeError>>;
  abort(): Promise<void>;
}

export interface FileTree {
  /** Validate and normalise a raw request path (the one place path safety lives). */
  normalize(rawPath: string): Result<string, TreeError>;
  /** `who` asks: a resource file at the site root comes from the release that phone runs (policy/resources.ts). */
  stat(rawPath: string, who?: Requester): Promise<Result<FileInfo, TreeError>>;
  /** Whole contents (rendered files are in memory; disk files are read). */
  read(rawPath: string, who?: Requester): Promise<Result<Buffer, TreeError>>;
  /** A stream of the file or a range of it. */
  open(
    rawPath: string,
    options?: ReadOptions,
  ): Promise<Result<{ info: FileInfo; stream: Readable }, TreeError>>;
  /** A folder's entries; `who` as for stat (a resource folder at the root lists that phone's release folder). */
  list(rawDir: string, who?: Requester): Promise<Result<FileInfo[], TreeError>>;
  /** The may-write rule: which names a phone may upload, where they land, and their cap. */
  checkWrite(
    rawPath: string,
    ctx: WriterContext,
  ): Result<UploadTarget, TreeError>;
  beginUpload(
    rawPath: string,
    ctx: WriterContext,
  ): Promise<Result<Upload, TreeError>>;
  /** Delete an uploaded file (checkWrite's rule); an override or contact file is kept as a generation. */
  deleteUpload(
    rawPath: string,
    ctx: WriterContext,
  ): Promise<Result<void, TreeError>>;
  /** Rename an uploaded file to another upload name (checkWrite for both); the target's old content is kept as a generation. */
  renameUpload(
    rawFrom: string,
    rawTo: string,
    ctx: WriterContext,
  ): Promise<Result<void, TreeError>>;
  /** The site a tree path belongs to (first folder), used by confined accounts. */
  siteOf(path: string): string | undefined;
}

/** A tree that hot reload swaps atomically: services hold this, not a tree. */
export interface TreeRef {
  current(): FileTree;
}
