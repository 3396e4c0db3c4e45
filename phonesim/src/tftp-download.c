/*
 * phonesim's TFTP download loop: the data phase of every RRQ of one simulator process, on the JavaScript
 * thread's own libuv loop (one uv_poll on an epoll set of all transfers' sockets, one uv_timer).
 *
 * Why native: a boot storm is millions of lock-step blocks, and in Node each DATA in and ACK out costs a libuv
 * callback into JavaScript, a fresh Buffer and rinfo, the dgram send path and a timer refresh; the simulator then
 * used as much CPU as the server it loads (issue 14). Here a block costs one recvfrom, one sendto, its share of an
 * epoll_wait and a CRC-32 update (Node's own zlib, whose crc32 uses carry-less multiply where the CPU has it).
 *
 * The rules are those of the TypeScript conversation in tftp-client.ts, unchanged on the wire: one fresh socket
 * (TID) per transfer, the server's TID taken from its first well-formed packet, ERROR 5 to any other port, the
 * last packet resent each time timeoutMs pass without a well-formed packet (up to maxRetries since the last
 * progress), DATA and ACK read from their header in place, every other packet decided by JavaScript
 * (`slow`: phase 0 = is it well-formed, phase 1 = what to do with it), the final ACK sent before the socket
 * closes. Block numbers are absolute (int64) and compared modulo 65536.
 *
 *   init(slow(id, phase, msg, fresh, blksize) -> number,
 *        done(id, status, bytes, crc32, data|undefined, retries, requestRetries))
 *   start(id, bindAddress|null, serverAddress, serverPort, request, timeoutMs, maxRetries, keep)  (throws on bind)
 *
 * slow phase 1 answers: 0 ignore, > 0 the OACK's blksize (ACK 0 goes out), -1 end with the error JavaScript
 * holds, -2 the same after ERROR 8 "bad blksize". done status: 0 ok, 1 timeout, 2 JavaScript's error;
 * requestRetries = the part of retries that were the RRQ sent again before the server's first packet.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define OP_DATA 3
#define OP_ACK 4
#define SCAN_MS 5
#define BATCH 256

enum { ST_OK, ST_TIMEOUT, ST_JS };

typedef struct dl {
  double id;
  int fd;
  struct sockaddr_in peer;
  int tid;
  uint8_t *last;
  size_t lastlen, lastcap;
  uint32_t tries, retries, rrq_retries, max_retries;
  int64_t timeout_ms, deadline;
  double blksize;
  int64_t expected;
  double bytes;
  int keep;
  uint8_t *data;
  size_t datalen, datacap;
  uLong crc;
  struct dl *prev, *next;
} dl;

static napi_env g_env;
static napi_ref g_slow, g_done;
static napi_async_context g_ctx;
static int g_ep = -1;
static uv_poll_t g_poll;
static uv_timer_t g_timer;
static int g_running;
static dl *g_list;
static unsigned g_active;
static uint8_t g_buf[65536];

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void send_to(dl *x, const uint8_t *b, size_t n, const struct sockaddr_in *to) {
  (void)sendto(x->fd, b, n, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof *to); /* errors: the timer resends */
}

/* A new packet: progress, so the retry count starts again. */
static void send_new(dl *x, const uint8_t *b, size_t n) {
  if (n > x->lastcap) {
    free(x->last);
    x->last = malloc(n);
    x->lastcap = n;
  }
  memcpy(x->last, b, n);
  x->lastlen = n;
  x->tries = 0;
  send_to(x, x->last, n, &x->peer);
}

static void send_ack(dl *x, int64_t block) {
  uint8_t a[4] = {0, OP_ACK, (uint8_t)((block >> 8) & 0xff), (uint8_t)(block & 0xff)};
  send_new(x, a, 4);
}

static void call(napi_ref fn, size_t argc, napi_value *argv, napi_value *result) {
  napi_value f, recv;
  napi_get_reference_value(g_env, fn, &f);
  napi_get_global(g_env, &recv);
  napi_status st = napi_make_callback(g_env, g_ctx, recv, f, argc, argv, result);
  if (st != napi_ok) {
    const napi_extended_error_info *e;
    napi_get_last_error_info(g_env, &e);
    fprintf(stderr, "phonesim tftp-download: callback failed (%d): %s\n", st, e->error_message ? e->error_message : "");
  }
}

static void stop_if_idle(void) {
  if (g_active == 0 && g_running) {
    uv_poll_stop(&g_poll);
    uv_timer_stop(&g_timer);
    g_running = 0;
  }
}

/* Close the socket, unlink, report to JavaScript, free. */
static void finish(dl *x, int status) {
  close(x->fd);
  if (x->prev) x->prev->next = x->next;
  else g_list = x->next;
  if (x->next) x->next->prev = x->prev;
  g_active--;
  napi_handle_scope scope;
  napi_open_handle_scope(g_env, &scope);
  napi_value argv[7];
  napi_create_double(g_env, x->id, &argv[0]);
  napi_create_int32(g_env, status, &argv[1]);
  napi_create_double(g_env, x->bytes, &argv[2]);
  napi_create_uint32(g_env, (uint32_t)x->crc, &argv[3]);
  if (x->keep) napi_create_buffer_copy(g_env, x->datalen, x->data ? (void *)x->data : (void *)"", NULL, &argv[4]);
  else napi_get_undefined(g_env, &argv[4]);
  napi_create_uint32(g_env, x->retries, &argv[5]);
  napi_create_uint32(g_env, x->rrq_retries, &argv[6]);
  free(x->last);
  free(x->data);
  free(x);
  stop_if_idle();
  call(g_done, 7, argv, NULL);
  napi_close_handle_scope(g_env, scope);
}

/* JavaScript's word on a packet that is neither DATA nor a 4-byte ACK. */
static double slow(dl *x, int phase, size_t len) {
  napi_handle_scope scope;
  napi_open_handle_scope(g_env, &scope);
  napi_value argv[5], r = NULL;
  napi_create_double(g_env, x->id, &argv[0]);
  napi_create_int32(g_env, phase, &argv[1]);
  napi_create_buffer_copy(g_env, len, g_buf, NULL, &argv[2]);
  napi_get_boolean(g_env, x->expected == 1 && x->bytes == 0, &argv[3]);
  napi_create_double(g_env, x->blksize, &argv[4]);
  double v = -1;
  call(g_slow, 5, argv, &r);
  if (r == NULL || napi_get_value_double(g_env, r, &v) != napi_ok) v = -1;
  napi_close_handle_scope(g_env, scope);
  return v;
}

static void add(dl *x, const uint8_t *p, size_t n) {
  x->bytes += (double)n;
  x->crc = crc32_z(x->crc, p, n);
  if (!x->keep || n == 0) return;
  if (x->datalen + n > x->datacap) {
    size_t cap = x->datacap ? x->datacap * 2 : 65536;
    while (cap < x->datalen + n) cap *= 2;
    x->data = realloc(x->data, cap);
    x->datacap = cap;
  }
  memcpy(x->data + x->datalen, p, n);
  x->datalen += n;
}

static void on_packet(dl *x, size_t len, const struct sockaddr_in *from) {
  int op = len >= 2 ? (g_buf[0] << 8) | g_buf[1] : -1;
  int fast = (op == OP_DATA && len >= 4) || (op == OP_ACK && len == 4);
  if (!fast && slow(x, 0, len) <= 0) return; /* malformed: dropped, the wait goes on */
  x->deadline = now_ms() + x->timeout_ms;
  int port = ntohs(from->sin_port);
  if (x->tid == -1) {
    x->tid = port;
    x->peer = *from;
  } else if (port != x->tid) {
    static const uint8_t e5[] = "\0\5\0\5unknown transfer id";
    send_to(x, e5, sizeof e5, from);
    return;
  }
  if (op == OP_DATA) {
    int block = (g_buf[2] << 8) | g_buf[3];
    if (block == (x->expected & 0xffff)) {
      add(x, g_buf + 4, len - 4);
      if ((double)(len - 4) < x->blksize) {
        uint8_t a[4] = {0, OP_ACK, g_buf[2], g_buf[3]};
        send_to(x, a, 4, &x->peer); /* the final ACK leaves before the socket closes */
        finish(x, ST_OK);
        return;
      }
      send_ack(x, block);
      x->expected++;
    } else if (block == ((x->expected - 1) & 0xffff)) {
      send_to(x, x->last, x->lastlen, &x->peer); /* our ACK was lost: repeat it */
    }
    return;
  }
  if (fast) return; /* an ACK: nothing to do in a download */
  double v = slow(x, 1, len);
  if (v > 0) {
    x->blksize = v;
    send_ack(x, 0);
  } else if (v == -2) {
    static const uint8_t e8[] = "\0\5\0\10bad blksize";
    send_new(x, e8, sizeof e8);
    finish(x, ST_JS);
  } else if (v < 0) {
    finish(x, ST_JS);
  }
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)h; (void)status; (void)events;
  struct epoll_event ev[BATCH];
  for (;;) {
    int n = epoll_wait(g_ep, ev, BATCH, 0);
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      dl *x = ev[i].data.ptr;
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t len = recvfrom(x->fd, g_buf, sizeof g_buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
      if (len >= 0) on_packet(x, (size_t)len, &from);
    }
    if (n < BATCH) return;
  }
}

static void on_timer(uv_timer_t *t) {
  (void)t;
  int64_t now = now_ms();
  for (dl *x = g_list, *nx; x; x = nx) {
    nx = x->next;
    if (x->deadline > now) continue;
    if (++x->tries > x->max_retries) {
      finish(x, ST_TIMEOUT);
      continue;
    }
    x->retries++;
    if (x->tid == -1) x->rrq_retries++;
    send_to(x, x->last, x->lastlen, &x->peer);
    x->deadline = now + x->timeout_ms;
  }
}

static napi_value throw_errno(napi_env env, const char *what) {
  char m[160];
  snprintf(m, sizeof m, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, m);
  return NULL;
}

static int addr_arg(napi_env env, napi_value v, struct in_addr *out) {
  char s[64];
  size_t n;
  if (napi_get_value_string_utf8(env, v, s, sizeof s, &n) != napi_ok) return 0;
  return inet_pton(AF_INET, s, out) == 1;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  dl *x = calloc(1, sizeof *x);
  double timeout;
  uint32_t port, retries;
  bool keep;
  void *req;
  size_t reqlen;
  napi_valuetype t;
  struct sockaddr_in local = {.sin_family = AF_INET};
  x->peer.sin_family = AF_INET;
  napi_get_value_double(env, argv[0], &x->id);
  napi_typeof(env, argv[1], &t);
  if ((t == napi_string && !addr_arg(env, argv[1], &local.sin_addr)) || !addr_arg(env, argv[2], &x->peer.sin_addr)) {
    free(x);
    napi_throw_error(env, NULL, "not an IPv4 address");
    return NULL;
  }
  napi_get_value_uint32(env, argv[3], &port);
  napi_get_buffer_info(env, argv[4], &req, &reqlen);
  napi_get_value_double(env, argv[5], &timeout);
  napi_get_value_uint32(env, argv[6], &retries);
  napi_get_value_bool(env, argv[7], &keep);
  x->peer.sin_port = htons((uint16_t)port);
  x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (x->fd < 0 || bind(x->fd, (struct sockaddr *)&local, sizeof local) < 0) {
    if (x->fd >= 0) close(x->fd);
    free(x);
    return throw_errno(env, "bind");
  }
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = x};
  epoll_ctl(g_ep, EPOLL_CTL_ADD, x->fd, &ev);
  x->tid = -1;
  x->timeout_ms = (int64_t)timeout;
  x->max_retries = retries;
  x->blksize = 512;
  x->expected = 1;
  x->keep = keep;
  x->crc = crc32_z(0L, Z_NULL, 0);
  x->next = g_list;
  if (g_list) g_list->prev = x;
  g_list = x;
  g_active++;
  if (!g_running) {
    uv_poll_start(&g_poll, UV_READABLE, on_readable);
    uv_timer_start(&g_timer, on_timer, SCAN_MS, SCAN_MS);
    g_running = 1;
  }
  send_new(x, req, reqlen);
  x->deadline = now_ms() + x->timeout_ms;
  return NULL;
}

static napi_value init_fn(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (g_ep >= 0) {
    napi_throw_error(env, NULL, "already initialised");
    return NULL;
  }
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  g_ep = epoll_create1(EPOLL_CLOEXEC);
  if (g_ep < 0) return throw_errno(env, "epoll_create1");
  g_env = env;
  napi_create_reference(env, argv[0], 1, &g_slow);
  napi_create_reference(env, argv[1], 1, &g_done);
  napi_create_string_utf8(env, "phonesim-tftp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &g_ctx);
  uv_poll_init(loop, &g_poll, g_ep);
  uv_timer_init(loop, &g_timer);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } fns[] = {{"init", init_fn}, {"start", start}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
