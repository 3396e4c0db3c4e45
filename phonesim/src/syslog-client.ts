/**
 * A phone's syslog as the simulator sends it: when its effective parameters point device.syslog at a server
 * (device.set and the .set companions, transport UDP), a few RFC 3164 lines about its boot, over UDP from the
 * phone's address, with its MAC in front of the text when prependMac is set (seed 003 "Syslog Menu").
 */
import dgram from 'node:dgram';
import type { ParamMap } from './params.ts';

const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/** The syslog destination the parameters configure, or undefined when the phone would not send. */
export function syslogTarget(
  params: ParamMap,
): { host: string; facility: number; prependMac: boolean } | undefined {
  const set = (name: string): boolean => params.get(`${name}.set`) === '1';
  if (params.get('device.set') !== '1' || !set('device.syslog.serverName'))
    return undefined;
  const host = params.get('device.syslog.serverName');
  const transport = set('device.syslog.transport')
    ? params.get('device.syslog.transport')
    : 'None';
  if (!host || !(transport === 'UDP' || transport === '1')) return undefined;
  const facility = set('device.syslog.facility')
    ? Number(params.get('device.syslog.facility'))
    : 16;
  return {
    host,
    facility:
      Number.isInteger(facility) && facility >= 0 && facility <= 23
        ? facility
        : 16,
    prependMac:
      set('device.syslog.prependMac') &&
      params.get('device.syslog.prependMac') === '1',
  };
}

/** RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG: text (severity 6 = info). */
export function formatLine(
  facility: number,
  mac: string,
  text: string,
  prependMac: boolean,
  at = new Date(),
): string {
  const ts = `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')} ${at.toISOString().slice(11, 19)}`;
  return `<${facility * 8 + 6}>${ts} ${mac} app: ${prependMac ? `${mac} ` : ''}${text}`;
}

/** Send the lines, one datagram each, to port 514 of the target; resolves once all are handed to the kernel. */
export async function sendSyslog(
  target: { host: string; facility: number; prependMac: boolean },
  mac: string,
  lines: readonly string[],
  localAddress: string | undefined,
  port = 514,
): Promise<number> {
  const sock = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: localAddress, port: 0 }, () => resolve());
    });
    let bytes = 0;
    for (const text of lines) {
      const b = Buffer.from(
        formatLine(target.facility, mac, text, target.prependMac),
      );
      await new Promise<void>((resolve, reject) =>
        sock.send(b, port, target.host, (e) => (e ? reject(e) : resolve())),
      );
      bytes += b.length;
    }
    return bytes;
  } finally {
    sock.close();
  }
}
