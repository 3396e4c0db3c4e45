/*
 * Tiny N-API addon: a UDP socket bound to one network interface (SO_BINDTODEVICE) before bind(), so the
 * kernel never delivers a datagram that arrived on another interface. Node's dgram has no such option
 * (nodejs/node#35769); the returned descriptor is handed to dgram with socket.bind({ fd }).
 *
 *   openUdpOnDevice(ifname: string, port: number, address: string): number   // fd, or throws with errno text
 *
 * Built on first use by native.ts with the C compiler and Node's own headers (no node-gyp, no download).
 */
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "openUdpOnDevice", NULL, open_udp_on_device, NULL, NULL, NULL, napi_default, NULL },
    { "boundDevice", NULL, bound_device, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
