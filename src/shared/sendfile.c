/*
 * sendfile(2) for downloads over plain TCP (sendfile.ts; HTTP bodies, FTP data connections): the kernel copies
 * the file's pages to the socket, with no read into a buffer and no write from one. Node has no sendfile; in
 * JavaScript each chunk is a pread on libuv's pool plus a write, which made most of a service's CPU per byte.
 *
 * It runs on the JavaScript thread's own libuv loop: one uv_poll per download on a duplicate of the
 * connection's descriptor, waiting for it to be writable, then sendfile until the socket's buffer is full
 * (at most PUMP_MAX bytes per wake-up, so that downloads take turns). The duplicate keeps the socket open
 * while a download runs even if Node closes its own descriptor; the file's descriptor stays JavaScript's.
 *
 *   init(done)                                 done(id, errno, sent) once per download (errno 0: all sent)
 *   start(sockFd, fileFd, offset, length) → id the download begins at the next writable wake-up
 *   sent(id) → bytes sent so far (-1: no such download)
 *   cancel(id)                                 stops it without calling done (the caller settles itself)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define PUMP_MAX (4 * 1024 * 1024)
#define SHORT_FILE (-1) /* the file ended before `length` bytes: it changed under the download */

typedef struct job {
  uv_poll_t poll;
  double id;
  int sock;
  int file;
  off_t off;
  int64_t left;
  int64_t sent;
  struct job *prev, *next;
} job;

static napi_env g_env;
static napi_ref g_done;
static napi_async_context g_ctx;
static uv_loop_t *g_loop;
static job *g_list;
static double g_next_id = 1;

static void unlink_job(job *j) {
  if (j->prev) j->prev->next = j->next;
  else g_list = j->next;
  if (j->next) j->next->prev = j->prev;
  j->prev = j->next = NULL;
}

static void on_closed(uv_handle_t *h) {
  job *j = (job *)h;
  close(j->sock);
  free(j);
}

/* Stop watching, unlink, and free once libuv lets go of the handle. */
static void drop(job *j) {
  uv_poll_stop(&j->poll);
  unlink_job(j);
  uv_close((uv_handle_t *)&j->poll, on_closed);
}

static void finish(job *j, int err) {
  double id = j->id;
  int64_t sent = j->sent;
  drop(j);
  napi_handle_scope scope;
  napi_open_handle_scope(g_env, &scope);
  napi_value argv[3], f, recv;
  napi_create_double(g_env, id, &argv[0]);
  napi_create_int32(g_env, err, &argv[1]);
  napi_create_double(g_env, (double)sent, &argv[2]);
  napi_get_reference_value(g_env, g_done, &f);
  napi_get_global(g_env, &recv);
  if (napi_make_callback(g_env, g_ctx, recv, f, 3, argv, NULL) != napi_ok)
    fprintf(stderr, "sendfile: the done callback threw\n");
  napi_close_handle_scope(g_env, scope);
}

static void on_writable(uv_poll_t *h, int status, int events) {
  (void)events;
  job *j = (job *)h;
  if (status < 0) { /* libuv reports the socket's error (EPOLLERR) as UV_EBADF: ask the socket which */
    int e = 0;
    socklen_t l = sizeof e;
    getsockopt(j->sock, SOL_SOCKET, SO_ERROR, &e, &l);
    finish(j, e ? e : -status);
    return;
  }
  int64_t budget = PUMP_MAX;
  while (j->left > 0 && budget > 0) {
    size_t want = (size_t)(j->left < budget ? j->left : budget);
    ssize_t n = sendfile(j->sock, j->file, &j->off, want);
    if (n > 0) {
      j->left -= n;
      j->sent += n;
      budget -= n;
    } else if (n == 0) {
      finish(j, SHORT_FILE);
      return;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return; /* the poll stays armed: called again once the socket drains */
    } else if (errno != EINTR) {
      finish(j, errno);
      return;
    }
  }
  if (j->left == 0) finish(j, 0);
}

static job *find(double id) {
  for (job *j = g_list; j; j = j->next)
    if (j->id == id) return j;
  return NULL;
}

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s: errno %d", what, errno);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value init_fn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (g_loop) {
    napi_throw_error(env, NULL, "already initialised");
    return NULL;
  }
  napi_get_uv_event_loop(env, &g_loop);
  g_env = env;
  napi_create_reference(env, argv[0], 1, &g_done);
  napi_create_string_utf8(env, "appliance-sendfile", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &g_ctx);
  return NULL;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t sock, file;
  double off, len;
  if (!g_loop || argc < 4 || napi_get_value_int32(env, argv[0], &sock) != napi_ok
      || napi_get_value_int32(env, argv[1], &file) != napi_ok
      || napi_get_value_double(env, argv[2], &off) != napi_ok
      || napi_get_value_double(env, argv[3], &len) != napi_ok || sock < 0 || file < 0 || off < 0 || len < 1) {
    napi_throw_type_error(env, NULL, "start(sockFd, fileFd, offset, length): bad arguments or no init");
    return NULL;
  }
  job *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, "calloc");
  j->sock = fcntl(sock, F_DUPFD_CLOEXEC, 0);
  if (j->sock < 0) {
    free(j);
    return throw_errno(env, "dup");
  }
  int r = uv_poll_init(g_loop, &j->poll, j->sock);
  if (r == 0) r = uv_poll_start(&j->poll, UV_WRITABLE, on_writable);
  if (r != 0) {
    close(j->sock);
    free(j);
    errno = -r;
    return throw_errno(env, "uv_poll");
  }
  j->file = file;
  j->off = (off_t)off;
  j->left = (int64_t)len;
  j->id = g_next_id++;
  j->next = g_list;
  if (g_list) g_list->prev = j;
  g_list = j;
  napi_create_double(env, j->id, &out);
  return out;
}

static double id_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double id = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 1) napi_get_value_double(env, argv[0], &id);
  return id;
}

static napi_value sent_fn(napi_env env, napi_callback_info info) {
  job *j = find(id_arg(env, info));
  napi_value out;
  napi_create_double(env, j ? (double)j->sent : -1, &out);
  return out;
}

static napi_value cancel_fn(napi_env env, napi_callback_info info) {
  job *j = find(id_arg(env, info));
  if (j) drop(j);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
      {"init", init_fn}, {"start", start}, {"sent", sent_fn}, {"cancel", cancel_fn}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
