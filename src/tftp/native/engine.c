/*
 * The TFTP download engine: the data phase of every accepted RRQ, in one native thread.
 *
 * Why native: a lock-step download is one ACK in and one DATA out per block, and in Node each of those
 * costs a libuv callback into JavaScript, a fresh Buffer and an rinfo object, the send path's argument
 * checks and a state-machine step; user space was a large share of the server's CPU (bench/results/tftp.md).
 * Here a block costs recv + send (sendmmsg for a whole window) and one pread per 4 KiB or per window.
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
 * This file is the N-API half; the engine itself is in the files engine.h lists. The fuzz harness
 * (bench/tftp-fuzz/harness.c) links those without this one and drives the same functions the thread runs.
 */
#include "engine.h"

#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void post_done(engine *e, done_item *d) {
  if (napi_call_threadsafe_function(e->binding, d, napi_tsfn_blocking) != napi_ok) free(d);
}

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
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_done, (napi_threadsafe_function *)&e->binding) != napi_ok) {
    close(e->ep); close(e->evfd); free(e);
    napi_throw_error(env, NULL, "cannot create the completion callback");
    return NULL;
  }
  napi_unref_threadsafe_function(env, e->binding); /* the service's own socket keeps the process alive */
  if (pthread_create(&e->thread, NULL, loop, e) != 0) {
    napi_release_threadsafe_function(e->binding, napi_tsfn_abort);
    close(e->ep); close(e->evfd); free(e);
    napi_throw_error(env, NULL, "cannot start the engine thread");
    return NULL;
  }
  pthread_setname_np(e->thread, "tftp-engine"); /* for top -H, perf and the storm's CPU by thread */
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
  napi_release_threadsafe_function(e->binding, napi_tsfn_release);
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
