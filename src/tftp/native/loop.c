/*
 * The engine thread: one epoll set for every transfer's sockets and the command eventfd; commands (start,
 * shutdown, close) come from the JavaScript thread through a mutex-guarded queue; every SCAN_MS the
 * transfers' timers are checked; finished transfers are closed and posted at the end of each iteration.
 */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Every SCAN_MS: transfers past their lifetime end, those past their retransmit deadline time out. */
void scan(engine *e, int64_t now) {
  for (xfer *x = e->list; x; x = x->nextx) {
    if (x->phase == PHASE_DONE) continue;
    if (now >= x->expires) end_by_server(e, x, "TFTP_LIFETIME", "transfer took too long");
    else if (now >= x->deadline) on_timeout(e, x, now);
  }
}

static void unlink_xfer(engine *e, xfer *x) {
  if (x->prev) x->prev->nextx = x->nextx; else e->list = x->nextx;
  if (x->nextx) x->nextx->prev = x->prev;
}

/* Close finished transfers and post their outcome (a walk of the list only when one finished). */
void sweep(engine *e) {
  if (e->finished == 0) return;
  e->finished = 0;
  for (xfer *x = e->list, *nx; x; x = nx) {
    nx = x->nextx;
    if (x->phase != PHASE_DONE) continue;
    unlink_xfer(e, x);
    done_item *d = malloc(sizeof *d);
    if (d) {
      d->id = x->id;
      d->result = x->result;
      memcpy(d->message, x->message, sizeof d->message);
      d->bytes = x->bytes;
    }
    free_xfer(x);
    if (d) post_done(e, d);
  }
}

void run_commands(engine *e, int64_t now, int *closing) {
  pthread_mutex_lock(&e->mu);
  cmd *c = e->head;
  e->head = e->tail = NULL;
  pthread_mutex_unlock(&e->mu);
  while (c) {
    cmd *nc = c->next;
    if (c->type == CMD_START) {
      xfer *x = c->x;
      x->nextx = e->list;
      if (e->list) e->list->prev = x;
      e->list = x;
      struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &x->ref_sock };
      struct epoll_event es = { .events = EPOLLIN, .data.ptr = &x->ref_stranger };
      x->expires = now + x->lifetime_ms;
      if (epoll_ctl(e->ep, EPOLL_CTL_ADD, x->sock, &ev) < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, x->stranger, &es) < 0) finish(e, x, "TFTP_IO", "epoll_ctl failed");
      else if (*closing) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      else begin(e, x, now);
    } else if (c->type == CMD_SHUTDOWN) {
      for (xfer *x = e->list; x; x = x->nextx) {
        if (x->id == c->id && x->phase != PHASE_DONE) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      }
    } else {
      *closing = 1;
      for (xfer *x = e->list; x; x = x->nextx) {
        if (x->phase != PHASE_DONE) end_by_server(e, x, "TFTP_SHUTDOWN", "server shutting down");
      }
    }
    free(c);
    c = nc;
  }
}

void *loop(void *arg) {
  engine *e = arg;
  struct epoll_event evs[256];
  uint8_t buf[2048];
  int closing = 0;
  int64_t next_scan = now_ms() + SCAN_MS;
  for (;;) {
    int timeout = -1;
    if (e->list) { int64_t d = next_scan - now_ms(); timeout = d < 0 ? 0 : (int)d; }
    int n = epoll_wait(e->ep, evs, 256, timeout);
    int64_t now = now_ms();
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr == NULL) {
        uint64_t v;
        (void)read(e->evfd, &v, sizeof v);
        run_commands(e, now, &closing);
        continue;
      }
      on_readable(e, evs[i].data.ptr, buf, sizeof buf, now);
    }
    if (now >= next_scan) {
      scan(e, now);
      next_scan = now + SCAN_MS;
    }
    sweep(e);
    if (closing && !e->list) break;
  }
  return NULL;
}

void push(engine *e, cmd *c) {
  pthread_mutex_lock(&e->mu);
  if (e->tail) e->tail->next = c; else e->head = c;
  e->tail = c;
  pthread_mutex_unlock(&e->mu);
  uint64_t one = 1;
  (void)write(e->evfd, &one, sizeof one);
}

/* The engine without its thread: epoll set and command queue (the thread is started by the caller). */
engine *engine_new(void) {
  engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  pthread_mutex_init(&e->mu, NULL);
  e->ep = epoll_create1(EPOLL_CLOEXEC);
  e->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  if (e->ep < 0 || e->evfd < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, e->evfd, &ev) < 0) {
    int err = errno;
    if (e->ep >= 0) close(e->ep);
    if (e->evfd >= 0) close(e->evfd);
    free(e);
    errno = err;
    return NULL;
  }
  return e;
}

