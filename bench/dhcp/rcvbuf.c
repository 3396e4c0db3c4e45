/*
 * LD_PRELOAD for the benchmark's programs that set no receive buffer of their own (perfdhcp; kea-dhcp4's raw
 * socket): each UDP or packet socket gets $RCVBUF_BYTES (SO_RCVBUFFORCE, which root may set past
 * net.core.rmem_max). Without it they get net.core.rmem_default (208 KiB), and on kernel 6.18 both sysctls are
 * read-only outside the initial namespace: raising them would change the whole machine. Reports the size the
 * kernel granted on stderr, once per socket, so the run can prove it.
 *   gcc -shared -fPIC -O2 -o rcvbuf.so rcvbuf.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol) {
  static int (*real)(int, int, int);
  if (!real) real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
  int fd = real(domain, type, protocol);
  const char *want = getenv("RCVBUF_BYTES");
  if (fd >= 0 && want && ((domain == AF_INET && (type & 0xf) == SOCK_DGRAM) || domain == AF_PACKET)) {
    int size = atoi(want), got = 0;
    socklen_t len = sizeof got;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) perror("rcvbuf: SO_RCVBUFFORCE");
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
    fprintf(stderr, "RCVBUF %d\n", got);
  }
  return fd;
}
