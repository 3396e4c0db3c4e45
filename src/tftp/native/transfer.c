/*
 * One transfer's send machine (the rules of machine/send.ts; see engine.c): OACK or the first window, ACKs
 * moving the window, retransmits with exponential backoff, ERRORs both ways, ERROR 5 to strangers.
 * finish() only decides the outcome; loop.c's sweep closes the transfer and posts it.
 */
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int64_t backoff(const xfer *x) {
  int64_t cap = x->max_ms > x->init_ms ? x->max_ms : x->init_ms;
  int64_t ms = x->init_ms;
  for (uint32_t i = 0; i < x->retries && ms < cap; i++) ms *= 2;
  return ms < cap ? ms : cap;
}

static void send_error(xfer *x, int code, const char *msg) {
  uint8_t b[256];
  size_t n = strlen(msg);
  if (n > sizeof b - 5) n = sizeof b - 5;
  b[0] = 0; b[1] = OP_ERROR; b[2] = (uint8_t)(code >> 8); b[3] = (uint8_t)code;
  memcpy(b + 4, msg, n);
  b[4 + n] = 0;
  (void)send(x->sock, b, n + 5, MSG_DONTWAIT);
}

/* The outcome is decided; sockets are closed and `done` posted when the loop iteration ends (sweep). */
void finish(engine *e, xfer *x, const char *result, const char *message) {
  if (x->phase == PHASE_DONE) return;
  x->phase = PHASE_DONE;
  e->finished++;
  x->result = result;
  snprintf(x->message, sizeof x->message, "%s", message);
  x->bytes = x->last != 0 && x->base > x->last ? (double)(x->last - 1) * x->blksize + x->lastlen : (double)(x->base - 1) * x->blksize;
}

static void flush(engine *e, xfer *x, unsigned n) {
  unsigned sent = 0;
  while (sent < n) {
    int r = sendmmsg(x->sock, e->msgs + sent, n - sent, MSG_DONTWAIT);
    if (r <= 0) { if (r < 0 && errno == EINTR) continue; break; } /* a full queue or an unreachable peer: the timer resends */
    sent += (unsigned)r;
  }
}

/* Send what the window allows from x->next, and arm the retransmit timer if anything went out. */
static void pump(engine *e, xfer *x, int64_t now) {
  unsigned n = 0;
  while (x->phase == PHASE_SENDING && x->next < x->base + x->ws && (x->last == 0 || x->next <= x->last)) {
    if (n > 0 && !in_buffer(x, x->next)) { flush(e, x, n); n = 0; } /* a refill would overwrite queued blocks */
    const uint8_t *p;
    uint32_t len;
    if (block_at(x, x->next, &p, &len) < 0) {
      char m[160];
      snprintf(m, sizeof m, "read failed: %s", strerror(errno));
      send_error(x, 0, m);
      finish(e, x, "TREE_IO", m);
      return;
    }
    uint8_t *h = e->hdr[n];
    h[0] = 0; h[1] = OP_DATA; h[2] = (uint8_t)((x->next >> 8) & 0xff); h[3] = (uint8_t)(x->next & 0xff);
    e->iov[2 * n] = (struct iovec){ h, 4 };
    e->iov[2 * n + 1] = (struct iovec){ (void *)p, len };
    memset(&e->msgs[n], 0, sizeof e->msgs[n]);
    e->msgs[n].msg_hdr.msg_iov = &e->iov[2 * n];
    e->msgs[n].msg_hdr.msg_iovlen = 2;
    count(e, C_BYTES_SENT, len);
    n++;
    x->next++;
  }
  if (n > 0) { flush(e, x, n); x->deadline = now + backoff(x); }
}

void begin(engine *e, xfer *x, int64_t now) {
  if (x->oacklen > 0) {
    (void)send(x->sock, x->oack, x->oacklen, MSG_DONTWAIT);
    x->deadline = now + backoff(x);
  } else {
    x->phase = PHASE_SENDING;
    pump(e, x, now);
  }
}

void on_timeout(engine *e, xfer *x, int64_t now) {
  x->retries++;
  if (x->retries > x->max_retries) {
    send_error(x, 0, "timed out");
    finish(e, x, "TFTP_TIMEOUT", "peer stopped answering");
    return;
  }
  count(e, C_RETRANSMITS, 1);
  if (x->phase == PHASE_OACK) {
    (void)send(x->sock, x->oack, x->oacklen, MSG_DONTWAIT);
    x->deadline = now + backoff(x);
    return;
  }
  x->next = x->base;
  pump(e, x, now);
  if (x->next == x->base) x->deadline = now + backoff(x);
}

static void on_packet(engine *e, xfer *x, const uint8_t *b, ssize_t n, int64_t now) {
  if (n < 2) { count(e, C_MALFORMED, 1); return; }
  unsigned op = ((unsigned)b[0] << 8) | b[1];
  if (op == OP_ACK) {
    if (n != 4) { count(e, C_MALFORMED, 1); return; }
    unsigned blk = ((unsigned)b[2] << 8) | b[3];
    if (x->phase == PHASE_OACK) {
      if (blk != 0) { count(e, C_UNEXPECTED, 1); return; }
      x->phase = PHASE_SENDING;
      x->retries = 0;
      pump(e, x, now);
      return;
    }
    int64_t k = -1;
    for (int64_t a = x->next - 1; a >= x->base; a--) if ((a & 0xffff) == blk) { k = a; break; }
    if (k < 0) { count(e, C_DUPLICATES, 1); return; }
    x->base = k + 1;
    x->next = k + 1;
    x->retries = 0;
    if (x->last != 0 && k == x->last) { finish(e, x, "ok", "transfer complete"); return; }
    pump(e, x, now);
  } else if (op == OP_ERROR) {
    if (n < 4) { count(e, C_MALFORMED, 1); return; }
    const uint8_t *nul = memchr(b + 4, 0, (size_t)n - 4);
    if (nul && nul != b + n - 1) { count(e, C_MALFORMED, 1); return; }
    char m[200];
    int len = (int)(nul ? nul - (b + 4) : n - 4);
    snprintf(m, sizeof m, "peer sent error %u: %.*s", ((unsigned)b[2] << 8) | b[3], len > 150 ? 150 : len, (const char *)(b + 4));
    finish(e, x, "TFTP_PEER_ERROR", m);
  } else if (op >= 1 && op <= 6) {
    count(e, C_UNEXPECTED, 1);
  } else {
    count(e, C_MALFORMED, 1);
  }
}

/* A datagram on the transfer's port from anyone but its peer: RFC 1350 wants ERROR 5 (never to an ERROR). */
static void on_stranger(engine *e, xfer *x) {
  uint8_t b[2048];
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  ssize_t n = recvfrom(x->stranger, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
  if (n < 0) return;
  count(e, C_WRONG_TID, 1);
  if (from.sin_port == 0 || n < 2) return;
  unsigned op = ((unsigned)b[0] << 8) | b[1];
  int wellformed = (op == OP_ACK && n == 4) || (op == OP_DATA && n >= 4) || ((op == 1 || op == 2 || op == 6) && b[n - 1] == 0);
  if (!wellformed) return;
  static const char msg[] = "\0\5\0\5unknown transfer ID";
  (void)sendto(x->stranger, msg, sizeof msg, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
}

/* Ended by the server: the peer gets ERROR 0 with the reason. */
void end_by_server(engine *e, xfer *x, const char *result, const char *message) {
  send_error(x, 0, message);
  finish(e, x, result, message);
}

/* A datagram is waiting on one of a transfer's sockets. */
void on_readable(engine *e, struct sockref *r, uint8_t *buf, size_t cap, int64_t now) {
  xfer *x = r->x;
  if (x->phase == PHASE_DONE) return;
  if (r->stranger) { on_stranger(e, x); return; }
  ssize_t len = recv(x->sock, buf, cap, MSG_DONTWAIT);
  if (len >= 0) on_packet(e, x, buf, len, now); /* errors: ICMP unreachable; the timer decides */
}

