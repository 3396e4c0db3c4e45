/*
 * libFuzzer harness of the native TFTP download engine (src/tftp/native/: engine.h and its transfer.c,
 * xfer.c and loop.c, linked in without engine.c, the N-API half; post_done is this file's). It drives the functions the engine thread runs
 * (run_commands, on_readable for the peer's and strangers' sockets, scan, sweep) on the engine's real state
 * and virtual time. Each transfer's sockets are made by the engine's own new_xfer (UDP on 127.0.0.1: run.sh
 * runs the fuzzer in a network namespace of its own); then the connected one, which only ever sends to and
 * receives from its peer, is swapped for one end of an AF_UNIX datagram pair (same calls, no IP stack: the
 * sends of DATA were most of the time per input), the other end being the harness's peer. Strangers talk to
 * the transfer's real UDP port.
 *
 * An input is a script: the first transfer's parameters, then events until the bytes run out (see `step`):
 * datagrams from the peer (raw bytes, ACKs of blocks in flight, ACK 0, ERRORs), datagrams from a stranger,
 * time passing (retransmits, give-up, lifetime), shutdown of one transfer, more transfers (up to 4), closing
 * the engine. Besides the sanitizers, every datagram the engine sends is checked: DATA carries the right bytes
 * of the file for a block in the window, an OACK is the one given, an ERROR is NUL-terminated, strangers get
 * only ERROR 5; the window stays within its bounds; an "ok" outcome counts the whole file. A violation aborts.
 */
#include "../../src/tftp/native/engine.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOTS 4

typedef struct {
  const uint8_t *p;
  size_t n;
} input;

static unsigned take(input *in) {
  if (in->n == 0) return 0;
  in->n--;
  return *in->p++;
}
static unsigned take16(input *in) { unsigned hi = take(in); return hi << 8 | take(in); }

/* The harness's side of one transfer. */
typedef struct {
  xfer *x;               /* NULL once the engine swept it */
  double id;
  int peer, stranger;    /* our sockets: the pair's other end, and a UDP socket */
  struct sockaddr_in to; /* the transfer's UDP port (for the stranger) */
  const uint8_t *file;   /* the bytes it must serve (the span), inside `pattern` */
  size_t filelen;
  uint8_t oack[32];
  size_t oacklen;
  uint32_t blksize;
} slot;

/* Every file's bytes: where each byte is says what it is. */
#define PATTERN_LEN ((1 << 20) + SLOTS)
static uint8_t pattern[PATTERN_LEN];

static slot slots[SLOTS];
/* Our sockets and files are made once and reused (drained) by every input: only the engine's are new each time. */
static int strangers[SLOTS], memfds[SLOTS];

static int udp_socket(void);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  for (size_t i = 0; i < PATTERN_LEN; i++) pattern[i] = (uint8_t)(i * 7 + (i >> 8));
  for (int i = 0; i < SLOTS; i++) {
    strangers[i] = udp_socket();
    memfds[i] = memfd_create("tftp-fuzz", MFD_CLOEXEC);
    if (memfds[i] < 0) abort();
  }
  return 0;
}
static int nslots;
static engine *eng;
static int closing;
static int64_t now;

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "harness check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

void post_done(engine *e, done_item *d) {
  (void)e;
  for (int i = 0; i < nslots; i++) {
    if (slots[i].id != d->id) continue;
    CHECK(slots[i].x != NULL);
    CHECK(d->result != NULL);
    if (strcmp(d->result, "ok") == 0) CHECK(d->bytes == (double)slots[i].filelen);
    else CHECK(d->bytes <= (double)slots[i].filelen);
    slots[i].x = NULL;
  }
  free(d);
}

/* Every datagram sent to our peer socket since the last call: valid for a transfer whose window began at lo. */
static void check_peer(slot *s, int64_t lo) {
  static uint8_t b[65536];
  ssize_t n;
  while ((n = recv(s->peer, b, sizeof b, MSG_DONTWAIT)) >= 0) {
    CHECK(n >= 2);
    unsigned op = (unsigned)b[0] << 8 | b[1];
    if (op == OP_DATA) {
      CHECK(n >= 4 && (size_t)n - 4 <= s->blksize);
      CHECK(s->x != NULL);
      unsigned blk = (unsigned)b[2] << 8 | b[3];
      /* The block this number names: at or after lo, and no further on than the window can have moved. */
      int64_t abs = lo + (int64_t)((blk - (unsigned)lo) & 0xffff);
      CHECK(abs < lo + 2 * MAX_WINDOW && abs < s->x->next);
      size_t off = (size_t)(abs - 1) * s->blksize;
      CHECK(off <= s->filelen);
      size_t want = s->filelen - off < s->blksize ? s->filelen - off : s->blksize;
      CHECK((size_t)n - 4 == want);
      CHECK(memcmp(b + 4, s->file + off, want) == 0);
    } else if (op == 6) {
      CHECK((size_t)n == s->oacklen && memcmp(b, s->oack, s->oacklen) == 0);
    } else {
      CHECK(op == OP_ERROR && n >= 5 && b[n - 1] == 0);
    }
  }
  while ((n = recv(s->stranger, b, sizeof b, MSG_DONTWAIT)) >= 0) {
    static const char msg[] = "\0\5\0\5unknown transfer ID";
    CHECK((size_t)n == sizeof msg && memcmp(b, msg, sizeof msg) == 0);
  }
}

static void check_window(const slot *s) {
  const xfer *x = s->x;
  if (!x || x->phase == PHASE_DONE) return;
  CHECK(x->base >= 1 && x->base <= x->next && x->next <= x->base + x->ws);
  CHECK(x->last == 0 || x->next <= x->last + 1);
  CHECK(x->retries <= x->max_retries);
}

static int udp_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
  return fd;
}

/* A command as the JavaScript side pushes it, and the engine's turn to run it. */
static void command(int type, double id, xfer *x) {
  cmd *c = calloc(1, sizeof *c);
  CHECK(c != NULL);
  c->type = type;
  c->id = id;
  c->x = x;
  push(eng, c);
  run_commands(eng, now, &closing);
}

static const uint32_t BLKSIZES[] = { 8, 9, 16, 100, 512, 1024, 1428, 1468, 4096, 65464 };

/* A new transfer from the input's next bytes, started through the engine's command queue. */
static void start_transfer(input *in) {
  if (nslots == SLOTS) return;
  slot *s = &slots[nslots];
  memset(s, 0, sizeof *s);
  s->stranger = strangers[nslots];
  static uint8_t junk[65536];
  while (recv(s->stranger, junk, sizeof junk, MSG_DONTWAIT) >= 0) {}
  unsigned flags = take(in);
  s->blksize = BLKSIZES[take(in) % (sizeof BLKSIZES / sizeof BLKSIZES[0])];
  uint32_t ws = 1 + take(in) % MAX_WINDOW;
  /* Sizes spread evenly over their bit length, up to 1 MiB (past 65535 blocks of 8 bytes: the rollover). */
  unsigned bits = take(in) % 21;
  size_t whole = (((size_t)take16(in) << 16) | take16(in)) & (((size_t)1 << bits) - 1);
  const uint8_t *data = pattern + nslots;
  /* A span of it (start/end, as an fs.ReadStream carries them; end inclusive), else the whole file. */
  size_t from = 0, to = whole;
  int span = (flags & 4) && whole > 0;
  if (span) {
    from = take16(in) % whole;
    to = from + take16(in) % (whole - from + 1);
    if (to == from) { to = whole; span = 0; } /* from there to the end of the file */
  }
  s->filelen = to - from;
  s->file = data + from;
  xfer_spec sp = {
    .id = nslots + 1,
    .peer = { htonl(INADDR_LOOPBACK) },
    .bind_addr = { htonl(INADDR_LOOPBACK) },
    .fd = -1,
    .start = 0,
    .end = -1,
    .blksize = s->blksize,
    .ws = ws,
    .init_ms = 1 + take(in),
    .max_ms = take(in) * 8,
    .max_retries = take(in) % 8,
    .lifetime_ms = 1 + take16(in) * 16,
  };
  uint8_t *mem = NULL;
  size_t memlen = 0;
  if (flags & 2) { /* on disk: the engine preads the descriptor */
    int fd = memfds[nslots];
    CHECK(ftruncate(fd, 0) == 0);
    CHECK(whole == 0 || pwrite(fd, data, whole, 0) == (ssize_t)whole);
    sp.fd = fd;
    sp.start = (int64_t)from;
    sp.end = span ? (int64_t)to - 1 : -1;
  } else if (s->filelen > 0) { /* bytes handed over (a rendered file); an empty one is no bytes at all */
    mem = malloc(s->filelen);
    CHECK(mem != NULL);
    memcpy(mem, s->file, s->filelen);
    memlen = s->filelen;
  }
  uint8_t *oack = NULL;
  size_t oacklen = 0;
  if (flags & 1) {
    oacklen = (size_t)snprintf((char *)s->oack, sizeof s->oack, "%c%cblksize%c%u", 0, 6, 0, s->blksize) + 1;
    oack = malloc(oacklen);
    CHECK(oack != NULL);
    memcpy(oack, s->oack, oacklen);
    s->oacklen = oacklen;
  }
  sp.peer_port = 9; /* the connected socket is replaced below */
  const char *what;
  uint16_t port;
  xfer *x = new_xfer(&sp, mem, memlen, oack, oacklen, &port, &what);
  CHECK(x != NULL);
  int pair[2];
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) == 0);
  CHECK(dup3(pair[0], x->sock, O_CLOEXEC) == x->sock);
  close(pair[0]);
  s->peer = pair[1];
  if (flags & 8) {
    /* Resume at a later block (as if every earlier one had been ACKed): block numbers past 65535 cheaply. */
    int64_t blocks = (int64_t)(s->filelen / s->blksize);
    x->base = x->next = 1 + (int64_t)(take16(in) * 16 + take(in) % 16) % (blocks + 1);
  }
  s->x = x;
  s->id = sp.id;
  s->to = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port) };
  nslots++;
  command(CMD_START, 0, x);
  check_peer(s, x->base);
}

/* A datagram from the peer (or a stranger) to the transfer's port, and the engine's turn to read it. */
static void deliver(slot *s, int stranger, const uint8_t *b, size_t n) {
  if (!s->x) return;
  if (stranger) CHECK(sendto(s->stranger, b, n, 0, (struct sockaddr *)&s->to, sizeof s->to) == (ssize_t)n);
  else if (send(s->peer, b, n, 0) != (ssize_t)n) return; /* the transfer's queue is full: a lost datagram */
  uint8_t buf[2048];
  on_readable(eng, stranger ? &s->x->ref_stranger : &s->x->ref_sock, buf, sizeof buf, now);
}

static void ack(slot *s, unsigned blk) {
  uint8_t b[4] = { 0, OP_ACK, (uint8_t)(blk >> 8), (uint8_t)blk };
  deliver(s, 0, b, sizeof b);
}

static void step(input *in) {
  unsigned op = take(in) % 11;
  slot *s = nslots ? &slots[take(in) % nslots] : NULL;
  int64_t lo = s && s->x ? s->x->base : 1;
  uint8_t b[1600];
  size_t n;
  switch (op) {
    case 0: /* raw bytes from the peer */
    case 1: /* raw bytes from a stranger */
      n = take(in);
      if (n == 255) n = take16(in) % sizeof b;
      for (size_t i = 0; i < n; i++) b[i] = (uint8_t)take(in);
      if (s) deliver(s, op == 1, b, n);
      break;
    case 2: /* ACK of a block near the window (or any number) */
      if (s && s->x) {
        unsigned k = take(in);
        ack(s, k == 255 ? take16(in) : (unsigned)((s->x->base - 1 + k % (s->x->ws + 2)) & 0xffff));
      }
      break;
    case 3: /* ACK 0 (the OACK's) */
      if (s) ack(s, 0);
      break;
    case 4: /* the peer ACKs whole windows, many times: long files, block numbers past 65535 */
      for (unsigned i = 0, k = take(in); s && s->x && s->x->phase == PHASE_SENDING && i < k; i++) {
        lo = s->x->base;
        ack(s, (unsigned)((s->x->next - 1) & 0xffff));
        check_peer(s, lo);
        check_window(s);
      }
      break;
    case 5: /* an ERROR from the peer */
      n = 4 + take(in) % 64;
      b[0] = 0; b[1] = OP_ERROR; b[2] = 0; b[3] = (uint8_t)take(in);
      for (size_t i = 4; i < n; i++) b[i] = (uint8_t)('a' + take(in) % 26);
      if (take(in) & 1) b[n++] = 0;
      if (s) deliver(s, 0, b, n);
      break;
    case 6: /* time passes: retransmissions, giving up */
      now += take(in) * 16;
      scan(eng, now);
      break;
    case 7: /* a long time passes: the lifetime */
      now += (int64_t)take16(in) * 64;
      scan(eng, now);
      break;
    case 8:
      if (s) command(CMD_SHUTDOWN, s->id, NULL);
      break;
    case 9:
      start_transfer(in);
      break;
    case 10:
      command(CMD_CLOSE, 0, NULL);
      break;
  }
  for (int i = 0; i < nslots; i++) {
    check_peer(&slots[i], &slots[i] == s ? lo : (slots[i].x ? slots[i].x->base : 1));
    check_window(&slots[i]);
  }
  sweep(eng);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input in = { data, size };
  eng = engine_new();
  CHECK(eng != NULL);
  nslots = 0;
  closing = 0;
  now = 1000000;
  start_transfer(&in);
  sweep(eng);
  for (int steps = 0; in.n > 0 && steps < 4096; steps++) step(&in);
  command(CMD_CLOSE, 0, NULL);
  for (int i = 0; i < nslots; i++) check_peer(&slots[i], slots[i].x ? slots[i].x->base : 1);
  sweep(eng);
  CHECK(eng->list == NULL);
  for (int i = 0; i < nslots; i++) {
    CHECK(slots[i].x == NULL);
    close(slots[i].peer);
  }
  close(eng->ep);
  close(eng->evfd);
  pthread_mutex_destroy(&eng->mu);
  free(eng);
  return 0;
}
