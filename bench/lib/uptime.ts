/** `uptime`'s line (time, load averages): what every results file records before and after its runs. */
import { execFileSync } from 'node:child_process';

export const uptime = (): string =>
  execFileSync('uptime', { encoding: 'utf8' }).trim();
