/*
 * A transfer's resources: its two sockets (the TID), its OACK, and its file's bytes: block b of a descriptor
 * read ahead READ_AHEAD bytes at a time (one pread per refill), or of the bytes it was handed (a rendered file).
 */
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

void free_xfer(xfer *x) {
  if (x->sock >= 0) close(x->sock);
  if (x->stranger >= 0) close(x->stranger);
  free(x->mem);
  free(x->oack);
  free(x->buf);
  free(x);
}


/*
 * A transfer and its TID: a connected socket for the peer, and an unconnected one on the same port for
 * strangers. Takes mem and oack (malloc'd or NULL); NULL with errno and *what set on failure.
 */
xfer *new_xfer(const xfer_spec *sp, uint8_t *mem, size_t memlen, uint8_t *oack, size_t oacklen, uint16_t *port, const char **what) {
  *what = "out of memory";
  xfer *x = calloc(1, sizeof *x);
  if (!x) { free(mem); free(oack); errno = ENOMEM; return NULL; }
  x->sock = x->stranger = -1;
  x->mem = mem; x->memlen = memlen; x->oack = oack; x->oacklen = oacklen;
  x->id = sp->id; x->fd = mem ? -1 : sp->fd; x->start = sp->start; x->end = sp->end;
  x->blksize = sp->blksize; x->ws = sp->ws; x->init_ms = sp->init_ms; x->max_ms = sp->max_ms;
  x->max_retries = sp->max_retries; x->lifetime_ms = sp->lifetime_ms;
  x->phase = PHASE_OACK; /* begin() moves straight to sending when there is no OACK */
  x->base = x->next = 1;
  x->ref_sock = (struct sockref){ x, 0 };
  x->ref_stranger = (struct sockref){ x, 1 };
  if (x->fd >= 0) {
    size_t blocks = (READ_AHEAD + x->blksize - 1) / x->blksize;
    if (blocks < x->ws) blocks = x->ws;
    x->bufcap = blocks * x->blksize;
    x->buf = malloc(x->bufcap);
    if (!x->buf) { free_xfer(x); errno = ENOMEM; return NULL; }
  }
  int one = 1;
  struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr = sp->bind_addr, .sin_port = 0 };
  socklen_t ll = sizeof local;
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = sp->peer, .sin_port = htons(sp->peer_port) };
  x->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  x->stranger = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (x->sock < 0 || x->stranger < 0
      || setsockopt(x->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || setsockopt(x->stranger, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
      || bind(x->sock, (struct sockaddr *)&local, sizeof local) < 0
      || getsockname(x->sock, (struct sockaddr *)&local, &ll) < 0
      || bind(x->stranger, (struct sockaddr *)&local, sizeof local) < 0
      || connect(x->sock, (struct sockaddr *)&to, sizeof to) < 0) {
    int err = errno;
    free_xfer(x);
    *what = "transfer socket";
    errno = err;
    return NULL;
  }
  *port = ntohs(local.sin_port);
  return x;
}

int in_buffer(const xfer *x, int64_t b) {
  if (x->fd < 0) return 1;
  if (b < x->bstart) return 0;
  size_t off = (size_t)(b - x->bstart) * x->blksize;
  return off < x->bbytes || (x->beof && off == x->bbytes);
}

/* Block b's bytes (valid until the next refill); -1 with errno on a read error. */
int block_at(xfer *x, int64_t b, const uint8_t **p, uint32_t *len) {
  size_t rel = (size_t)(b - 1) * x->blksize;
  size_t avail;
  if (x->fd < 0) {
    avail = rel < x->memlen ? x->memlen - rel : 0;
    *p = avail > 0 ? x->mem + rel : (const uint8_t *)""; /* an empty file has no buffer at all (mem NULL) */
  } else {
    if (!in_buffer(x, b)) {
      size_t want = x->bufcap;
      int limited = 0;
      if (x->end >= 0) {
        int64_t remaining = x->end + 1 - (x->start + (int64_t)rel);
        if (remaining < 0) remaining = 0;
        if ((int64_t)want >= remaining) { want = (size_t)remaining; limited = 1; }
      }
      ssize_t n;
      do n = pread(x->fd, x->buf, want, x->start + (off_t)rel); while (n < 0 && errno == EINTR);
      if (n < 0) return -1;
      x->bstart = b;
      x->bbytes = (size_t)n;
      x->beof = limited || (size_t)n < want;
    }
    size_t off = (size_t)(b - x->bstart) * x->blksize;
    avail = x->bbytes - off;
    *p = x->buf + off;
  }
  *len = avail < x->blksize ? (uint32_t)avail : x->blksize;
  if (*len < x->blksize && x->last == 0) { x->last = b; x->lastlen = *len; }
  return 0;
}
