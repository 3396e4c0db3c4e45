/*
 * The host clock for the SNTP server: CLOCK_REALTIME to the nanosecond (Date.now() has only milliseconds) and
 * the kernel's synchronisation state from ntp_adjtime with modes = 0 (read-only: never changes the clock,
 * needs no privilege). Loaded through src/shared/native-addon.ts.
 */
#include <node_api.h>
#include <sys/timex.h>
#include <time.h>

static napi_value now_ns(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  napi_value out;
  napi_create_bigint_int64(env, (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec, &out);
  return out;
}

static void set_num(napi_env env, napi_value obj, const char *name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

static napi_value sync_state(napi_env env, napi_callback_info info) {
  (void)info;
  struct timex tx = {0};
  tx.modes = 0;
  int state = ntp_adjtime(&tx);
  napi_value obj;
  napi_create_object(env, &obj);
  set_num(env, obj, "state", state);
  set_num(env, obj, "status", tx.status);
  set_num(env, obj, "maxErrorUs", (double)tx.maxerror);
  set_num(env, obj, "estErrorUs", (double)tx.esterror);
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value f;
  napi_create_function(env, "nowNs", NAPI_AUTO_LENGTH, now_ns, NULL, &f);
  napi_set_named_property(env, exports, "nowNs", f);
  napi_create_function(env, "syncState", NAPI_AUTO_LENGTH, sync_state, NULL, &f);
  napi_set_named_property(env, exports, "syncState", f);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
