// sockscope-netlink: SockScope's optional Linux helper.
//
// It answers "which sockets does process P hold, in which state" the way ss(8) does, through the
// kernel's sock_diag netlink interface, instead of having the kernel format /proc/<pid>/net/tcp as
// text 4 KB at a time; it maps the process's descriptors to socket inodes with readlink on two
// threads; and it remembers the previous answer per process so that a steady process costs one
// netlink dump and one stat() per sample. The TypeScript side (netlinkHelper.ts) spawns it once,
// writes one request per line on stdin and reads the answer from stdout; when the helper is missing
// or fails, SockScope reads /proc as before.
//
// Request:   <pid> <full|delta> <rescanEvery>\n
//   full        forget what was sent before for this pid and send everything
//   delta       send only what changed since the last answer for this pid
//   rescanEvery re-read every fd link at least every N requests for this pid (0: never forced)
//
// Answer (text lines; socket rows print exactly as /proc/net/{tcp,tcp6,udp,udp6} lines, with the
// fd in place of the slot number, so one parser reads both):
//   begin <pid>
//   error <ERRNO|NETNS|NETLINK> <detail>     (then end; the client falls back to /proc)
//   fds <open fds> rescanned <duplicates>    (the fd links were read again), or
//   fds - kept                               (the fd map is the one sent before)
//   f <fd> <inode>                           (after a rescan: socket fds that are not TCP/UDP,
//                                             e.g. UNIX; the client looks them up in net/unix)
//   reset                                    (the client drops its rows before applying these)
//   tcp|tcp6|udp|udp6 <a /proc/net line>     (rows that are new or changed)
//   gone <inode>                             (rows that are no longer there)
//   end
//
// Built by scripts/build.mjs with the system C compiler when there is one: cc -O2 -pthread.

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif

enum { T_TCP, T_TCP6, T_UDP, T_UDP6 };
static const char *const TABLE_NAMES[] = {"tcp", "tcp6", "udp", "udp6"};
#define TCP_TIME_WAIT 6
#define TCP_NEW_SYN_RECV 12
#define TCP_LISTEN 10

// ---- growable arrays and an inode hash (open addressing, inode 0 is "empty") -------------------

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    fputs("sockscope-netlink: out of memory\n", stderr);
    exit(3);
  }
  return q;
}

typedef struct {
  uint32_t *keys;
  int32_t *vals;
  size_t cap, len;
} imap;

static size_t ihash(uint32_t k, size_t cap) { return (size_t)(k * 2654435761u) & (cap - 1); }

static void imap_clear(imap *m) {
  if (m->keys) memset(m->keys, 0, m->cap * sizeof *m->keys);
  m->len = 0;
}

static void imap_free(imap *m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

static int32_t *imap_slot(imap *m, uint32_t k, int create);

static void imap_grow(imap *m) {
  imap old = *m;
  m->cap = old.cap ? old.cap * 2 : 1024;
  m->keys = calloc(m->cap, sizeof *m->keys);
  m->vals = xrealloc(NULL, m->cap * sizeof *m->vals);
  if (!m->keys) exit(3);
  m->len = 0;
  for (size_t i = 0; i < old.cap; i++)
    if (old.keys[i]) *imap_slot(m, old.keys[i], 1) = old.vals[i];
  free(old.keys);
  free(old.vals);
}

// The value slot of key k; NULL when absent and !create.
static int32_t *imap_slot(imap *m, uint32_t k, int create) {
  if (create && (m->len + 1) * 2 > m->cap) imap_grow(m);
  if (!m->cap) return NULL;
  for (size_t i = ihash(k, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == k) return &m->vals[i];
    if (!m->keys[i]) {
      if (!create) return NULL;
      m->keys[i] = k;
      m->len++;
      return &m->vals[i];
    }
  }
}

// ---- one socket row, as much of inet_diag_msg as /proc prints ----------------------------------

typedef struct {
  int32_t fd;  // the lowest fd of the process that holds the socket (-1 while not known to be its)
  uint32_t inode, uid, rqueue, wqueue, expires, retrans;
  uint32_t src[4], dst[4];
  uint16_t sport, dport;
  uint8_t table, state, timer;
} row;

typedef struct {
  row *v;
  size_t len, cap;
} rows;

static void rows_push(rows *r, const row *x) {
  if (r->len == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 1024;
    r->v = xrealloc(r->v, r->cap * sizeof *r->v);
  }
  r->v[r->len++] = *x;
}

// A timer's countdown (expires) alone is no change: with keepalive on, every connection's timer
// ticks, and resending each of them every sample would make a steady process look busy. The
// countdown shown is the one of the row's last change.
static int row_equal(const row *a, const row *b) {
  return a->fd == b->fd && a->table == b->table && a->state == b->state && a->timer == b->timer && a->uid == b->uid &&
         a->rqueue == b->rqueue && a->wqueue == b->wqueue && a->retrans == b->retrans &&
         a->sport == b->sport && a->dport == b->dport && !memcmp(a->src, b->src, sizeof a->src) &&
         !memcmp(a->dst, b->dst, sizeof a->dst);
}

// A row as the kernel prints it in /proc/net/{tcp,udp}[6], up to the inode, with the fd in place of
// the slot number. Addresses are the raw 32-bit words in host order, ports in host order, the
// timer's expiry in clock ticks (USER_HZ, 100 per second). Formatted by hand: printf is most of the
// cost of a 10,000-row answer.
static char *hex(char *p, uint32_t v, int digits) {
  static const char digit[] = "0123456789ABCDEF";
  for (int i = digits - 1; i >= 0; i--) p[i] = digit[v & 15], v >>= 4;
  return p + digits;
}

static char *dec(char *p, uint32_t v, int width) {
  char tmp[10];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10), v /= 10;
  while (v);
  for (; width > n; width--) *p++ = ' ';
  while (n) *p++ = tmp[--n];
  return p;
}

static void print_row(FILE *out, const row *r) {
  char line[256], *p = line;
  const int words = r->table == T_TCP6 || r->table == T_UDP6 ? 4 : 1;
  for (const char *t = TABLE_NAMES[r->table]; *t; t++) *p++ = *t;
  *p++ = ' ';
  p = dec(p, (uint32_t)r->fd, 4);
  *p++ = ':';
  *p++ = ' ';
  for (int i = 0; i < words; i++) p = hex(p, r->src[i], 8);
  *p++ = ':';
  p = hex(p, r->sport, 4);
  *p++ = ' ';
  for (int i = 0; i < words; i++) p = hex(p, r->dst[i], 8);
  *p++ = ':';
  p = hex(p, r->dport, 4);
  *p++ = ' ';
  p = hex(p, r->state, 2);
  *p++ = ' ';
  p = hex(p, r->wqueue, 8);
  *p++ = ':';
  p = hex(p, r->rqueue, 8);
  *p++ = ' ';
  p = hex(p, r->timer, 2);
  *p++ = ':';
  p = hex(p, r->expires / 10, 8);
  *p++ = ' ';
  p = hex(p, r->retrans, 8);
  *p++ = ' ';
  p = dec(p, r->uid, 5);
  p = dec(p, 0, 9);
  *p++ = ' ';
  p = dec(p, r->inode, 0);
  *p++ = '\n';
  fwrite(line, 1, (size_t)(p - line), out);
}

// ---- netlink dumps ---------------------------------------------------------------------------

static char recvbuf[1 << 16] __attribute__((aligned(8)));

// Sends one dump request (the header, then `body`) and appends every socket with an inode to
// `out`. 0, or an errno.
static int dump(int nl, uint16_t type, const void *body, size_t len, int protocol, rows *out) {
  struct nlmsghdr nh = {.nlmsg_len = NLMSG_LENGTH(len), .nlmsg_type = type, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP};
  struct iovec iov[2] = {{&nh, sizeof nh}, {(void *)body, len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  if (sendmsg(nl, &msg, 0) < 0) return errno;
  for (;;) {
    ssize_t len = recv(nl, recvbuf, sizeof recvbuf, 0);
    if (len < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (len == 0) return EPIPE;
    for (struct nlmsghdr *h = (struct nlmsghdr *)recvbuf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        return e->error ? -e->error : EPROTO;
      }
      const struct inet_diag_msg *m = NLMSG_DATA(h);
      if (!m->idiag_inode) continue;
      row r;
      memset(&r, 0, sizeof r);
      const int v6 = m->idiag_family == AF_INET6;
      r.table = protocol == IPPROTO_TCP ? (v6 ? T_TCP6 : T_TCP) : (v6 ? T_UDP6 : T_UDP);
      r.inode = m->idiag_inode;
      r.uid = m->idiag_uid;
      r.state = m->idiag_state;
      r.timer = m->idiag_timer;
      r.retrans = m->idiag_retrans;
      r.expires = m->idiag_timer ? m->idiag_expires : 0;
      r.rqueue = m->idiag_rqueue;
      // For a listener sock_diag reports the backlog limit here; /proc/net/tcp reports 0.
      r.wqueue = protocol == IPPROTO_TCP && m->idiag_state == TCP_LISTEN ? 0 : m->idiag_wqueue;
      r.sport = ntohs(m->id.idiag_sport);
      r.dport = ntohs(m->id.idiag_dport);
      memcpy(r.src, m->id.idiag_src, v6 ? 16 : 4);
      memcpy(r.dst, m->id.idiag_dst, v6 ? 16 : 4);
      rows_push(out, &r);
    }
  }
}

// TCP of both families in one pass over the hash tables (the compat request dumps AF_UNSPEC),
// leaving out TIME_WAIT and SYN_RECV minisockets, which no descriptor holds; then UDP per family.
static int dump_all(rows *out) {
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (nl < 0) return errno;
  const struct inet_diag_req tcp = {.idiag_family = AF_INET, .idiag_states = ~((1u << TCP_TIME_WAIT) | (1u << TCP_NEW_SYN_RECV))};
  int err = dump(nl, TCPDIAG_GETSOCK, &tcp, sizeof tcp, IPPROTO_TCP, out);
  for (int f = 0; !err && f < 2; f++) {
    const struct inet_diag_req_v2 udp = {.sdiag_family = f ? AF_INET6 : AF_INET, .sdiag_protocol = IPPROTO_UDP, .idiag_states = ~0u};
    err = dump(nl, SOCK_DIAG_BY_FAMILY, &udp, sizeof udp, IPPROTO_UDP, out);
  }
  close(nl);
  return err;
}

// ---- fd links --------------------------------------------------------------------------------

// The fds of a process and, after read_links, the socket inode each holds (0: not a socket, or
// closed meanwhile). Two threads read the links: procfs readlink scales with cores.
typedef struct {
  int dirfd;
  int *fds;
  uint32_t *inodes;
  size_t n, cap;
} fd_scan;

typedef struct {
  fd_scan *scan;
  size_t from, to;
  int err;
} link_job;

static void *read_links(void *arg) {
  link_job *j = arg;
  char name[16], target[64];
  for (size_t i = j->from; i < j->to; i++) {
    snprintf(name, sizeof name, "%d", j->scan->fds[i]);
    ssize_t n = readlinkat(j->scan->dirfd, name, target, sizeof target - 1);
    j->scan->inodes[i] = 0;
    if (n < 0) {
      if (errno != ENOENT && errno != ESRCH) j->err = errno;
      continue;
    }
    target[n] = 0;
    if (n > 9 && !memcmp(target, "socket:[", 8)) j->scan->inodes[i] = (uint32_t)strtoul(target + 8, NULL, 10);
  }
  return NULL;
}

// Lists /proc/<pid>/fd into `scan` (its dirfd stays open for read_links). 0, or an errno.
static int list_fds(const char *dir, fd_scan *scan) {
  scan->n = 0;
  scan->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan->dirfd < 0) return errno;
  DIR *d = fdopendir(dup(scan->dirfd));
  if (!d) return errno;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    if (scan->n == scan->cap) {
      scan->cap = scan->cap ? scan->cap * 2 : 4096;
      scan->fds = xrealloc(scan->fds, scan->cap * sizeof *scan->fds);
      scan->inodes = xrealloc(scan->inodes, scan->cap * sizeof *scan->inodes);
    }
    scan->fds[scan->n++] = atoi(e->d_name);
  }
  closedir(d);
  return 0;
}

static int read_all_links(fd_scan *scan) {
  link_job jobs[2] = {{scan, 0, scan->n / 2, 0}, {scan, scan->n / 2, scan->n, 0}};
  pthread_t other;
  int threaded = scan->n >= 1024 && pthread_create(&other, NULL, read_links, &jobs[1]) == 0;
  read_links(&jobs[0]);
  if (threaded) pthread_join(other, NULL);
  else read_links(&jobs[1]);
  return jobs[0].err ? jobs[0].err : jobs[1].err;
}

typedef struct {
  rows *out;
  int err;
} dump_job;

static void *dump_thread(void *arg) {
  dump_job *j = arg;
  j->err = dump_all(j->out);
  return NULL;
}

// ---- per-process state -----------------------------------------------------------------------

typedef struct {
  int pid;
  unsigned long long start;  // start time from /proc/<pid>/stat: tells a reused pid
  unsigned long uses;        // for least-recently-used eviction
  long fd_count;
  unsigned since_rescan;
  imap fd_of;     // socket inode -> lowest fd
  imap sent;      // inode -> index into `last` of the row last sent
  rows last;      // the rows last sent
  imap seen;      // every inode of the previous dump (any process's): tells a new socket
  int fresh;      // nothing sent yet
} session;

#define MAX_SESSIONS 8
static session sessions[MAX_SESSIONS];
static unsigned long clock_uses;

static void session_reset(session *s, int pid, unsigned long long start) {
  imap_free(&s->fd_of);
  imap_free(&s->sent);
  imap_free(&s->seen);
  free(s->last.v);
  memset(s, 0, sizeof *s);
  s->pid = pid;
  s->start = start;
  s->fresh = 1;
}

static session *session_for(int pid, unsigned long long start) {
  session *lru = &sessions[0];
  for (int i = 0; i < MAX_SESSIONS; i++) {
    if (sessions[i].pid == pid) {
      if (sessions[i].start != start) session_reset(&sessions[i], pid, start);
      sessions[i].uses = ++clock_uses;
      return &sessions[i];
    }
    if (sessions[i].uses < lru->uses) lru = &sessions[i];
  }
  session_reset(lru, pid, start);
  lru->uses = ++clock_uses;
  return lru;
}

static const char *errno_name(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    default: return "EIO";
  }
}

// Start time (field 22) of /proc/<pid>/stat; 0 on failure with errno set.
static unsigned long long start_time(int pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int saved = errno;
  close(fd);
  if (n <= 0) {
    errno = n < 0 ? saved : ESRCH;
    return 0;
  }
  buf[n] = 0;
  char *p = strrchr(buf, ')');  // the command name may hold spaces and parentheses
  if (!p) {
    errno = EINVAL;
    return 0;
  }
  unsigned long long v = 0;
  int field = 2;
  for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
    if (++field == 22) {
      v = strtoull(tok, NULL, 10);
      break;
    }
  if (!v) errno = EINVAL;
  return v;
}

static int same_netns(int pid) {
  // The helper's own namespace does not change while it runs: read it once.
  static char mine[64];
  static ssize_t a = -1;
  char path[64], theirs[64];
  if (a < 0) a = readlink("/proc/self/ns/net", mine, sizeof mine - 1);
  snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
  ssize_t b = readlink(path, theirs, sizeof theirs - 1);
  if (a < 0 || b < 0) return b < 0 ? -errno : -EIO;
  return a == b && !memcmp(mine, theirs, (size_t)a);
}

#define FAIL(code, ...)                         \
  do {                                          \
    fprintf(out, "error %s ", code);           \
    fprintf(out, __VA_ARGS__);                  \
    fputs("\nend\n", out);                      \
    return;                                     \
  } while (0)

static void answer(FILE *out, int pid, int full, unsigned rescan_every) {
  fprintf(out, "begin %d\n", pid);
  unsigned long long start = start_time(pid);
  if (!start) FAIL(errno_name(errno), "cannot read /proc/%d/stat", pid);
  int ns = same_netns(pid);
  if (ns < 0) FAIL(errno_name(-ns), "cannot read /proc/%d/ns/net", pid);
  if (!ns) FAIL("NETNS", "process %d is in another network namespace", pid);
  session *s = session_for(pid, start);
  if (full) session_reset(s, pid, start);

  char dir[64];
  snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
  struct stat st;
  if (stat(dir, &st) < 0) FAIL(errno_name(errno), "cannot stat %s", dir);

  static rows now;
  static fd_scan scan;
  scan.dirfd = -1;
  now.len = 0;
  int rescan = s->fresh || st.st_size == 0 || st.st_size != s->fd_count ||
               (rescan_every && s->since_rescan + 1 >= rescan_every);
  int err, listed = 0;
  if (rescan) {
    // Known up front: list the fds while another thread dumps the sockets.
    dump_job job = {&now, 0};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, dump_thread, &job) == 0;
    if (!threaded) dump_thread(&job);
    err = list_fds(dir, &scan);
    if (threaded) pthread_join(t, NULL);
    listed = 1;
    if (err) {
      if (scan.dirfd >= 0) close(scan.dirfd);
      FAIL(errno_name(err), "cannot read %s", dir);
    }
    if (job.err) {
      close(scan.dirfd);
      FAIL("NETLINK", "sock_diag dump failed: %s", strerror(job.err));
    }
  } else {
    err = dump_all(&now);
    if (err) FAIL("NETLINK", "sock_diag dump failed: %s", strerror(err));
  }

  // Without a rescan the fd map is kept only when nothing can have changed: the same number of
  // open fds (the kernel reports it as the size of /proc/<pid>/fd since Linux 6.2, 0 before), every
  // socket of the process still there, no new socket of its user anywhere (a closed fd reused by a
  // new connection), and not due for the periodic rescan.
  // Each row's fd (-1: not the process's) is noted on the way, for the common case of no rescan.
  size_t mine_found = 0, seen_before = 0;
  for (size_t i = 0; i < now.len; i++) {
    row *r = &now.v[i];
    const int known = imap_slot(&s->seen, r->inode, 0) != NULL;
    seen_before += known;
    const int32_t *fd = imap_slot(&s->fd_of, r->inode, 0);
    r->fd = fd ? *fd : -1;
    if (fd) mine_found++;
    else if (!rescan && r->uid == st.st_uid && !known) rescan = 1;
  }
  if (mine_found != s->last.len) rescan = 1;
  if (seen_before != now.len || s->seen.len != now.len) {  // else the same set of sockets as last time
    imap_clear(&s->seen);
    for (size_t i = 0; i < now.len; i++) *imap_slot(&s->seen, now.v[i].inode, 1) = 0;
  }

  if (rescan) {
    if (!listed && (err = list_fds(dir, &scan))) {
      if (scan.dirfd >= 0) close(scan.dirfd);
      s->fresh = 1;
      FAIL(errno_name(err), "cannot read %s", dir);
    }
    err = read_all_links(&scan);
    close(scan.dirfd);
    if (err) {
      s->fresh = 1;
      FAIL(errno_name(err), "cannot read the links of %s", dir);
    }
    imap_clear(&s->fd_of);
    size_t duplicates = 0;
    for (size_t i = 0; i < scan.n; i++) {
      if (!scan.inodes[i]) continue;
      int32_t *fd = imap_slot(&s->fd_of, scan.inodes[i], 0);
      if (!fd) *imap_slot(&s->fd_of, scan.inodes[i], 1) = scan.fds[i];
      else {
        duplicates++;
        if (scan.fds[i] < *fd) *fd = scan.fds[i];
      }
    }
    fprintf(out, "fds %zu rescanned %zu\n", scan.n, duplicates);
    // Socket fds that no inet row explains (UNIX, netlink, raw, ...): the client looks them up.
    for (size_t i = 0; i < scan.n; i++)
      if (scan.inodes[i] && !imap_slot(&s->seen, scan.inodes[i], 0) && *imap_slot(&s->fd_of, scan.inodes[i], 0) == scan.fds[i])
        fprintf(out, "f %d %u\n", scan.fds[i], scan.inodes[i]);
    s->since_rescan = 0;
    s->fd_count = st.st_size;
  } else {
    fputs("fds - kept\n", out);
    s->since_rescan++;
  }

  // The process's rows now, against the rows last sent.
  static rows mine;
  mine.len = 0;
  for (size_t i = 0; i < now.len; i++) {
    if (rescan) {
      const int32_t *fd = imap_slot(&s->fd_of, now.v[i].inode, 0);
      now.v[i].fd = fd ? *fd : -1;
    }
    if (now.v[i].fd >= 0) rows_push(&mine, &now.v[i]);
  }
  if (s->fresh) fputs("reset\n", out);
  size_t printed = 0, kept = 0;
  for (size_t i = 0; i < mine.len; i++) {
    const row *r = &mine.v[i];
    int32_t *prev = s->fresh ? NULL : imap_slot(&s->sent, r->inode, 0);
    kept += prev != NULL;
    if (!prev || !row_equal(&s->last.v[*prev], r)) {
      print_row(out, r);
      printed++;
    }
  }
  // Rows are unique by inode: when every row last sent is still here, none is gone.
  if (!s->fresh && kept != s->last.len) {
    static imap current;
    imap_clear(&current);
    for (size_t i = 0; i < mine.len; i++) *imap_slot(&current, mine.v[i].inode, 1) = 0;
    for (size_t i = 0; i < s->last.len; i++)
      if (!imap_slot(&current, s->last.v[i].inode, 0)) fprintf(out, "gone %u\n", s->last.v[i].inode);
  }
  // Keep what was sent (unchanged when nothing was printed and nothing is gone).
  if (s->fresh || printed || kept != s->last.len || mine.len != s->last.len) {
    s->last.len = 0;
    imap_clear(&s->sent);
    for (size_t i = 0; i < mine.len; i++) {
      *imap_slot(&s->sent, mine.v[i].inode, 1) = (int32_t)s->last.len;
      rows_push(&s->last, &mine.v[i]);
    }
  }
  s->fresh = 0;
  fputs("end\n", out);
}

// With CAP_NET_ADMIN (e.g. when run as root) the kernel adds a mark, MD5 and ULP details to every
// socket of a dump, which the helper never reads: dropping it from the effective set makes a dump of
// 10,000 sockets about 5 % cheaper. Dumps themselves need no privilege.
static void drop_net_admin(void) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  if (syscall(SYS_capget, &h, d) != 0) return;
  d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
  (void)syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv) {
  drop_net_admin();
  // One-shot use from a shell, for people: sockscope-netlink <pid>
  if (argc == 2) {
    answer(stdout, atoi(argv[1]), 1, 0);
    return 0;
  }
  static char out_buf[1 << 16];
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    int pid = 0;
    char mode[16] = "";
    unsigned every = 0;
    if (sscanf(line, "%d %15s %u", &pid, mode, &every) < 2 || pid <= 0 ||
        (strcmp(mode, "full") && strcmp(mode, "delta"))) {
      fputs("begin 0\nerror EINVAL bad request\nend\n", stdout);
    } else {
      answer(stdout, pid, !strcmp(mode, "full"), every);
    }
    fflush(stdout);
  }
  return 0;
}
