/**
 * The TFTP service's transfer slots: services.tftp.maxTransfers for the server, maxTransfersPerHost per
 * client address, and a waiting room in front of them. A request that finds every server slot taken waits
 * up to WAIT_MS for one to be given back, first come first served, before it is refused (TFTP_BUSY): in a
 * boot storm a phone's next RRQ can reach the listener before the end of its previous download is counted
 * (the engine thread reports it a moment later), and refusing it then makes the phone reboot. The room is
 * bounded (WAITING_ROOM_SIZE); a waiting request holds its address's slot, so one host cannot fill the room.
 */
import type { Clock, Timer } from './clock.ts';
import type { TftpStats } from './stats.ts';

/** How long a request waits for a slot before it is refused. */
export const WAIT_MS = 250;
/** At most this many requests wait at once; more are refused at once. */
export const WAITING_ROOM_SIZE = 1024;

export interface SlotRequest {
  /** The peer's address:port (a repeated request while it waits is a duplicate). */
  readonly key: string;
  readonly address: string;
  /** services.tftp.maxTransfers when the request came. */
  readonly maxTransfers: number;
  /** The slots are taken: start the transfer (give them back with release()). */
  start(): void;
  /** No slot in time ('busy'), or the server closed while it waited ('closing'). */
  refuse(why: 'busy' | 'closing'): void;
}

export interface TransferSlots {
  /** Transfers and waiting requests of this address. */
  heldBy(address: string): number;
  isWaiting(key: string): boolean;
  /** Start now if a server slot is free, else wait (or be refused at once when the room is full). */
  acquire(r: SlotRequest): void;
  /** A transfer of `address` gives its slots back; the oldest waiting request gets the server slot. */
  release(address: string): void;
  /** Refuse every waiting request ('closing'). */
  close(): void;
}

interface Waiting {
  readonly r: SlotRequest;
  readonly timer: Timer;
}

export function createTransferSlots(
  stats: TftpStats,
  clock: Clock,
): TransferSlots {
  const perHost = new Map<string, number>();
  /** In arrival order (a Map iterates in insertion order): the first is the oldest. */
  const room = new Map<string, Waiting>();
  const take = (address: string): void => {
    perHost.set(address, (perHost.get(address) ?? 0) + 1);
  };
  const giveHost = (address: string): void => {
    const left = (perHost.get(address) ?? 1) - 1;
    if (left > 0) perHost.set(address, left);
    else perHost.delete(address);
  };
  const run = (r: SlotRequest): void => {
    stats.requests++;
    stats.active++;
    stats.peakActive = Math.max(stats.peakActive, stats.active);
    r.start();
  };
  const leave = (w: Waiting): void => {
    w.timer.cancel();
    room.delete(w.r.key);
    stats.waiting = room.size;
  };
  const refuse = (w: Waiting, why: 'busy' | 'closing'): void => {
    leave(w);
    giveHost(w.r.address);
    w.r.refuse(why);
  };

  return {
    heldBy: (address) => perHost.get(address) ?? 0,
    isWaiting: (key) => room.has(key),
    acquire(r) {
      take(r.address);
      if (stats.active < r.maxTransfers && room.size === 0) {
        run(r);
        return;
      }
      if (room.size >= WAITING_ROOM_SIZE) {
        giveHost(r.address);
        r.refuse('busy');
        return;
      }
      const w: Waiting = { r, timer: clock.timer(() => refuse(w, 'busy')) };
      room.set(r.key, w);
      stats.waited++;
      stats.waiting = room.size;
      w.timer.arm(WAIT_MS);
    },
    release(address) {
      stats.active--;
      giveHost(address);
      // The freed slot goes to the oldest waiting request (a hot-reloaded higher limit may admit more).
      for (const w of room.values()) {
        if (stats.active >= w.r.maxTransfers) break;
        leave(w);
        run(w.r);
      }
    },
    close() {
      for (const w of [...room.values()]) refuse(w, 'closing');
    },
  };
}
