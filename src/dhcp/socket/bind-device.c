/*
 * The DHCP socket addon: a UDP socket bound to one network interface (SO_BINDTODEVICE) before bind(), so the
 * kernel never delivers a datagram that arrived on another interface (Node's dgram has no such option,
 * nodejs/node#35769), and the batched reads and writes the DHCP service does on it (below).
 *
 *   openUdpOnDevice(ifname: string, port: number, address: string): number   // fd, or throws with errno text
 *
 * Built on first use by native.ts with the C compiler and Node's own headers (no node-gyp, no download).
 */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static napi_value fail(napi_env env, const char *what, int e) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
  napi_throw_error(env, "DHCP_BIND_DEVICE", msg);
  return NULL;
}

static napi_value open_udp_on_device(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) {
    napi_throw_type_error(env, NULL, "openUdpOnDevice(ifname, port, address)");
    return NULL;
  }
  char ifname[IFNAMSIZ + 1];
  size_t iflen = 0;
  if (napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &iflen) != napi_ok || iflen == 0 || iflen >= IFNAMSIZ) {
    napi_throw_type_error(env, NULL, "interface name must be 1-15 characters");
    return NULL;
  }
  int32_t port = 0;
  if (napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "port must be 0-65535");
    return NULL;
  }
  char addr[64];
  size_t alen = 0;
  if (napi_get_value_string_utf8(env, argv[2], addr, sizeof addr, &alen) != napi_ok) {
    napi_throw_type_error(env, NULL, "address must be a string");
    return NULL;
  }
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, alen ? addr : "0.0.0.0", &sin.sin_addr) != 1) {
    napi_throw_type_error(env, NULL, "address must be dotted IPv4");
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(env, "socket", errno);
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)iflen) != 0) { int e = errno; close(fd); return fail(env, "SO_BINDTODEVICE", e); }
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) { int e = errno; close(fd); return fail(env, "SO_REUSEADDR", e); }
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0) { int e = errno; close(fd); return fail(env, "SO_BROADCAST", e); }
  if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) { int e = errno; close(fd); return fail(env, "bind", e); }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/* The device a socket is bound to ("" if none): lets the test prove the option is really set. */
static napi_value bound_device(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "boundDevice(fd)");
    return NULL;
  }
  char name[IFNAMSIZ + 1];
  socklen_t len = sizeof name;
  memset(name, 0, sizeof name);
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, &len) != 0) return fail(env, "getsockopt SO_BINDTODEVICE", errno);
  napi_value out;
  napi_create_string_utf8(env, name, strnlen(name, IFNAMSIZ), &out);
  return out;
}

/*
 * The batched socket: the descriptor watched on Node's own event loop (uv_poll), read with recvmmsg and written
 * with sendmmsg, so a burst of datagrams costs one wake-up, one call into JavaScript and one system call each
 * way instead of one of each per datagram. JavaScript owns the memory (typed arrays handed over at open):
 *   receive: `slots` slots of `slot` bytes; meta[i] = datagram i's length (cut to `slot`: what follows an
 *            option field that long is not DHCP), after onEvent(n) for n > 0
 *   send:    datagrams packed in the send buffer; meta[5i..5i+4] = offset, length, IPv4 (host order), port,
 *            and after sendBatch the result (0 or errno)
 *   openBatch(fd, recv, recvMeta, slot, send, sendMeta, onEvent) → handle; onEvent(n): n > 0 datagrams
 *            received, 0 writable (after wantWritable), -errno an error of the descriptor
 *   sendBatch(handle, count) → how many were handled (sent, or failed with their errno); fewer than count
 *            when the socket buffer is full (EAGAIN): send the rest once writable
 *   wantWritable(handle, on); closeBatch(handle): stops watching and closes the descriptor.
 */
#define MAX_SLOTS 64
#define MAX_SEND 64

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int fd;
  int events;
  int closed;
  int holders; /* the JavaScript handle and the uv handle: freed when both are gone */
  napi_ref on_event, resource, arrays[4];
  napi_async_context ctx;
  uint8_t *rbuf, *sbuf;
  uint32_t *rmeta, *smeta;
  size_t slot, slots, sbuf_len;
  struct mmsghdr rmsgs[MAX_SLOTS], smsgs[MAX_SEND];
  struct iovec riov[MAX_SLOTS], siov[MAX_SEND];
  struct sockaddr_in raddr[MAX_SLOTS], saddr[MAX_SEND];
} batch_t;

static void on_finalize(napi_env env, void *data, void *hint);

static void emit(batch_t *b, int32_t n) {
  napi_env env = b->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, arg;
  if (napi_get_reference_value(env, b->on_event, &fn) == napi_ok &&
      napi_get_reference_value(env, b->resource, &recv) == napi_ok &&
      napi_create_int32(env, n, &arg) == napi_ok) {
    /* make_callback: process.nextTick and promise jobs run once the batch is handled, as after any I/O. */
    if (napi_make_callback(env, b->ctx, recv, fn, 1, &arg, NULL) == napi_pending_exception) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  batch_t *b = h->data;
  if (status < 0) { emit(b, status); return; }
  if (events & UV_READABLE) {
    /* At most a few batches per wake-up, so sends and timers are not starved by a flood. */
    for (int round = 0; round < 4 && !b->closed; round++) {
      for (size_t i = 0; i < b->slots; i++) {
        b->rmsgs[i].msg_hdr.msg_namelen = sizeof b->raddr[i];
        b->rmsgs[i].msg_hdr.msg_flags = 0;
      }
      int n = recvmmsg(b->fd, b->rmsgs, (unsigned)b->slots, MSG_DONTWAIT, NULL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) emit(b, -errno);
        break;
      }
      for (int i = 0; i < n; i++) b->rmeta[i] = b->rmsgs[i].msg_len;
      emit(b, n);
      if ((size_t)n < b->slots) break;
    }
  }
  if ((events & UV_WRITABLE) && !b->closed) emit(b, 0);
}

static napi_value usage(napi_env env, const char *text) {
  napi_throw_type_error(env, NULL, text);
  return NULL;
}

/* The open batch socket a call names in its first argument (argv gets all n), or NULL with an exception. */
static batch_t *batch_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, const char *text) {
  size_t argc = n;
  void *p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n ||
      napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    usage(env, text);
    return NULL;
  }
  batch_t *b = p;
  if (b->closed) { napi_throw_error(env, "DHCP_SOCKET", "socket closed"); return NULL; }
  return b;
}

static int typed_bytes(napi_env env, napi_value v, void **data, size_t *bytes) {
  napi_typedarray_type t;
  size_t len, off;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &t, &len, data, &ab, &off) != napi_ok) return 0;
  *bytes = len * (t == napi_uint32_array ? 4 : 1);
  return t == napi_uint8_array || t == napi_uint32_array;
}

static napi_value open_batch(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], res;
  int32_t fd = -1;
  uint32_t slot = 0;
  void *rbuf, *rmeta, *sbuf, *smeta;
  size_t rbytes, rmbytes, sbytes, smbytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 7 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_uint32(env, argv[3], &slot) != napi_ok ||
      !typed_bytes(env, argv[1], &rbuf, &rbytes) || !typed_bytes(env, argv[2], &rmeta, &rmbytes) ||
      !typed_bytes(env, argv[4], &sbuf, &sbytes) || !typed_bytes(env, argv[5], &smeta, &smbytes) || slot == 0) {
    return usage(env, "openBatch(fd, recv, recvMeta, slot, send, sendMeta, onEvent)");
  }
  size_t slots = rbytes / slot;
  if (slots == 0 || slots > MAX_SLOTS || rmbytes < slots * 4 || smbytes < MAX_SEND * 20) {
    napi_throw_range_error(env, NULL, "batch buffers too small or too many slots");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) { napi_throw_error(env, NULL, "no event loop"); return NULL; }
  batch_t *b = calloc(1, sizeof *b);
  if (!b) return fail(env, "calloc", ENOMEM);
  int size = 4 * 1024 * 1024; /* as dgram's setRecvBufferSize/setSendBufferSize; the kernel caps it */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  b->env = env;
  b->fd = fd;
  b->rbuf = rbuf; b->rmeta = rmeta; b->sbuf = sbuf; b->smeta = smeta;
  b->slot = slot; b->slots = slots; b->sbuf_len = sbytes;
  for (size_t i = 0; i < slots; i++) {
    b->riov[i].iov_base = b->rbuf + i * slot;
    b->riov[i].iov_len = slot;
    b->rmsgs[i].msg_hdr.msg_iov = &b->riov[i];
    b->rmsgs[i].msg_hdr.msg_iovlen = 1;
    b->rmsgs[i].msg_hdr.msg_name = &b->raddr[i];
  }
  for (size_t i = 0; i < MAX_SEND; i++) {
    b->smsgs[i].msg_hdr.msg_iov = &b->siov[i];
    b->smsgs[i].msg_hdr.msg_iovlen = 1;
    b->smsgs[i].msg_hdr.msg_name = &b->saddr[i];
    b->smsgs[i].msg_hdr.msg_namelen = sizeof b->saddr[i];
  }
  napi_value name;
  napi_create_object(env, &res);
  napi_create_string_utf8(env, "dhcp-socket", NAPI_AUTO_LENGTH, &name);
  if (napi_async_init(env, res, name, &b->ctx) != napi_ok || uv_poll_init(loop, &b->poll, fd) != 0) {
    free(b);
    napi_throw_error(env, "DHCP_SOCKET", "cannot watch the socket");
    return NULL;
  }
  napi_create_reference(env, argv[6], 1, &b->on_event);
  napi_create_reference(env, res, 1, &b->resource);
  for (int i = 0; i < 4; i++) napi_create_reference(env, argv[i < 2 ? i + 1 : i + 2], 1, &b->arrays[i]);
  b->poll.data = b;
  b->events = UV_READABLE;
  uv_poll_start(&b->poll, b->events, on_poll);
  napi_value out;
  b->holders = 2;
  napi_create_external(env, b, on_finalize, NULL, &out);
  return out;
}

static napi_value send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  uint32_t count = 0;
  batch_t *b = batch_args(env, info, 2, argv, "sendBatch(handle, count)");
  if (!b) return NULL;
  if (napi_get_value_uint32(env, argv[1], &count) != napi_ok) return usage(env, "sendBatch(handle, count)");
  if (count > MAX_SEND) count = MAX_SEND;
  uint32_t *m = b->smeta;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t off = m[5 * i], len = m[5 * i + 1];
    if ((size_t)off + len > b->sbuf_len) len = 0; /* never read outside the buffer */
    b->siov[i].iov_base = b->sbuf + off;
    b->siov[i].iov_len = len;
    memset(&b->saddr[i], 0, sizeof b->saddr[i]);
    b->saddr[i].sin_family = AF_INET;
    b->saddr[i].sin_addr.s_addr = htonl(m[5 * i + 2]);
    b->saddr[i].sin_port = htons((uint16_t)m[5 * i + 3]);
  }
  uint32_t i = 0;
  while (i < count) {
    int r = sendmmsg(b->fd, &b->smsgs[i], count - i, 0);
    if (r > 0) {
      for (int k = 0; k < r; k++) m[5 * (i + k) + 4] = 0;
      i += (uint32_t)r;
      continue;
    }
    int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN || e == EWOULDBLOCK) break;
    m[5 * i + 4] = (uint32_t)e; /* this datagram failed (unreachable, too long …): the others still go */
    i++;
  }
  napi_create_uint32(env, i, &out);
  return out;
}

static napi_value want_writable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  bool on = false;
  batch_t *b = batch_args(env, info, 2, argv, "wantWritable(handle, on)");
  if (!b) return NULL;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok) return usage(env, "wantWritable(handle, on)");
  int ev = on ? (UV_READABLE | UV_WRITABLE) : UV_READABLE;
  if (ev != b->events) { b->events = ev; uv_poll_start(&b->poll, ev, on_poll); }
  return NULL;
}

static void release(batch_t *b) {
  if (--b->holders == 0) free(b);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release(data);
}

static void on_closed(uv_handle_t *h) {
  batch_t *b = h->data;
  napi_env env = b->env;
  close(b->fd);
  napi_delete_reference(env, b->on_event);
  napi_delete_reference(env, b->resource);
  for (int i = 0; i < 4; i++) napi_delete_reference(env, b->arrays[i]);
  napi_async_destroy(env, b->ctx);
  release(b);
}

static napi_value close_batch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  batch_t *b = batch_args(env, info, 1, argv, "closeBatch(handle)");
  if (!b) return NULL;
  b->closed = 1;
  uv_poll_stop(&b->poll);
  uv_close((uv_handle_t *)&b->poll, on_closed);
  return NULL;
}

#define METHOD(name, fn) { name, NULL, fn, NULL, NULL, NULL, napi_default, NULL }

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    METHOD("openUdpOnDevice", open_udp_on_device), METHOD("boundDevice", bound_device),
    METHOD("openBatch", open_batch),               METHOD("sendBatch", send_batch),
    METHOD("wantWritable", want_writable),         METHOD("closeBatch", close_batch),
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
