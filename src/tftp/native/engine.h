/*
 * The native TFTP download engine's shared state: one engine (thread, epoll set, command queue, counters)
 * runs many transfers (xfer). The files, one concept each:
 *   transfer.c   the send machine of one transfer: window, ACKs, retransmits, ERRORs, strangers
 *   xfer.c       a transfer's sockets (its TID), memory, and file bytes (read-ahead from its descriptor)
 *   loop.c       the engine thread: epoll loop, command queue, timer scan, sweeping finished transfers
 *   engine.c     the N-API binding (the JavaScript side, engine.ts); post_done() hands outcomes to it
 * The fuzz harness (bench/tftp-fuzz/harness.c) links the first three and defines post_done() itself.
 */
#ifndef TFTP_ENGINE_H
#define TFTP_ENGINE_H
#define _GNU_SOURCE
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define MAX_WINDOW 64
/* Bytes of a file read per pread (at least a window's blocks): a lock-step transfer holds ~4 KiB, not 16. */
#define READ_AHEAD 4096
#define SCAN_MS 20
#define OP_DATA 3
#define OP_ACK 4
#define OP_ERROR 5

enum { PHASE_OACK, PHASE_SENDING, PHASE_DONE };
enum { C_MALFORMED, C_WRONG_TID, C_DUPLICATES, C_UNEXPECTED, C_RETRANSMITS, C_BYTES_SENT, N_COUNTERS };

struct xfer;
struct sockref { struct xfer *x; int stranger; };

typedef struct xfer {
  double id;
  int sock, stranger;
  struct sockref ref_sock, ref_stranger;
  int fd;                 /* -1: bytes in mem */
  uint8_t *mem;
  size_t memlen;
  int64_t start, end;     /* file span (end inclusive, -1: to the end of the file) */
  uint32_t blksize, ws;
  uint8_t *oack;
  size_t oacklen;
  int64_t init_ms, max_ms;
  uint32_t max_retries, retries;
  int phase;
  int64_t base, next, last; /* absolute block numbers; last 0 = not read yet */
  uint32_t lastlen;
  int64_t deadline;
  int64_t lifetime_ms, expires; /* expires: set when the engine thread takes the transfer */
  uint8_t *buf;           /* read-ahead: blocks bstart.. with bbytes bytes; beof: the span ends inside it */
  size_t bufcap, bbytes;
  int64_t bstart;
  int beof;
  const char *result;
  char message[200];
  double bytes;
  struct xfer *prev, *nextx;
} xfer;

typedef struct cmd { int type; double id; xfer *x; struct cmd *next; } cmd;
enum { CMD_START, CMD_SHUTDOWN, CMD_CLOSE };

typedef struct done_item { double id; const char *result; char message[200]; double bytes; } done_item;

typedef struct engine {
  int ep, evfd;
  pthread_t thread;
  int running;
  pthread_mutex_t mu;
  cmd *head, *tail;
  xfer *list;
  unsigned finished;      /* transfers marked done and not yet swept */
  void *binding;          /* engine.c's: the thread-safe function outcomes go to */
  uint64_t counters[N_COUNTERS];
  struct mmsghdr msgs[MAX_WINDOW];
  struct iovec iov[2 * MAX_WINDOW];
  uint8_t hdr[MAX_WINDOW][4];
} engine;

/* What start() is given for one transfer. */
typedef struct xfer_spec {
  double id;
  struct in_addr peer, bind_addr;
  uint16_t peer_port;
  int fd;                 /* read when mem is NULL */
  int64_t start, end, init_ms, max_ms, lifetime_ms;
  uint32_t blksize, ws, max_retries;
} xfer_spec;

static inline void count(engine *e, int k, uint64_t n) { __atomic_fetch_add(&e->counters[k], n, __ATOMIC_RELAXED); }

/* transfer.c */
void finish(engine *e, xfer *x, const char *result, const char *message);
void begin(engine *e, xfer *x, int64_t now);
void on_timeout(engine *e, xfer *x, int64_t now);
void end_by_server(engine *e, xfer *x, const char *result, const char *message);
void on_readable(engine *e, struct sockref *r, uint8_t *buf, size_t cap, int64_t now);
/* xfer.c */
int in_buffer(const xfer *x, int64_t b);
/* Block b's bytes (valid until the next refill); -1 with errno on a read error. */
int block_at(xfer *x, int64_t b, const uint8_t **p, uint32_t *len);
xfer *new_xfer(const xfer_spec *sp, uint8_t *mem, size_t memlen, uint8_t *oack, size_t oacklen, uint16_t *port, const char **what);
void free_xfer(xfer *x);
/* loop.c */
engine *engine_new(void);
void *loop(void *arg);
void push(engine *e, cmd *c);
void run_commands(engine *e, int64_t now, int *closing);
void scan(engine *e, int64_t now);
void sweep(engine *e);
/* engine.c (the harness's in the fuzz build): takes d (malloc'd) to the JavaScript side, which frees it */
void post_done(engine *e, done_item *d);

#endif
