/*
 * The TFTP download engine: the data phase of every accepted RRQ, in one native thread.
 *
 * Why native: a lock-step download is one ACK in and one DATA out per block, and in Node each of those
 * costs a libuv callback into JavaScript, a fresh Buffer and an rinfo object, the send path's argument
 * checks and a state-machine step; user space was a large share of the server's CPU (bench/results/tftp.md).
 * Here a block costs recv + send (sendmmsg for a whole window) and one pread per 16 KiB.
 *
 * What stays in TypeScript (server.ts, download.ts, codec/negotiate.ts, the tree): parsing the request, path
 * safety, option negotiation and the OACK bytes, opening the file, refusals, uploads, events and logs. The
 * engine gets a connected socket pair it creates itself, the open descriptor (or the bytes of a rendered
 * file), blksize/windowsize, the OACK to send first and the retransmit policy, and reports one outcome per
 * transfer. Protocol rules are those of machine/send.ts (the pure reference machine, still used for in-thread
 * downloads), and machine/send.case.test.ts runs the same cases against both: absolute block numbers put on
 * the wire modulo 65536 (rollover), an ACK names the newest block in flight with that number, duplicate ACKs
 * only counted (no Sorcerer's Apprentice), a gap ACK restarts the window after it, exponential backoff,
 * ERROR 5 to strangers on the transfer's port, ERROR from the peer ends the transfer without a reply.
 *
 *   createEngine(done(id, result, message, bytes)) -> engine
 *   start(engine, id, peerAddress, peerPort, bindAddress|null, fd, start, end, data|null, blksize,
 *         windowsize, oack|null, initialMs, maxMs, maxRetries, lifetimeMs) -> the transfer's port (throws on
 *         socket errors); after lifetimeMs the transfer sends ERROR 0 and ends with TFTP_LIFETIME
 *   shutdown(engine, id)       the transfer sends ERROR 0 and ends with TFTP_SHUTDOWN
 *   counters(engine) -> [malformed, wrongTid, duplicates, unexpected, retransmits, bytesSent] (totals)
 *   close(engine)              ends every transfer (TFTP_SHUTDOWN) and joins the thread
 *
 * `done` runs on the JavaScript thread (a thread-safe function) after the transfer's sockets are closed and
 * its descriptor will never be read again, so the caller may close it then.
 *
 * Built with -DTFTP_ENGINE_FUZZ the N-API half is left out and outcomes go to tftp_engine_done() instead:
 * fuzz/tftp-engine/harness.c includes this file and drives the same functions the thread runs.
 */
#define _GNU_SOURCE
#ifndef TFTP_ENGINE_FUZZ
#include <node_api.h>
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 64
#define READ_AHEAD 16384
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
#ifndef TFTP_ENGINE_FUZZ
  napi_threadsafe_function tsfn;
#endif
  uint64_t counters[N_COUNTERS];
  struct mmsghdr msgs[MAX_WINDOW];
  struct iovec iov[2 * MAX_WINDOW];
  uint8_t hdr[MAX_WINDOW][4];
} engine;

#ifdef TFTP_ENGINE_FUZZ
void tftp_engine_done(done_item *d); /* the harness's; frees d */
static void post_done(engine *e, done_item *d) { (void)e; tftp_engine_done(d); }
#else
static void post_done(engine *e, done_item *d) {
  if (napi_call_threadsafe_function(e->tsfn, d, napi_tsfn_blocking) != napi_ok) free(d);
}
#endif

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void count(engine *e, int k, uint64_t n) { __atomic_fetch_add(&e->counters[k], n, __ATOMIC_RELAXED); }

static int64_t backoff(const xfer *x) {
  int64_t cap = x->max_ms > x->init_ms ? x->max_ms : x->init_ms;
  int64_t ms = x->init_ms;
  for (uint32_t i = 0; i < x->retries && ms < cap; i++) ms *= 2;
  return ms < cap ? ms : cap;
}

static void send_error(xfer *x, int code, const char *msg) {
  uint8_t b[256];
  size_t n = strlen(msg);
  if (n > sizeof b - 5) n = sizeof b - 5;
  b[0] = 0; b[1] = OP_ERROR; b[2] = (uint8_t)(code >> 8); b[3] = (uint8_t)code;
  memcpy(b + 4, msg, n);
  b[4 + n] = 0;
  (void)send(x->sock, b, n + 5, MSG_DONTWAIT);
}

/* The outcome is decided; sockets are closed and `done` posted when the loop iteration ends (sweep). */
static void finish(engine *e, xfer *x, const char *result, const char *message) {
  if (x->phase == PHASE_DONE) return;
  x->phase = PHASE_DONE;
  e->finished++;
  x->result = result;
  snprintf(x->message, sizeof x->message, "%s", message);
  x->bytes = x->last != 0 && x->base > x->last ? (double)(x->last - 1) * x->blksize + x->lastlen : (double)(x->base - 1) * x->blksize;
}

static int in_buffer(const xfer *x, int64_t b) {
  if (x->fd < 0) return 1;
  if (b < x->bstart) return 0;
  size_t off = (size_t)(b - x->bstart) * x->blksize;
  return off < x->bbytes || (x->beof && off == x->bbytes);
}

/* Block b's bytes (valid until the next refill); -1 with errno on a read error. */
static int block_at(xfer *x, int64_t b, const uint8_t **p, uint32_t *len) {
  size_t rel = (size_t)(b - 1) * x->blksize;
  size_t avail;
  if (x->fd < 0) {
    avail = rel < x->memlen ? x->memlen - rel : 0;
    *p = avail > 0 ? x->mem + rel : (const uint8_t *)""; /* an empty file has no buffer at all (mem NULL) */
  } else {
    if (!in_buffer(x, b)) {
      size_t want = x->bufcap;
      int limited = 0;
      if (x->end >= 0) {
        int64_t remaining = x->end + 1 - (x->start + (int64_t)rel);
        if (remaining < 0) remaining = 0;
        if ((int64_t)want >= remaining) { want = (size_t)remaining; limited = 1; }
      }
      ssize_t n;
      do n = pread(x->fd, x->buf, want, x->start + (off_t)rel); while (n < 0 && errno == EINTR);
      if (n < 0) return -1;
      x->bstart = b;
      x->bbytes = (size_t)n;
      x->beof = limited || (size_t)n < want;
    }
    size_t off = (size_t)(b - x->bstart) * x->blksize;
    avail = x->bbytes - off;
    *p = x->buf + off;
  }
  *len = avail < x->blksize ? (uint32_t)avail : x->blksize;
  if (*len < x->blksize && x->last == 0) { x->last = b; x->lastlen = *len; }
  return 0;
}

static void flush(engine *e, xfer *x, unsigned n) {
  unsigned sent = 0;
  while (sent < n) {
    int r = sendmmsg(x->sock, e->msgs + sent, n - sent, MSG_DONTWAIT);
    if (r <= 0) { if (r < 0 && errno == EINTR) continue; break; } /* a full queue or an unreachable peer: the timer resends */
    sent += (unsigned)r;
  }
}

/* Send what the window allows from x->next, and arm the retransmit timer if anything went out. */
static void pump(engine *e, xfer *x, int64_t now) {
  unsigned n = 0;
  while (x->phase == PHASE_SENDING && x->next < x->base + x->ws && (x->last == 0 || x->next <= x->last)) {
    if (n > 0 && !in_buffer(x, x->next)) { flush(e, x, n); n = 0; } /* a refill would overwrite queued blocks */
    const uint8_t *p;
    uint32_t len;
    if (block_at(x, x->next, &p, &len) < 0) {
      char m[160];
      snprintf(m, sizeof m, "read failed: %s", strerror(errno));
      send_error(x, 0, m);
      finish(e, x, "TREE_IO", m);
      return;
    }
    uint8_t *h = e->hdr[n];
    h[0] = 0; h[1] = OP_DATA; h[2] = (uint8_t)((x->next >> 8) & 0xff); h[3] = (uint8_t)(x->next & 0xff);
    e->iov[2 * n] = (struct iovec){ h, 4 };
    e->iov[2 * n + 1] = (struct iovec){ (void *)p, len };
    memset(&e->msgs[n], 0, sizeof e->msgs[n]);
    e->msgs[n].msg_hdr.msg_iov = &e->iov[2 * n];
    e->msgs[n].msg_hdr.msg_iovlen = 2;
    count(e, C_BYTES_SENT, len);
    n++;
    x->next++;
  }
  if (n > 0) { flush(e, x, n); x->deadline = now + backoff(x); }
}

static void begin(engine *e, xfer *x, int64_t now) {
  if (x->oacklen > 0) {
    (void)send(x->sock, x->oack, x->oacklen, MSG_DONTWAIT);
    x->deadline = now + backoff(x);
  } else {
    x->phase = PHASE_SENDING;
    pump(e, x, now);
  }
}

static void on_timeout(engine *e, xfer *x, int64_t now) {
  x->retries++;
  if (x->retries > x->max_retries) {
    send_error(x, 0, "timed out");
    finish(e, x, "TFTP_TIMEOUT", "peer stopped answering");
    return;
  }
  count(e, C_RETRANSMITS, 1);
  if (x->phase == PHASE_OACK) {
    (void)send(x->sock, x->oack, x->oacklen, MSG_DONTWAIT);
    x->deadline = now + backoff(x);
    return;
  }
  x->next = x->base;
  pump(e, x, now);
  if (x->next == x->base) x->deadline = now + backoff(x);
}

static void on_packet(engine *e, xfer *x, const uint8_t *b, ssize_t n, int64_t now) {
  if (n < 2) { count(e, C_MALFORMED, 1); return; }
  unsigned op = ((unsigned)b[0] << 8) | b[1];
  if (op == OP_ACK) {
    if (n != 4) { count(e, C_MALFORMED, 1); return; }
    unsigned blk = ((unsigned)b[2] << 8) | b[3];
    if (x->phase == PHASE_OACK) {
      if (blk != 0) { count(e, C_UNEXPECTED, 1); return; }
      x->phase = PHASE_SENDING;
      x->retries = 0;
      pump(e, x, now);
      return;
    }
    int64_t k = -1;
    for (int64_t a = x->next - 1; a >= x->base; a--) if ((a & 0xffff) == blk) { k = a; break; }
    if (k < 0) { count(e, C_DUPLICATES, 1); return; }
    x->base = k + 1;
    x->next = k + 1;
    x->retries = 0;
    if (x->last != 0 && k == x->last) { finish(e, x, "ok", "transfer complete"); return; }
    pump(e, x, now);
  } else if (op == OP_ERROR) {
    if (n < 4) { count(e, C_MALFORMED, 1); return; }
    const uint8_t *nul = memchr(b + 4, 0, (size_t)n - 4);
    if (nul && nul != b + n - 1) { count(e, C_MALFORMED, 1); return; }
    char m[200];
    int len = (int)(nul ? nul - (b + 4) : n - 4);
    snprintf(m, sizeof m, "peer sent error %u: %.*s", ((unsigned)b[2] << 8) | b[3], len > 150 ? 150 : len, (const char *)(b + 4));
    finish(e, x, "TFTP_PEER_ERROR", m);
  } else if (op >= 1 && op <= 6) {
    count(e, C_UNEXPECTED, 1);
  } else {
    count(e, C_MALFORMED, 1);
  }
}

/* A datagram on the transfer's port from anyone but its peer: RFC 1350 wants ERROR 5 (never to an ERROR). */
static void on_stranger(engine *e, xfer *x) {
  uint8_t b[2048];
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  ssize_t n = recvfrom(x->stranger, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  if (n < 0) return;
  count(e, C_WRONG_TID, 1);
  if (from.sin_port == 0 || n < 2) return;
  unsigned op = ((unsigned)b[0] << 8) | b[1];
  int wellformed = (op == OP_ACK && n == 4) || (op == OP_DATA && n >= 4) || ((op == 1 || op == 2 || op == 6) && b[n - 1] == 0);
  if (!wellformed) return;
  static const char msg[] = "\0\5\0\5unknown transfer ID";
  (void)sendto(x->stranger, msg, sizeof msg, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
}

/* Ended by the server: the peer gets ERROR 0 with the reason. */
static void end_by_server(engine *e, xfer *x, const char *result, const char *message) {
  send_error(x, 0, message);
  finish(e, x, result, message);
}

/* A datagram is waiting on one of a transfer's sockets. */
static void on_readable(engine *e, struct sockref *r, uint8_t *buf, size_t cap, int64_t now) {
  xfer *x = r->x;
  if (x->phase == PHASE_DONE) return;
  if (r->stranger) { on_stranger(e, x); return; }
  ssize_t len = recv(x->sock, buf, cap, MSG_DONTWAIT);
  if (len >= 0) on_packet(e, x, buf, len, now); /* errors: ICMP unreachable; the timer decides */
}

/* Every SCAN_MS: transfers past their lifetime end, those past their retransmit deadline time out. */
static void scan(engine *e, int64_t now) {
  for (xfer *x = e->list; x; x = x->nextx) {
    if (x->phase == PHASE_DONE) continue;
    if (now >= x->expires) end_by_server(e, x, "TFTP_LIFETIME", "transfer took too long");
    else if (now >= x->deadline) on_timeout(e, x, now);
  }
}

static void unlink_xfer(engine *e, xfer *x) {
  if (x->prev) x->prev->nextx = x->nextx; else e->list = x->nextx;
  if (x->nextx) x->nextx->prev = x->prev;
}

static void free_xfer(xfer *x) {
  if (x->sock >= 0) close(x->sock);
  if (x->stranger >= 0) close(x->stranger);
  free(x->mem);
  free(x->oack);
  free(x->buf);
  free(x);
}

/* Close finished transfers and post their outcome (a walk of the list only when one finished). */
static void sweep(engine *e) {
  if (e->finished == 0) return;
  e->finished = 0;
  for (xfer *x = e->list, *nx; x; x = nx) {
    nx = x->nextx;
    if (x->phase != PHASE_DONE) continue;
    unlink_xfer(e, x);
    done_item *d = malloc(sizeof *d);
    if (d) {
      d->id = x->id;
      d->result = x->result;
      memcpy(d->message, x->message, sizeof d->message);
      d->bytes = x->bytes;
    }
    free_xfer(x);
    if (d) post_done(e, d);
  }
}

static void run_commands(engine *e, int64_t now, int *closing) {
  pthread_mutex_lock(&e->mu);
  cmd *c = e->head;
  e->head = e->tail = NULL;
  pthread_mutex_unlock(&e->mu);
  while (c) {
    cmd *nc = c->next;
    if (c->type == CMD_START) {
      xfer *x = c->x;
      x->nextx = e->list;
      if (e->list) e->list->prev = x;
      e->list = x;
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &x->ref_sock };
      struct epoll_event es = { .events = EPOLLIN, .data.ptr = &x->ref_stranger };
      x->expires = now + x->lifetime_ms;
      if (epoll_ctl(e->ep, EPOLL_CTL_ADD, x->sock, &ev) < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, x->stranger, &es) < 0) finish(e, x, "TFTP_IO", "epoll_ctl failed");
      else if (*closing) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      else begin(e, x, now);
    } else if (c->type == CMD_SHUTDOWN) {
      for (xfer *x = e->list; x; x = x->nextx) {
        if (x->id == c->id && x->phase != PHASE_DONE) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      }
    } else {
      *closing = 1;
      for (xfer *x = e->list; x; x = x->nextx) {
        if (x->phase != PHASE_DONE) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      }
    }
    free(c);
    c = nc;
  }
}

static void *loop(void *arg) {
  engine *e = arg;
  struct epoll_event evs[256];
  uint8_t buf[2048];
  int closing = 0;
  int64_t next_scan = now_ms() + SCAN_MS;
  for (;;) {
    int timeout = -1;
    if (e->list) { int64_t d = next_scan - now_ms(); timeout = d < 0 ? 0 : (int)d; }
    int n = epoll_wait(e->ep, evs, 256, timeout);
    int64_t now = now_ms();
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr == NULL) {
        uint64_t v;
        (void)read(e->evfd, &v, sizeof v);
        run_commands(e, now, &closing);
        continue;
      }
      on_readable(e, evs[i].data.ptr, buf, sizeof buf, now);
    }
    if (now >= next_scan) {
      scan(e, now);
      next_scan = now + SCAN_MS;
    }
    sweep(e);
    if (closing && !e->list) break;
  }
  return NULL;
}

/* What start() is given for one transfer. */
typedef struct xfer_spec {
  double id;
  struct in_addr peer, bind_addr;
  uint16_t peer_port;
  int fd;                 /* read when mem is NULL */
  int64_t start, end, init_ms, max_ms, lifetime_ms;
  uint32_t blksize, ws, max_retries;
} xfer_spec;

/*
 * A transfer and its TID: a connected socket for the peer, and an unconnected one on the same port for
 * strangers. Takes mem and oack (malloc'd or NULL); NULL with errno and *what set on failure.
 */
static xfer *new_xfer(const xfer_spec *sp, uint8_t *mem, size_t memlen, uint8_t *oack, size_t oacklen, uint16_t *port, const char **what) {
  *what = "out of memory";
  xfer *x = calloc(1, sizeof *x);
  if (!x) { free(mem); free(oack); errno = ENOMEM; return NULL; }
  x->sock = x->stranger = -1;
  x->mem = mem; x->memlen = memlen; x->oack = oack; x->oacklen = oacklen;
  x->id = sp->id; x->fd = mem ? -1 : sp->fd; x->start = sp->start; x->end = sp->end;
  x->blksize = sp->blksize; x->ws = sp->ws; x->init_ms = sp->init_ms; x->max_ms = sp->max_ms;
  x->max_retries = sp->max_retries; x->lifetime_ms = sp->lifetime_ms;
  x->phase = PHASE_OACK; /* begin() moves straight to sending when there is no OACK */
  x->base = x->next = 1;
  x->ref_sock = (struct sockref){ x, 0 };
  x->ref_stranger = (struct sockref){ x, 1 };
  if (x->fd >= 0) {
    size_t blocks = (READ_AHEAD + x->blksize - 1) / x->blksize;
    if (blocks < x->ws) blocks = x->ws;
    x->bufcap = blocks * x->blksize;
    x->buf = malloc(x->bufcap);
    if (!x->buf) { free_xfer(x); errno = ENOMEM; return NULL; }
  }
  int one = 1;
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr = sp->bind_addr, .sin_port = 0 };
  socklen_t ll = sizeof local;
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = sp->peer, .sin_port = htons(sp->peer_port) };
  x->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  x->stranger = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (x->sock < 0 || x->stranger < 0
      || setsockopt(x->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || setsockopt(x->stranger, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || bind(x->sock, (struct sockaddr *)&local, sizeof local) < 0
      || getsockname(x->sock, (struct sockaddr *)&local, &ll) < 0
      || bind(x->stranger, (struct sockaddr *)&local, sizeof local) < 0
      || connect(x->sock, (struct sockaddr *)&to, sizeof to) < 0) {
    int err = errno;
    free_xfer(x);
    *what = "transfer socket";
    errno = err;
    return NULL;
  }
  *port = ntohs(local.sin_port);
  return x;
}

static void push(engine *e, cmd *c) {
  pthread_mutex_lock(&e->mu);
  if (e->tail) e->tail->next = c; else e->head = c;
  e->tail = c;
  pthread_mutex_unlock(&e->mu);
  uint64_t one = 1;
  (void)write(e->evfd, &one, sizeof one);
}

/* The engine without its thread: epoll set and command queue (the thread is started by the caller). */
static engine *engine_new(void) {
  engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  pthread_mutex_init(&e->mu, NULL);
  e->ep = epoll_create1(EPOLL_CLOEXEC);
  e->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  if (e->ep < 0 || e->evfd < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, e->evfd, &ev) < 0) {
    int err = errno;
    if (e->ep >= 0) close(e->ep);
    if (e->evfd >= 0) close(e->evfd);
    free(e);
    errno = err;
    return NULL;
  }
  return e;
}

#ifndef TFTP_ENGINE_FUZZ
/* ---- JavaScript side ---------------------------------------------------------------------------------- */

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char m[160];
  snprintf(m, sizeof m, "%s: %s", what, strerror(err));
  napi_throw_error(env, "TFTP_IO", m);
  return NULL;
}

static void call_done(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  done_item *d = data;
  if (env && js_cb) {
    napi_value argv[4], undef;
    napi_create_double(env, d->id, &argv[0]);
    napi_create_string_latin1(env, d->result, NAPI_AUTO_LENGTH, &argv[1]);
    napi_create_string_latin1(env, d->message, NAPI_AUTO_LENGTH, &argv[2]);
    napi_create_double(env, d->bytes, &argv[3]);
    napi_get_undefined(env, &undef);
    napi_call_function(env, undef, js_cb, 4, argv, NULL);
  }
  free(d);
}

static engine *get_engine(napi_env env, napi_value v) {
  engine *e = NULL;
  if (napi_get_value_external(env, v, (void **)&e) != napi_ok || !e) napi_throw_type_error(env, NULL, "not a TFTP engine");
  return e;
}

static napi_value create_engine(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name, out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  engine *e = engine_new();
  if (!e) return throw_errno(env, "engine setup", errno);
  napi_create_string_utf8(env, "tftp-engine", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_done, &e->tsfn) != napi_ok) {
    close(e->ep); close(e->evfd); free(e);
    napi_throw_error(env, NULL, "cannot create the completion callback");
    return NULL;
  }
  napi_unref_threadsafe_function(env, e->tsfn); /* the service's own socket keeps the process alive */
  if (pthread_create(&e->thread, NULL, loop, e) != 0) {
    napi_release_threadsafe_function(e->tsfn, napi_tsfn_abort);
    close(e->ep); close(e->evfd); free(e);
    napi_throw_error(env, NULL, "cannot start the engine thread");
    return NULL;
  }
  e->running = 1;
  napi_create_external(env, e, NULL, NULL, &out);
  return out;
}

static int get_ipv4(napi_env env, napi_value v, struct in_addr *a) {
  char s[64];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, s, sizeof s, &n) != napi_ok) return 0;
  return inet_pton(AF_INET, s, a) == 1;
}

static int copy_bytes(napi_env env, napi_value v, uint8_t **out, size_t *len) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  *out = NULL; *len = 0;
  if (t == napi_null || t == napi_undefined) return 1;
  void *data; size_t n;
  if (napi_get_buffer_info(env, v, &data, &n) != napi_ok) return 0;
  if (n == 0) return 1;
  *out = malloc(n);
  if (!*out) return 0;
  memcpy(*out, data, n);
  *len = n;
  return 1;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value a[16];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc < 16) { napi_throw_type_error(env, NULL, "start: 16 arguments"); return NULL; }
  engine *e = get_engine(env, a[0]);
  if (!e) return NULL;
  double startOff, endOff, init_ms, max_ms, lifetime_ms;
  int32_t peer_port;
  xfer_spec sp = { .bind_addr = { .s_addr = htonl(INADDR_ANY) } };
  napi_valuetype bt;
  napi_typeof(env, a[4], &bt);
  if (napi_get_value_double(env, a[1], &sp.id) != napi_ok || !get_ipv4(env, a[2], &sp.peer)
      || napi_get_value_int32(env, a[3], &peer_port) != napi_ok || peer_port <= 0 || peer_port > 65535
      || (bt == napi_string && !get_ipv4(env, a[4], &sp.bind_addr))
      || napi_get_value_int32(env, a[5], &sp.fd) != napi_ok
      || napi_get_value_double(env, a[6], &startOff) != napi_ok || napi_get_value_double(env, a[7], &endOff) != napi_ok
      || napi_get_value_uint32(env, a[9], &sp.blksize) != napi_ok || sp.blksize < 8 || sp.blksize > 65464
      || napi_get_value_uint32(env, a[10], &sp.ws) != napi_ok || sp.ws < 1 || sp.ws > MAX_WINDOW
      || napi_get_value_double(env, a[12], &init_ms) != napi_ok || napi_get_value_double(env, a[13], &max_ms) != napi_ok
      || napi_get_value_uint32(env, a[14], &sp.max_retries) != napi_ok
      || napi_get_value_double(env, a[15], &lifetime_ms) != napi_ok || !(lifetime_ms >= 1)) {
    napi_throw_type_error(env, NULL, "start: bad arguments");
    return NULL;
  }
  sp.peer_port = (uint16_t)peer_port;
  sp.start = (int64_t)startOff; sp.end = endOff < 0 ? -1 : (int64_t)endOff;
  sp.init_ms = (int64_t)init_ms; sp.max_ms = (int64_t)max_ms; sp.lifetime_ms = (int64_t)lifetime_ms;
  uint8_t *mem, *oack;
  size_t memlen, oacklen;
  if (!copy_bytes(env, a[8], &mem, &memlen)) { napi_throw_type_error(env, NULL, "start: data must be a Buffer"); return NULL; }
  if (!copy_bytes(env, a[11], &oack, &oacklen)) { free(mem); napi_throw_type_error(env, NULL, "start: oack must be a Buffer"); return NULL; }
  const char *what;
  uint16_t port;
  xfer *x = new_xfer(&sp, mem, memlen, oack, oacklen, &port, &what);
  if (!x) return throw_errno(env, what, errno);
  cmd *c = calloc(1, sizeof *c);
  if (!c) { free_xfer(x); napi_throw_error(env, NULL, "out of memory"); return NULL; }
  c->type = CMD_START;
  c->x = x;
  push(e, c);
  napi_value out;
  napi_create_uint32(env, port, &out);
  return out;
}

static napi_value shutdown_one(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  engine *e = argc >= 2 ? get_engine(env, a[0]) : NULL;
  double id;
  if (!e || napi_get_value_double(env, a[1], &id) != napi_ok || !e->running) return NULL;
  cmd *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->type = CMD_SHUTDOWN;
  c->id = id;
  push(e, c);
  return NULL;
}

static napi_value counters(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1], arr, v;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  engine *e = get_engine(env, a[0]);
  if (!e) return NULL;
  napi_create_array_with_length(env, N_COUNTERS, &arr);
  for (uint32_t i = 0; i < N_COUNTERS; i++) {
    napi_create_double(env, (double)__atomic_load_n(&e->counters[i], __ATOMIC_RELAXED), &v);
    napi_set_element(env, arr, i, v);
  }
  return arr;
}

/* Ends every transfer and joins the thread; outcomes already queued are still delivered. */
static napi_value close_engine(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  engine *e = get_engine(env, a[0]);
  if (!e || !e->running) return NULL;
  cmd *c = calloc(1, sizeof *c);
  if (c) { c->type = CMD_CLOSE; push(e, c); }
  pthread_join(e->thread, NULL);
  e->running = 0;
  close(e->ep);
  close(e->evfd);
  napi_release_threadsafe_function(e->tsfn, napi_tsfn_release);
  return NULL; /* the engine struct stays allocated: the external may still be referenced */
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "createEngine", NULL, create_engine, NULL, NULL, NULL, napi_default, NULL },
    { "start", NULL, start, NULL, NULL, NULL, napi_default, NULL },
    { "shutdown", NULL, shutdown_one, NULL, NULL, NULL, napi_default, NULL },
    { "counters", NULL, counters, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, close_engine, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
#endif
