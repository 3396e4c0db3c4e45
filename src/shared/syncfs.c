/*
 * syncfs(2) for Node (sync-group.ts): flushes every dirty page and the metadata of the filesystem holding
 * `fd`, on a libuv worker thread, as a Promise. Node has fsync per file but no syncfs; one syncfs makes a
 * whole round of uploads durable at the cost of one journal commit. Since Linux 5.8 it reports writeback
 * errors seen on that filesystem since `fd` was opened (or since its last syncfs).
 *
 *   syncfs(fd: number): Promise<void>   rejects with an Error whose .code is the errno name ("EIO", ...)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  int err;
} job_t;

static void run(napi_env env, void *data) {
  (void)env;
  job_t *j = data;
  j->err = syncfs(j->fd) == 0 ? 0 : errno;
}

static const char *errno_name(int e) {
  switch (e) {
  case EIO: return "EIO";
  case EBADF: return "EBADF";
  case ENOSPC: return "ENOSPC";
  case EDQUOT: return "EDQUOT";
  case EROFS: return "EROFS";
  default: return "ESYNCFS";
  }
}

static void done(napi_env env, napi_status status, void *data) {
  job_t *j = data;
  napi_value result;
  if (status == napi_ok && j->err == 0) {
    napi_get_undefined(env, &result);
    napi_resolve_deferred(env, j->deferred, result);
  } else {
    int e = status == napi_ok ? j->err : ECANCELED;
    napi_value code, msg;
    napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, strerror(e), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &result);
    napi_reject_deferred(env, j->deferred, result);
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

static napi_value do_syncfs(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], promise, name;
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "syncfs(fd): fd must be a descriptor");
    return NULL;
  }
  job_t *j = calloc(1, sizeof *j);
  if (j == NULL) {
    napi_throw_error(env, NULL, "syncfs: out of memory");
    return NULL;
  }
  j->fd = fd;
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "syncfs", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, NULL, name, run, done, j, &j->work) != napi_ok ||
      napi_queue_async_work(env, j->work) != napi_ok) {
    free(j);
    napi_throw_error(env, NULL, "syncfs: cannot queue the work");
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  napi_create_function(env, "syncfs", NAPI_AUTO_LENGTH, do_syncfs, NULL, &fn);
  napi_set_named_property(env, exports, "syncfs", fn);
  return exports;
}
