/** Tree FileInfo → the fs.Stats-like object ftp-srv's LIST/SIZE/MDTM read. Served files show read-only. */
import type { FileInfo } from '../tree/types.ts';

export interface FtpStat {
  readonly name: string;
  readonly size: number;
  readonly mtime: Date;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  isDirectory(): boolean;
  isFile(): boolean;
}

export function toFtpStat(info: FileInfo, name: string = info.name): FtpStat {
  const dir = info.type === 'dir';
  return {
    name,
    size: dir ? 0 : info.size,
    mtime: info.mtime,
    mode: dir ? 0o40555 : 0o100444,
    uid: 0,
    gid: 0,
    isDirectory: () => dir,
    isFile: () => !dir,
  };
}
