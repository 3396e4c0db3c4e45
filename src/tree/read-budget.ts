/**
 * One byte budget for the read buffers of every download a front-end runs (HTTP: all its connections, HTTP
 * and HTTPS): their buffers are pieces of one arena of `bytes` (allocated at the first download, dropped
 * once no download has used it for `idleMs`), so what they hold never exceeds it however many run, and
 * no buffer is ever left to the collector (buffers given back are garbage V8 collects late, and the
 * allocator keeps their pages: that, not the live rings, set the peak).
 *
 * A download (RecyclingFileStream with `budget`) joins before it reads: it reserves `ring × MIN` bytes, its
 * ring at the smallest chunk, and waits in line when even that does not fit (it then waits for buffer space
 * instead of allocating). Above that floor each read asks for the fair share, budget ÷ (ring × downloads
 * joined) as a power of two between MIN and MAX (never more than the bytes left to read), and gets the
 * largest size that the budget and the arena still have room for: a ring slot is moved to a smaller piece
 * when more downloads run, and to a larger one when fewer do. The floor makes progress wait-free: a joined
 * download can always read (MIN always fits), so no wait depends on another waiter.
 *
 * The arena is a buddy allocator over 4 KiB..128 KiB pieces: any free byte lies in a free piece that splits
 * down to MIN, so a reserved floor is always there; a larger piece may be missing (fragmentation), and then
 * the read takes a smaller one.
 */

export const MIN_CHUNK = 4 * 1024;
export const MAX_CHUNK = 128 * 1024;
const ORDERS = 6; // 4, 8, 16, 32, 64, 128 KiB

export interface BudgetStats {
  /** Downloads joined (reading or about to). */
  readonly joined: number;
  /** Downloads waiting in line for their reservation. */
  readonly waiting: number;
  /** Bytes reserved or held by joined downloads (their floors plus what their pieces hold above it). */
  readonly held: number;
  /** Bytes of arena allocated (0 or `bytes`). */
  readonly arena: number;
}

interface Waiter {
  readonly need: number;
  readonly admit: () => void;
}

const orderOf = (size: number): number => Math.log2(size / MIN_CHUNK);

export class ReadBudget {
  readonly bytes: number;
  readonly #idleMs: number;
  #joined = 0;
  /** Σ ring × MIN of the joined downloads. */
  #floor = 0;
  /** Σ (length − MIN) of the pieces in joined downloads' rings. */
  #above = 0;
  readonly #line: Waiter[] = [];
  #arena: Buffer | undefined;
  /** Free pieces per order: offset → order (for merging buddies) and one set of offsets per order. */
  readonly #freeAt = new Map<number, number>();
  readonly #free: Set<number>[] = Array.from(
    { length: ORDERS },
    () => new Set(),
  );
  #usedSinceCheck = false;
  #checking = false;

  /** `bytes`: rounded down to a multiple of MIN_CHUNK. */
  constructor(bytes: number, idleMs = 30_000) {
    this.bytes = Math.max(MIN_CHUNK, bytes - (bytes % MIN_CHUNK));
    this.#idleMs = idleMs;
  }

  stats(): BudgetStats {
    return {
      joined: this.#joined,
      waiting: this.#line.length,
      held: this.#floor + this.#above,
      arena: this.#arena ? this.bytes : 0,
    };
  }

  /**
   * Reserve a download's floor (ring × MIN); `admit` is called at once when it fits, else once enough is
   * given back. Returns a cancel function (for a download destroyed while waiting): true if it was waiting.
   */
  join(ring: number, admit: () => void): () => boolean {
    const w: Waiter = { need: ring * MIN_CHUNK, admit };
    if (this.#line.length === 0 && this.#room() >= w.need) {
      this.#admit(w);
      return () => false;
    }
    this.#line.push(w);
    return () => {
      const i = this.#line.indexOf(w);
      if (i < 0) return false;
      this.#line.splice(i, 1);
      this.#wake(); // the next in line may fit where this one did not
      return true;
    };
  }

  /** A joined download is done (none of its pieces in use any more): its floor and pieces are freed. */
  leave(ring: number, pieces: readonly Buffer[]): void {
    this.#joined--;
    this.#floor -= ring * MIN_CHUNK;
    for (const b of pieces) this.#release(b);
    this.#wake();
  }

  /** The chunk a joined download's next read should use, with `remaining` bytes left to read. */
  want(ring: number, remaining: number): number {
    const share = this.bytes / (ring * Math.max(1, this.#joined));
    let size = MAX_CHUNK;
    while (size > MIN_CHUNK && (size > share || size / 2 >= remaining))
      size /= 2;
    return size;
  }

  /**
   * The piece a ring slot reads into next: `current` (the slot's piece, free again under the ring's
   * contract) if it has the wanted size, else the largest size ≤ `want` that the budget and the arena have
   * room for (MIN always: the floor holds it); `current` is then given back.
   */
  slot(current: Buffer | undefined, want: number): Buffer {
    if (current?.length === want) return current;
    if (current) this.#release(current);
    let size = want;
    let piece: Buffer | undefined;
    for (; size >= MIN_CHUNK; size /= 2) {
      if (size > MIN_CHUNK && this.#room() < size - MIN_CHUNK) continue;
      piece = this.#take(orderOf(size));
      if (piece) break;
    }
    if (!piece) throw new Error('read budget: no piece for a reserved floor');
    this.#above += piece.length - MIN_CHUNK;
    this.#wake();
    return piece;
  }

  #room(): number {
    return this.bytes - this.#floor - this.#above;
  }

  #admit(w: Waiter): void {
    this.#joined++;
    this.#floor += w.need;
    w.admit();
  }

  #wake(): void {
    while (this.#line.length > 0 && this.#room() >= this.#line[0]!.need)
      this.#admit(this.#line.shift()!);
  }

  /** A free piece of `order`, split from a larger one if need be. */
  #take(order: number): Buffer | undefined {
    const arena = this.#ensureArena();
    let k = order;
    while (k < ORDERS && this.#free[k]!.size === 0) k++;
    if (k === ORDERS) return undefined;
    const off = this.#free[k]!.values().next().value!;
    this.#unfree(off, k);
    while (k > order) {
      k--;
      this.#addFree(off + MIN_CHUNK * 2 ** k, k); // the upper half stays free
    }
    this.#usedSinceCheck = true;
    return arena.subarray(off, off + MIN_CHUNK * 2 ** order);
  }

  #release(b: Buffer): void {
    this.#above -= b.length - MIN_CHUNK;
    let off = b.byteOffset - (this.#arena?.byteOffset ?? 0);
    let k = orderOf(b.length);
    while (k < ORDERS - 1) {
      const buddy = off ^ (MIN_CHUNK * 2 ** k);
      if (this.#freeAt.get(buddy) !== k) break;
      this.#unfree(buddy, k);
      off = Math.min(off, buddy);
      k++;
    }
    this.#addFree(off, k);
  }

  #addFree(off: number, k: number): void {
    this.#freeAt.set(off, k);
    this.#free[k]!.add(off);
  }
  #unfree(off: number, k: number): void {
    this.#freeAt.delete(off);
    this.#free[k]!.delete(off);
  }

  #ensureArena(): Buffer {
    if (this.#arena) return this.#arena;
    this.#arena = Buffer.allocUnsafeSlow(this.bytes);
    // MAX_CHUNK pieces, then the rest as one piece per bit of it (each aligned to its size): a buddy past
    // the end is never free, so no merge reaches beyond the arena.
    for (let off = 0, k = ORDERS - 1; off < this.bytes; ) {
      while (MIN_CHUNK * 2 ** k > this.bytes - off) k--;
      this.#addFree(off, k);
      off += MIN_CHUNK * 2 ** k;
    }
    if (!this.#checking) {
      this.#checking = true;
      setTimeout(this.#checkIdle, this.#idleMs).unref();
    }
    return this.#arena;
  }

  /** No download joined and none took a piece for idleMs: the arena goes to the collector. */
  readonly #checkIdle = (): void => {
    if (this.#usedSinceCheck || this.#joined > 0) {
      this.#usedSinceCheck = false;
      setTimeout(this.#checkIdle, this.#idleMs).unref();
      return;
    }
    this.#checking = false;
    this.#arena = undefined;
    this.#freeAt.clear();
    for (const s of this.#free) s.clear();
  };
}
