/*
 * phonesim's address assignment: adds a phone's leased address to an interface as /32 with no prefix route, the
 * netlink request `ip addr add A/32 dev IF noprefixroute` sends, without starting a process per phone. A
 * simulator of a thousand phones has a large heap, and fork + exec of `ip` from it cost a boot storm seconds of
 * the simulator's CPU (page tables copied per phone).
 *
 *   add(ifname, address) -> 0, or the errno the kernel answered (EEXIST: the address is already there)
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void attr(struct nlmsghdr *n, int type, const void *data, int len) {
  struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
  a->rta_type = (unsigned short)type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, (size_t)len);
  n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int add_address(const char *ifname, struct in_addr addr) {
  unsigned idx = if_nametoindex(ifname);
  if (idx == 0) return errno;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return errno;
  struct {
    struct nlmsghdr n;
    struct ifaddrmsg i;
    char attrs[64];
  } req;
  memset(&req, 0, sizeof req);
  req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  req.n.nlmsg_type = RTM_NEWADDR;
  req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  req.n.nlmsg_seq = 1;
  req.i.ifa_family = AF_INET;
  req.i.ifa_prefixlen = 32;
  req.i.ifa_index = idx;
  uint32_t flags = IFA_F_NOPREFIXROUTE;
  attr(&req.n, IFA_LOCAL, &addr, 4);
  attr(&req.n, IFA_ADDRESS, &addr, 4);
  attr(&req.n, IFA_FLAGS, &flags, 4);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  int rc = 0;
  if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
    rc = errno;
  } else {
    char buf[512];
    ssize_t n;
    do n = recv(fd, buf, sizeof buf, 0); while (n < 0 && errno == EINTR);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (n < 0) rc = errno;
    else if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || h->nlmsg_type != NLMSG_ERROR) rc = EPROTO;
    else rc = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
  }
  close(fd);
  return rc;
}

static napi_value add(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  char ifname[IF_NAMESIZE + 1], a[64];
  size_t len;
  struct in_addr addr;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], a, sizeof a, &len) != napi_ok || inet_pton(AF_INET, a, &addr) != 1) {
    napi_throw_type_error(env, NULL, "add(ifname, IPv4 address)");
    return NULL;
  }
  napi_create_int32(env, add_address(ifname, addr), &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "add", NAPI_AUTO_LENGTH, add, NULL, &fn);
  napi_set_named_property(env, exports, "add", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
