/*
 * phonesim's SO_RCVLOWAT: how many bytes a TCP socket must hold before the kernel wakes its reader. Node has no
 * setsockopt, so the HTTP client (http-wire.ts) sets it through this addon on the socket's descriptor: a large
 * body is then read in few large reads instead of one per arriving segment or two. The bytes on the wire and
 * their timing are the kernel's as before; only when the reader wakes changes.
 *
 *   set(fd, bytes) -> 0, or the errno setsockopt answered
 */
#include <node_api.h>
#include <errno.h>
#include <sys/socket.h>

static napi_value set(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  int32_t fd, bytes;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &bytes) != napi_ok || fd < 0 || bytes < 1) {
    napi_throw_type_error(env, NULL, "set(fd, bytes >= 1)");
    return NULL;
  }
  int rc = setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes) < 0 ? errno : 0;
  napi_create_int32(env, rc, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "set", NAPI_AUTO_LENGTH, set, NULL, &fn);
  napi_set_named_property(env, exports, "set", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
