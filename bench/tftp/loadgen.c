/*
 * The TFTP benchmark's load generator: COUNT concurrent downloads of one file from one process, the whole data
 * phase in C on a libuv threadpool thread (N-API async work), so a block costs the client one recvmmsg (a whole
 * window at windowsize 16), one sendto per ACK, a share of an epoll_wait and a SHA-256 update; JavaScript sees
 * only the outcome. Why: 100 curl or atftp processes used 1.9-2.5x the appliance's CPU, so they, not the
 * servers, set the wall time of a round (bench/results/tftp.md).
 *
 * Wire rules: one socket (TID) per transfer; RRQ octet with blksize (and windowsize when > 1, RFC 7440); the
 * server's TID from its first packet, the socket then connected to it (other senders are dropped by the
 * kernel, so they get no ERROR 5); an OACK sets blksize/windowsize (a server that
 * ignores the options gets 512 and lock-step); an ACK after each full window and after the last (short) block;
 * an out-of-order block is answered once per progress with the ACK of the last in-order block; a timeout sends
 * that ACK again (or the RRQ before any answer), at most maxRetries times since the last progress.
 *
 *   run(server, port, filename, count, blksize, windowsize, timeoutMs, maxRetries, reference|undefined)
 *     -> Promise<{ wallNs, userUs, sysUs (the loop thread's own rusage), sendCalls, recvCalls, recvPackets,
 *        epollWaits, transfers: [{ status: 0 ok | 1 timeout | 2 server ERROR | 3 protocol | 4 content differs,
 *        bytes, sha256, retries, error }] }>
 *
 * Content: without `reference` each transfer's bytes are hashed (SHA-256, for JavaScript to compare); with it
 * (a Buffer holding the expected file) each block is compared in place with its part of the reference, which
 * checks every byte for a memcmp instead of a hash update, and sha256 is left empty.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <openssl/sha.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OP_DATA 3
#define OP_ACK 4
#define OP_ERROR 5
#define OP_OACK 6
#define VLEN 16
#define BUFSZ 65536
#define SCAN_MS 10

enum { ST_RUN = -1, ST_OK = 0, ST_TIMEOUT = 1, ST_SERVER = 2, ST_PROTO = 3, ST_CONTENT = 4 };

typedef struct {
  int fd, tid, status, connected;
  struct sockaddr_in peer;
  int64_t expected, deadline;
  uint32_t blksize, window, inwin, tries, retries, gap_acked;
  double bytes;
  uint8_t last[600];
  size_t lastlen;
  SHA256_CTX sha;
  uint8_t digest[SHA256_DIGEST_LENGTH];
  char error[96];
} xfer;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  struct sockaddr_in server;
  char filename[256];
  uint32_t count, blksize, window, timeout_ms, max_retries;
  xfer *x;
  uint8_t (*bufs)[BUFSZ];
  const uint8_t *ref; /* NULL: hash instead */
  size_t reflen;
  napi_ref refkeep;
  int64_t wall_ns;
  double user_us, sys_us, sends, recvs, packets, waits;
  char fail[128];
} job;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void send_raw(job *j, xfer *x, const void *b, size_t n, const struct sockaddr_in *to) {
  j->sends++;
  if (x->connected && to == &x->peer) (void)send(x->fd, b, n, MSG_DONTWAIT);
  else (void)sendto(x->fd, b, n, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof *to); /* lost: the timer resends */
}

/* ACK of `block` (absolute, sent mod 65536) as the packet a timeout repeats; progress resets the tries. */
static void send_ack(job *j, xfer *x, int64_t block) {
  uint8_t a[4] = {0, OP_ACK, (uint8_t)((block >> 8) & 0xff), (uint8_t)(block & 0xff)};
  memcpy(x->last, a, 4);
  x->lastlen = 4;
  send_raw(j, x, a, 4, &x->peer);
}

static void end(xfer *x, int status, const char *why) {
  x->status = status;
  if (why) snprintf(x->error, sizeof x->error, "%s", why);
}

/* OACK: blksize and windowsize within what was asked (RFC 2348, 7440); anything else ends the transfer. */
static void on_oack(job *j, xfer *x, const uint8_t *p, size_t n) {
  const char *s = (const char *)p + 2, *e = (const char *)p + n;
  while (s < e) {
    const char *name = s, *val = memchr(s, 0, (size_t)(e - s));
    if (!val || ++val >= e) break;
    const char *next = memchr(val, 0, (size_t)(e - val));
    if (!next) break;
    long v = strtol(val, NULL, 10);
    if (strcasecmp(name, "blksize") == 0) {
      if (v < 8 || v > (long)j->blksize) return end(x, ST_PROTO, "OACK blksize out of range");
      x->blksize = (uint32_t)v;
    } else if (strcasecmp(name, "windowsize") == 0) {
      if (v < 1 || v > (long)j->window) return end(x, ST_PROTO, "OACK windowsize out of range");
      x->window = (uint32_t)v;
    }
    s = next + 1;
  }
  send_ack(j, x, 0);
}

static void on_packet(job *j, xfer *x, const uint8_t *p, size_t n, const struct sockaddr_in *from) {
  int op = n >= 4 ? (p[0] << 8) | p[1] : -1;
  if (op != OP_DATA && op != OP_OACK && op != OP_ERROR) return; /* not for a download: the wait goes on */
  int port = ntohs(from->sin_port), first = x->tid == -1;
  if (first) {
    x->tid = port;
    x->peer = *from;
    /* connected from now on: the kernel skips the route lookup per send and drops other senders (no ERROR 5) */
    x->connected = connect(x->fd, (const struct sockaddr *)from, sizeof *from) == 0;
  } else if (port != x->tid || from->sin_addr.s_addr != x->peer.sin_addr.s_addr) {
    static const uint8_t e5[] = "\0\5\0\5unknown transfer id";
    send_raw(j, x, e5, sizeof e5, from);
    return;
  }
  x->deadline = now_ns() + (int64_t)j->timeout_ms * 1000000;
  if (op == OP_ERROR) {
    char m[80];
    snprintf(m, sizeof m, "server ERROR %d %.*s", (p[2] << 8) | p[3], (int)(n > 4 ? n - 5 : 0), p + 4);
    return end(x, ST_SERVER, m);
  }
  if (op == OP_OACK) {
    if (first) on_oack(j, x, p, n); /* only as the answer to the RRQ */
    return;
  }
  int block = (p[2] << 8) | p[3];
  if (block != (x->expected & 0xffff)) {
    if (!x->gap_acked) { /* a lost ACK or block: restart the window after the last in-order block, once */
      x->gap_acked = 1;
      x->inwin = 0;
      send_ack(j, x, x->expected - 1);
    }
    return;
  }
  size_t len = n - 4;
  if (len > x->blksize) return end(x, ST_PROTO, "DATA longer than blksize");
  x->bytes += (double)len;
  if (j->ref) {
    size_t off = (size_t)(x->expected - 1) * x->blksize;
    if (off + len > j->reflen || memcmp(j->ref + off, p + 4, len) != 0) {
      char m[64];
      snprintf(m, sizeof m, "block %lld differs from the reference", (long long)x->expected);
      return end(x, ST_CONTENT, m);
    }
  } else {
    SHA256_Update(&x->sha, p + 4, len);
  }
  x->tries = 0;
  x->gap_acked = 0;
  if (len < x->blksize) {
    send_ack(j, x, x->expected); /* the final ACK leaves before the socket closes */
    return end(x, ST_OK, NULL);
  }
  if (++x->inwin >= x->window) {
    x->inwin = 0;
    send_ack(j, x, x->expected);
  }
  x->expected++;
}

/* Deadlines: resend the RRQ (no answer yet) or the ACK of the last in-order block; give up after max_retries. */
static void scan(job *j, int64_t now) {
  for (uint32_t i = 0; i < j->count; i++) {
    xfer *x = &j->x[i];
    if (x->status != ST_RUN || x->deadline > now) continue;
    if (++x->tries > j->max_retries) {
      end(x, ST_TIMEOUT, "no answer");
      continue;
    }
    x->retries++;
    x->inwin = 0;
    if (x->tid == -1) send_raw(j, x, x->last, x->lastlen, &x->peer);
    else send_ack(j, x, x->expected - 1);
    x->deadline = now + (int64_t)j->timeout_ms * 1000000;
  }
}

static size_t rrq(job *j, uint8_t *b) {
  int n = snprintf((char *)b + 2, 590, "%s%coctet%cblksize%c%u%c", j->filename, 0, 0, 0, j->blksize, 0);
  if (j->window > 1) n += snprintf((char *)b + 2 + n, 590 - (size_t)n, "windowsize%c%u%c", 0, j->window, 0);
  b[0] = 0;
  b[1] = 1;
  return (size_t)n + 2;
}

static void execute(napi_env env, void *data) {
  (void)env;
  job *j = data;
  struct mmsghdr mm[VLEN];
  struct iovec iov[VLEN];
  struct sockaddr_in from[VLEN];
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct rusage r0, r1;
  getrusage(RUSAGE_THREAD, &r0);
  int64_t t0 = now_ns();
  uint32_t active = 0;
  for (uint32_t i = 0; i < j->count; i++) j->x[i].fd = -1;
  for (uint32_t i = 0; i < j->count; i++) {
    xfer *x = &j->x[i];
    x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (x->fd < 0) {
      snprintf(j->fail, sizeof j->fail, "socket: %m");
      break;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, x->fd, &ev);
    x->tid = -1;
    x->status = ST_RUN;
    x->peer = j->server;
    x->expected = 1;
    x->blksize = 512;
    x->window = 1;
    SHA256_Init(&x->sha);
    x->lastlen = rrq(j, x->last);
    send_raw(j, x, x->last, x->lastlen, &x->peer);
    x->deadline = t0 + (int64_t)j->timeout_ms * 1000000;
    active++;
  }
  int64_t next_scan = t0 + SCAN_MS * 1000000LL;
  struct epoll_event ev[256];
  while (active > 0 && !j->fail[0]) {
    int n = epoll_wait(ep, ev, 256, SCAN_MS);
    j->waits++;
    for (int k = 0; k < n; k++) {
      xfer *x = &j->x[ev[k].data.u32];
      for (int m = 0; m < VLEN; m++) {
        iov[m] = (struct iovec){j->bufs[m], BUFSZ};
        mm[m].msg_hdr = (struct msghdr){.msg_name = &from[m], .msg_namelen = sizeof from[m], .msg_iov = &iov[m], .msg_iovlen = 1};
      }
      int got = recvmmsg(x->fd, mm, x->window < VLEN ? x->window : VLEN, MSG_DONTWAIT, NULL);
      j->recvs++;
      for (int m = 0; m < got && x->status == ST_RUN; m++) {
        j->packets++;
        on_packet(j, x, j->bufs[m], mm[m].msg_len, &from[m]);
      }
      if (x->status != ST_RUN) {
        close(x->fd);
        x->fd = -1;
        active--;
      }
    }
    int64_t now = now_ns();
    if (now >= next_scan) {
      scan(j, now);
      for (uint32_t i = 0; i < j->count; i++) {
        xfer *x = &j->x[i];
        if (x->status != ST_RUN && x->fd >= 0) {
          close(x->fd);
          x->fd = -1;
          active--;
        }
      }
      next_scan = now + SCAN_MS * 1000000LL;
    }
  }
  j->wall_ns = now_ns() - t0;
  getrusage(RUSAGE_THREAD, &r1);
  j->user_us = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e6 + (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec);
  j->sys_us = (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e6 + (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
  for (uint32_t i = 0; i < j->count; i++) {
    xfer *x = &j->x[i];
    if (x->fd >= 0) close(x->fd);
    if (x->status == ST_RUN) end(x, ST_TIMEOUT, "not started");
    if (!j->ref) SHA256_Final(x->digest, &x->sha);
  }
  close(ep);
}

static void set_num(napi_env env, napi_value o, const char *k, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, o, k, n);
}

static void complete(napi_env env, napi_status status, void *data) {
  (void)status;
  job *j = data;
  napi_value o, arr, s;
  if (j->fail[0]) {
    napi_value msg;
    napi_create_string_utf8(env, j->fail, NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &o);
    napi_reject_deferred(env, j->deferred, o);
  } else {
    napi_create_object(env, &o);
    set_num(env, o, "wallNs", (double)j->wall_ns);
    set_num(env, o, "userUs", j->user_us);
    set_num(env, o, "sysUs", j->sys_us);
    set_num(env, o, "sendCalls", j->sends);
    set_num(env, o, "recvCalls", j->recvs);
    set_num(env, o, "recvPackets", j->packets);
    set_num(env, o, "epollWaits", j->waits);
    napi_create_array_with_length(env, j->count, &arr);
    for (uint32_t i = 0; i < j->count; i++) {
      xfer *x = &j->x[i];
      napi_value t;
      char hex[2 * SHA256_DIGEST_LENGTH + 1];
      for (int b = 0; b < SHA256_DIGEST_LENGTH; b++) snprintf(hex + 2 * b, 3, "%02x", x->digest[b]);
      napi_create_object(env, &t);
      set_num(env, t, "status", x->status);
      set_num(env, t, "bytes", x->bytes);
      set_num(env, t, "retries", x->retries);
      napi_create_string_utf8(env, j->ref ? "" : hex, NAPI_AUTO_LENGTH, &s);
      napi_set_named_property(env, t, "sha256", s);
      napi_create_string_utf8(env, x->error, NAPI_AUTO_LENGTH, &s);
      napi_set_named_property(env, t, "error", s);
      napi_set_element(env, arr, i, t);
    }
    napi_set_named_property(env, o, "transfers", arr);
    napi_resolve_deferred(env, j->deferred, o);
  }
  napi_delete_async_work(env, j->work);
  free(j->x);
  free(j->bufs);
  if (j->refkeep) napi_delete_reference(env, j->refkeep);
  free(j);
}

static napi_value run(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9], promise, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  job *j = calloc(1, sizeof *j);
  char addr[64];
  uint32_t port;
  size_t len;
  napi_get_value_string_utf8(env, argv[0], addr, sizeof addr, &len);
  napi_get_value_uint32(env, argv[1], &port);
  napi_get_value_string_utf8(env, argv[2], j->filename, sizeof j->filename, &len);
  napi_get_value_uint32(env, argv[3], &j->count);
  napi_get_value_uint32(env, argv[4], &j->blksize);
  napi_get_value_uint32(env, argv[5], &j->window);
  napi_get_value_uint32(env, argv[6], &j->timeout_ms);
  napi_get_value_uint32(env, argv[7], &j->max_retries);
  j->server.sin_family = AF_INET;
  j->server.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, addr, &j->server.sin_addr) != 1 || j->count == 0 || j->blksize < 8 || j->blksize > 65464 ||
      j->window < 1 || j->window > 65535) {
    free(j);
    napi_throw_error(env, NULL, "run: bad arguments");
    return NULL;
  }
  bool isbuf = false;
  if (argc > 8) napi_is_buffer(env, argv[8], &isbuf);
  if (isbuf) {
    void *d;
    napi_get_buffer_info(env, argv[8], &d, &j->reflen);
    j->ref = d;
    napi_create_reference(env, argv[8], 1, &j->refkeep); /* alive until complete() */
  }
  j->x = calloc(j->count, sizeof *j->x);
  j->bufs = malloc((size_t)VLEN * BUFSZ);
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "tftp-loadgen", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, j, &j->work);
  napi_queue_async_work(env, j->work);
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, run, NULL, &f);
  napi_set_named_property(env, exports, "run", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
