// sockscope-netlink: SockScope's optional Linux helper.
//
// It answers "which sockets does process P hold, in which state" the way ss(8) does, through the
// kernel's sock_diag netlink interface (TCP with its tcp_info progress counters, UDP, UNIX with
// queues and peer), instead of having the kernel format /proc/<pid>/net/* as text 4 KB at a time;
// it maps the process's descriptors to socket inodes with readlink on two threads; and it
// remembers the previous answer per process so that a process that did not run since the last
// answer costs one netlink dump per table and no fd link reads. The TypeScript side
// (netlinkHelper.ts, netlinkAnswer.ts) spawns it once, writes one request per line on stdin and
// reads the answer from stdout; when the helper is missing or fails, SockScope reads /proc.
//
// Request:   <pid> <full|delta>\n        (at most 255 bytes; a longer or unterminated line is refused)
//   full        forget what was sent before for this pid and send everything
//   delta       send only what changed since the last answer for this pid
//
// Answer: one record per line, fields separated by one space. Every field is a number, a word of
// this format, or an escaped name: bytes outside '!'..'~', and '\\' and '-', print as \xHH, so no
// field ever holds a space or a newline, whatever a socket's name holds; an absent name is '-'.
//   begin <pid>
//   error <ERRNO|NETNS|NETLINK> <detail>     (then end; the client falls back to /proc)
//   fds <open fds> <socket fds>              (the fd links were read again), or
//   fds kept                                 (the fd map is the one used before)
//   reset                                    (the client drops its rows before applying these)
//   tcp|tcp6|udp|udp6 <inode> <fds> <state> <local hex> <lport> <remote hex> <rport> <tx> <rx>
//       <timer> <expires ticks> <retrans> <uid> <progress>
//                                            (addresses as /proc/net prints them; progress, TCP
//                                             only: <bytes acked>,<bytes received>,<last data
//                                             sent>,<last data received> with the times in ms since
//                                             the epoch, or '-' without tcp_info)
//   unix <inode> <fds> <type> <state> <rx> <tx> <peer inode> <name>
//   sock <inode> <fds> <protocol name>       (a socket in no table: system.sockprotoname of its fd,
//                                             e.g. TCP for a connection that was reset)
//   gone <inode>                             (rows that are no longer there)
//   tw <own> <netns> <ephemeral in use> <low> <high>
//                                            (TIME_WAIT sockets on this process's listening or used
//                                             local ports, all TIME_WAIT sockets of the netns, local
//                                             ports of ip_local_port_range taken by TCP sockets)
//   end
// <fds> lists every fd of the process that holds the socket, ascending, separated by commas. Rows
// are unique by inode.
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
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef TCPDIAG_GETSOCK
#define TCPDIAG_GETSOCK 18
#endif

enum { T_TCP, T_TCP6, T_UDP, T_UDP6, T_UNIX, T_SOCK };
static const char *const TABLE_NAMES[] = {"tcp", "tcp6", "udp", "udp6", "unix", "sock"};
#define TCP_ESTABLISHED 1
#define TCP_TIME_WAIT 6
#define TCP_LISTEN 10
#define TCP_NEW_SYN_RECV 12
#define TCP_BOUND_INACTIVE 13

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

// ---- one socket row: what sock_diag tells about it -------------------------------------------

typedef struct {
  uint32_t inode, uid, rqueue, wqueue, expires, retrans, peer;
  uint32_t src[4], dst[4];
  uint16_t sport, dport;
  uint8_t table, state, timer, utype, has_info, has_uid, namelen;
  uint64_t acked, received;
  int64_t sent_at, recv_at;  // ms since the epoch; only meaningful with has_info
  uint64_t fdsig;            // which fds hold it (a hash of the list): a change is a change of the row
  char name[108];            // UNIX: as /proc/net/unix prints it (NUL bytes as '@'); T_SOCK: protocol name
} row;

typedef struct {
  row *v;
  size_t len, cap;
} rows;

static row *rows_add(rows *r) {
  if (r->len == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 1024;
    r->v = xrealloc(r->v, r->cap * sizeof *r->v);
  }
  return &r->v[r->len++];
}

static void rows_push(rows *r, const row *x) { *rows_add(r) = *x; }

// A timer's countdown (expires) alone is no change: with keepalive on, every connection's timer
// ticks, and resending each of them every sample would make a steady process look busy. Likewise the
// times of the last data sent and received move only with the byte counters. The countdown and the
// times shown are the ones of the row's last change.
static int row_equal(const row *a, const row *b) {
  return a->fdsig == b->fdsig && a->table == b->table && a->state == b->state && a->timer == b->timer &&
         a->uid == b->uid && a->rqueue == b->rqueue && a->wqueue == b->wqueue && a->retrans == b->retrans &&
         a->sport == b->sport && a->dport == b->dport && a->peer == b->peer && a->utype == b->utype &&
         a->has_info == b->has_info && a->acked == b->acked && a->received == b->received &&
         a->namelen == b->namelen && !memcmp(a->src, b->src, sizeof a->src) && !memcmp(a->dst, b->dst, sizeof a->dst) &&
         !memcmp(a->name, b->name, a->namelen);
}

// Formatted by hand: printf is most of the cost of a 10,000-row answer.
static char *hex(char *p, uint32_t v, int digits) {
  static const char digit[] = "0123456789ABCDEF";
  for (int i = digits - 1; i >= 0; i--) p[i] = digit[v & 15], v >>= 4;
  return p + digits;
}

static char *dec(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do tmp[n++] = (char)('0' + v % 10), v /= 10;
  while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

static char *word(char *p, const char *w) {
  while (*w) *p++ = *w++;
  return p;
}

// A name as one field: printable bytes but '\' and '-' as they are, the rest as \xHH; '-' when empty.
static char *escaped(char *p, const char *name, size_t len) {
  if (!len) return word(p, "-");
  for (size_t i = 0; i < len; i++) {
    const unsigned char c = (unsigned char)name[i];
    if (c > ' ' && c < 0x7f && c != '\\' && c != '-') *p++ = (char)c;
    else *p++ = '\\', *p++ = 'x', p = hex(p, c, 2);
  }
  return p;
}

// ---- the fds of a process, by socket inode -----------------------------------------------------

typedef struct {
  uint32_t inode;
  int32_t fd;
} fd_pair;

typedef struct {
  fd_pair *v;  // sorted by inode, then fd
  size_t len, cap;
  imap first;  // inode -> index of its first pair
} fd_map;

static int by_inode_fd(const void *a, const void *b) {
  const fd_pair *x = a, *y = b;
  if (x->inode != y->inode) return x->inode < y->inode ? -1 : 1;
  return (x->fd > y->fd) - (x->fd < y->fd);
}

static uint64_t fd_signature(const fd_map *m, int32_t at) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = (size_t)at; i < m->len && m->v[i].inode == m->v[at].inode; i++) h = (h ^ (uint32_t)m->v[i].fd) * 1099511628211ull;
  return h;
}

static char *fd_list(char *p, const fd_map *m, int32_t at) {
  for (size_t i = (size_t)at; i < m->len && m->v[i].inode == m->v[at].inode; i++) {
    if (i > (size_t)at) *p++ = ',';
    p = dec(p, (uint32_t)m->v[i].fd);
  }
  return p;
}

// ---- output ----------------------------------------------------------------------------------

static char *line_buf;
static size_t line_cap;

static void print_row(FILE *out, const row *r, const fd_map *m) {
  const int32_t *at = imap_slot((imap *)&m->first, r->inode, 0);
  if (!at) return;
  size_t fds = 0;
  for (size_t i = (size_t)*at; i < m->len && m->v[i].inode == r->inode; i++) fds++;
  const size_t need = 640 + fds * 11;
  if (need > line_cap) line_cap = need, line_buf = xrealloc(line_buf, line_cap);
  char *p = word(line_buf, TABLE_NAMES[r->table]);
  *p++ = ' ';
  p = dec(p, r->inode);
  *p++ = ' ';
  p = fd_list(p, m, *at);
  *p++ = ' ';
  if (r->table == T_SOCK) {
    p = escaped(p, r->name, r->namelen);
  } else if (r->table == T_UNIX) {
    p = dec(p, r->utype), *p++ = ' ';
    p = dec(p, r->state), *p++ = ' ';
    p = dec(p, r->rqueue), *p++ = ' ';
    p = dec(p, r->wqueue), *p++ = ' ';
    p = dec(p, r->peer), *p++ = ' ';
    p = escaped(p, r->name, r->namelen);
  } else {
    const int words = r->table == T_TCP6 || r->table == T_UDP6 ? 4 : 1;
    p = dec(p, r->state), *p++ = ' ';
    for (int i = 0; i < words; i++) p = hex(p, r->src[i], 8);
    *p++ = ' ';
    p = dec(p, r->sport), *p++ = ' ';
    for (int i = 0; i < words; i++) p = hex(p, r->dst[i], 8);
    *p++ = ' ';
    p = dec(p, r->dport), *p++ = ' ';
    p = dec(p, r->wqueue), *p++ = ' ';
    p = dec(p, r->rqueue), *p++ = ' ';
    p = dec(p, r->timer), *p++ = ' ';
    p = dec(p, r->expires / 10), *p++ = ' ';
    p = dec(p, r->retrans), *p++ = ' ';
    p = dec(p, r->uid), *p++ = ' ';
    if (!r->has_info) *p++ = '-';
    else {
      p = dec(p, r->acked), *p++ = ',';
      p = dec(p, r->received), *p++ = ',';
      p = dec(p, (uint64_t)r->sent_at), *p++ = ',';
      p = dec(p, (uint64_t)r->recv_at);
    }
  }
  *p++ = '\n';
  fwrite(line_buf, 1, (size_t)(p - line_buf), out);
}

// ---- netlink dumps ---------------------------------------------------------------------------

static char recvbuf[1 << 16] __attribute__((aligned(8)));

// TIME_WAIT and ephemeral-port accounting of one dump (every TCP socket of the netns).
typedef struct {
  uint16_t *tw_ports;  // local ports of the TIME_WAIT sockets
  size_t tw_len, tw_cap;
  uint8_t used[65536 / 8];  // local ports taken by any TCP socket
} port_use;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void inet_row(const struct nlmsghdr *h, int protocol, rows *out, port_use *ports, int64_t now) {
  const struct inet_diag_msg *m = NLMSG_DATA(h);
  if (protocol == IPPROTO_TCP && ports) {
    const uint16_t port = ntohs(m->id.idiag_sport);
    ports->used[port >> 3] |= (uint8_t)(1u << (port & 7));
    if (m->idiag_state == TCP_TIME_WAIT) {
      if (ports->tw_len == ports->tw_cap) {
        ports->tw_cap = ports->tw_cap ? ports->tw_cap * 2 : 1024;
        ports->tw_ports = xrealloc(ports->tw_ports, ports->tw_cap * sizeof *ports->tw_ports);
      }
      ports->tw_ports[ports->tw_len++] = port;
    }
  }
  if (!m->idiag_inode) return;
  row *r = rows_add(out);
  memset(r, 0, offsetof(row, name));
  const int v6 = m->idiag_family == AF_INET6;
  r->table = protocol == IPPROTO_TCP ? (v6 ? T_TCP6 : T_TCP) : (v6 ? T_UDP6 : T_UDP);
  r->inode = m->idiag_inode;
  r->uid = m->idiag_uid;
  r->has_uid = 1;
  r->state = m->idiag_state;
  r->timer = m->idiag_timer;
  r->retrans = m->idiag_retrans;
  r->expires = m->idiag_timer ? m->idiag_expires : 0;
  r->rqueue = m->idiag_rqueue;
  // For a listener sock_diag reports the backlog limit here; /proc/net/tcp reports 0.
  r->wqueue = protocol == IPPROTO_TCP && m->idiag_state == TCP_LISTEN ? 0 : m->idiag_wqueue;
  r->sport = ntohs(m->id.idiag_sport);
  r->dport = ntohs(m->id.idiag_dport);
  memcpy(r->src, m->id.idiag_src, v6 ? 16 : 4);
  memcpy(r->dst, m->id.idiag_dst, v6 ? 16 : 4);
  if (protocol != IPPROTO_TCP) return;
  int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
  for (const struct rtattr *a = (const struct rtattr *)((const char *)m + NLMSG_ALIGN(sizeof *m)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type != INET_DIAG_INFO) continue;
    struct tcp_info info;
    memset(&info, 0, sizeof info);
    const size_t n = RTA_PAYLOAD(a) < sizeof info ? RTA_PAYLOAD(a) : sizeof info;
    memcpy(&info, RTA_DATA(a), n);
    if (n < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) continue;
    r->has_info = 1;
    r->acked = info.tcpi_bytes_acked;
    r->received = info.tcpi_bytes_received;
    r->sent_at = now - info.tcpi_last_data_sent;
    r->recv_at = now - info.tcpi_last_data_recv;
  }
}

static void unix_row(const struct nlmsghdr *h, rows *out) {
  const struct unix_diag_msg *m = NLMSG_DATA(h);
  if (!m->udiag_ino) return;
  row *r = rows_add(out);
  memset(r, 0, offsetof(row, name));
  r->table = T_UNIX;
  r->inode = m->udiag_ino;
  r->state = m->udiag_state;
  r->utype = m->udiag_type;
  int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
  for (const struct rtattr *a = (const struct rtattr *)((const char *)m + NLMSG_ALIGN(sizeof *m)); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    const size_t n = RTA_PAYLOAD(a);
    if (a->rta_type == UNIX_DIAG_NAME && n > 0) {
      // As /proc/net/unix prints it: a path without its terminating NUL, an abstract name with its
      // leading NUL; NUL bytes as '@'.
      const char *name = RTA_DATA(a);
      size_t k = name[0] ? n - 1 : n;
      if (k > sizeof r->name) k = sizeof r->name;
      for (size_t i = 0; i < k; i++) r->name[i] = name[i] ? name[i] : '@';
      r->namelen = (uint8_t)k;
    } else if (a->rta_type == UNIX_DIAG_PEER && n >= 4) {
      memcpy(&r->peer, RTA_DATA(a), 4);
    } else if (a->rta_type == UNIX_DIAG_RQLEN && n >= sizeof(struct unix_diag_rqlen)) {
      const struct unix_diag_rqlen *q = RTA_DATA(a);
      r->rqueue = q->udiag_rqueue;
      r->wqueue = q->udiag_wqueue;
    } else if (a->rta_type == UNIX_DIAG_UID && n >= 4) {
      memcpy(&r->uid, RTA_DATA(a), 4);
      r->has_uid = 1;
    }
  }
}

// Sends one dump request (the header, then `body`) and appends every socket with an inode to
// `out`. 0, or an errno.
static int dump(int nl, uint16_t type, const void *body, size_t len, int protocol, rows *out, port_use *ports) {
  struct nlmsghdr nh = {.nlmsg_len = NLMSG_LENGTH(len), .nlmsg_type = type, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP};
  struct iovec iov[2] = {{&nh, sizeof nh}, {(void *)body, len}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  if (sendmsg(nl, &msg, 0) < 0) return errno;
  const int64_t now = now_ms();
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
      if (protocol == 0) unix_row(h, out);
      else inet_row(h, protocol, out, ports, now);
    }
  }
}

// TCP of both families in one pass over the hash tables (the compat request dumps AF_UNSPEC) with
// tcp_info, including TIME_WAIT minisockets (for the port accounting; they have no inode) but not
// SYN_RECV minisockets or bound-only sockets, which /proc/net/tcp and ss do not list either; then
// UDP per family, then UNIX.
static int dump_all(rows *out, port_use *ports) {
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (nl < 0) return errno;
  const struct inet_diag_req tcp = {
      .idiag_family = AF_INET,
      .idiag_ext = 1 << (INET_DIAG_INFO - 1),
      .idiag_states = ~((1u << TCP_NEW_SYN_RECV) | (1u << TCP_BOUND_INACTIVE)),
  };
  ports->tw_len = 0;
  memset(ports->used, 0, sizeof ports->used);
  int err = dump(nl, TCPDIAG_GETSOCK, &tcp, sizeof tcp, IPPROTO_TCP, out, ports);
  for (int f = 0; !err && f < 2; f++) {
    const struct inet_diag_req_v2 udp = {.sdiag_family = f ? AF_INET6 : AF_INET, .sdiag_protocol = IPPROTO_UDP, .idiag_states = ~0u};
    err = dump(nl, SOCK_DIAG_BY_FAMILY, &udp, sizeof udp, IPPROTO_UDP, out, NULL);
  }
  if (!err) {
    const struct unix_diag_req unix_req = {
        .sdiag_family = AF_UNIX,
        .udiag_states = ~0u,
        .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID,
    };
    err = dump(nl, SOCK_DIAG_BY_FAMILY, &unix_req, sizeof unix_req, 0, out, NULL);
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
  port_use *ports;
  int err;
} dump_job;

static void *dump_thread(void *arg) {
  dump_job *j = arg;
  j->err = dump_all(j->out, j->ports);
  return NULL;
}

// CPU time (ns) every thread of the process has used, and a fingerprint of its thread ids: a
// process whose threads did not run cannot have changed its descriptors. 0 when unknown.
static uint64_t run_time(int pid, uint64_t *threads) {
  char path[320], buf[128];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) return 0;
  uint64_t total = 0, ids = 0;
  int ok = 1;
  struct dirent *e;
  while (ok && (e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", pid, e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
    if (n <= 0) {
      ok = 0;
      break;
    }
    buf[n] = 0;
    total += strtoull(buf, NULL, 10) + 1;
    ids = (ids ^ strtoull(e->d_name, NULL, 10)) * 1099511628211ull;
  }
  closedir(d);
  *threads = ids;
  return ok ? total : 0;
}

// ---- per-process state -----------------------------------------------------------------------

typedef struct {
  int pid;
  unsigned long long start;  // start time from /proc/<pid>/stat: tells a reused pid
  unsigned long uses;        // for least-recently-used eviction
  long fd_count;
  uint64_t ran, threads;     // run_time() at the start of the last answer
  size_t dumped;             // rows of the last answer that came from a dump
  fd_map fds;                // socket inode -> every fd holding it
  imap sent;                 // inode -> index into `last` of the row last sent
  rows last;                 // the rows last sent
  rows outside;              // sockets of the process in no dump (from the last rescan)
  uint8_t own_ports[65536 / 8];  // local ports of the process's TCP sockets, ever seen
  int fresh;                 // nothing sent yet
} session;

#define MAX_SESSIONS 8
static session sessions[MAX_SESSIONS];
static unsigned long clock_uses;

static void session_reset(session *s, int pid, unsigned long long start) {
  imap_free(&s->fds.first);
  free(s->fds.v);
  imap_free(&s->sent);
  free(s->last.v);
  free(s->outside.v);
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

// net.ipv4.ip_local_port_range of the helper's (and the process's) namespace.
static void port_range(unsigned *low, unsigned *high) {
  *low = 32768, *high = 60999;
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
  if (!f) return;
  unsigned a, b;
  if (fscanf(f, "%u %u", &a, &b) == 2 && a <= b && b < 65536) *low = a, *high = b;
  fclose(f);
}

#define FAIL(code, ...)                         \
  do {                                          \
    fprintf(out, "error %s ", code);           \
    fprintf(out, __VA_ARGS__);                  \
    fputs("\nend\n", out);                      \
    return;                                     \
  } while (0)

static int has_port(const uint8_t *bits, uint16_t port) { return bits[port >> 3] & (1u << (port & 7)); }

static void answer(FILE *out, int pid, int full) {
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
  uint64_t threads = 0;
  const uint64_t ran = run_time(pid, &threads);

  static rows now;
  static fd_scan scan;
  static port_use ports;
  scan.dirfd = -1;
  now.len = 0;
  // The fd map is read again unless nothing can have changed it: the process's threads did not
  // run since the last answer (same CPU time, same threads) and it holds as many fds (the kernel
  // reports the count as the size of /proc/<pid>/fd since Linux 6.2, 0 before).
  int rescan = s->fresh || !ran || ran != s->ran || threads != s->threads || st.st_size == 0 || st.st_size != s->fd_count;
  s->ran = ran, s->threads = threads;
  int err, listed = 0;
  if (rescan) {
    // Known up front: list the fds while another thread dumps the sockets.
    dump_job job = {&now, &ports, 0};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, dump_thread, &job) == 0;
    if (!threaded) dump_thread(&job);
    err = list_fds(dir, &scan);
    if (threaded) pthread_join(t, NULL);
    listed = 1;
    if (err) {
      if (scan.dirfd >= 0) close(scan.dirfd);
      s->fresh = 1;
      FAIL(errno_name(err), "cannot read %s", dir);
    }
    if (job.err) {
      close(scan.dirfd);
      s->fresh = 1;
      FAIL("NETLINK", "sock_diag dump failed: %s", strerror(job.err));
    }
  } else {
    err = dump_all(&now, &ports);
    if (err) FAIL("NETLINK", "sock_diag dump failed: %s", strerror(err));
    // A socket of the process that left the tables (a connection reset) is read again.
    size_t found = 0;
    for (size_t i = 0; i < now.len; i++) found += imap_slot(&s->fds.first, now.v[i].inode, 0) != NULL;
    if (found != s->dumped) rescan = 1;
  }

  if (rescan) {
    if (!listed && (err = list_fds(dir, &scan))) {
      if (scan.dirfd >= 0) close(scan.dirfd);
      s->fresh = 1;
      FAIL(errno_name(err), "cannot read %s", dir);
    }
    err = read_all_links(&scan);
    if (err) {
      close(scan.dirfd);
      s->fresh = 1;
      FAIL(errno_name(err), "cannot read the links of %s", dir);
    }
    fd_map *m = &s->fds;
    m->len = 0;
    imap_clear(&m->first);
    for (size_t i = 0; i < scan.n; i++) {
      if (!scan.inodes[i]) continue;
      if (m->len == m->cap) m->cap = m->cap ? m->cap * 2 : 1024, m->v = xrealloc(m->v, m->cap * sizeof *m->v);
      m->v[m->len++] = (fd_pair){scan.inodes[i], scan.fds[i]};
    }
    qsort(m->v, m->len, sizeof *m->v, by_inode_fd);
    for (size_t i = 0; i < m->len; i++)
      if (!i || m->v[i].inode != m->v[i - 1].inode) *imap_slot(&m->first, m->v[i].inode, 1) = (int32_t)i;
    // Sockets of the process that no dump lists: their protocol from the fd's xattr.
    static imap dumped;
    imap_clear(&dumped);
    for (size_t i = 0; i < now.len; i++)
      if (imap_slot(&m->first, now.v[i].inode, 0)) *imap_slot(&dumped, now.v[i].inode, 1) = 0;
    s->outside.len = 0;
    for (size_t i = 0; i < m->len; i++) {
      if ((i && m->v[i].inode == m->v[i - 1].inode) || imap_slot(&dumped, m->v[i].inode, 0)) continue;
      row *r = rows_add(&s->outside);
      memset(r, 0, sizeof *r);
      r->table = T_SOCK;
      r->inode = m->v[i].inode;
      char path[96];
      snprintf(path, sizeof path, "%s/%d", dir, m->v[i].fd);
      ssize_t n = getxattr(path, "system.sockprotoname", r->name, sizeof r->name);
      while (n > 0 && !r->name[n - 1]) n--;
      r->namelen = n > 0 ? (uint8_t)n : 0;
    }
    close(scan.dirfd);
    fprintf(out, "fds %zu %zu\n", scan.n, m->len);
    s->fd_count = st.st_size;
  } else {
    fputs("fds kept\n", out);
  }

  // The process's rows now, against the rows last sent.
  static rows mine;
  mine.len = 0;
  for (size_t i = 0; i < now.len; i++) {
    const int32_t *at = imap_slot(&s->fds.first, now.v[i].inode, 0);
    if (!at) continue;
    now.v[i].fdsig = fd_signature(&s->fds, *at);
    rows_push(&mine, &now.v[i]);
  }
  s->dumped = mine.len;
  for (size_t i = 0; i < s->outside.len; i++) {
    row *r = &s->outside.v[i];
    r->fdsig = fd_signature(&s->fds, *imap_slot(&s->fds.first, r->inode, 0));
    rows_push(&mine, r);
  }
  if (s->fresh) fputs("reset\n", out);
  size_t printed = 0, kept = 0;
  for (size_t i = 0; i < mine.len; i++) {
    const row *r = &mine.v[i];
    int32_t *prev = s->fresh ? NULL : imap_slot(&s->sent, r->inode, 0);
    kept += prev != NULL;
    if (!prev || !row_equal(&s->last.v[*prev], r)) {
      print_row(out, r, &s->fds);
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

  // TIME_WAIT sockets have no fd: those on a port this process listens on or has used are its own.
  static uint8_t listening[65536 / 8];
  memset(listening, 0, sizeof listening);
  for (size_t i = 0; i < mine.len; i++) {
    const row *r = &mine.v[i];
    if (r->table != T_TCP && r->table != T_TCP6) continue;
    uint8_t *bits = r->state == TCP_LISTEN ? listening : s->own_ports;
    bits[r->sport >> 3] |= (uint8_t)(1u << (r->sport & 7));
  }
  size_t own = 0;
  for (size_t i = 0; i < ports.tw_len; i++) own += has_port(listening, ports.tw_ports[i]) || has_port(s->own_ports, ports.tw_ports[i]);
  unsigned low, high, in_use = 0;
  port_range(&low, &high);
  for (unsigned p = low; p <= high; p++) in_use += has_port(ports.used, (uint16_t)p) != 0;
  fprintf(out, "tw %zu %zu %u %u %u\nend\n", own, ports.tw_len, in_use, low, high);
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

// Reads one request line into `line` (at most `size` - 1 bytes and the newline). 1: a line; 0: end of
// input; -1: a line that is too long (skipped up to its newline) or that the input ended without
// terminating: refused, never split or run.
static int read_request(FILE *in, char *line, size_t size) {
  size_t n = 0;
  int c;
  while ((c = getc(in)) != EOF && c != '\n') {
    if (n + 1 < size) line[n] = (char)c;
    n++;
  }
  if (c == EOF && n == 0) return 0;
  if (c == EOF || n + 1 >= size) return -1;
  line[n] = 0;
  return 1;
}

int main(int argc, char **argv) {
  drop_net_admin();
  // One-shot use from a shell, for people: sockscope-netlink <pid>
  if (argc == 2) {
    answer(stdout, atoi(argv[1]), 1);
    return 0;
  }
  static char out_buf[1 << 16];
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  char line[256];
  for (int got; (got = read_request(stdin, line, sizeof line)) != 0;) {
    int pid = 0, used = 0;
    char mode[8] = "";
    if (got < 0) {
      fputs("begin 0\nerror EINVAL request line too long or not terminated\nend\n", stdout);
    } else if (sscanf(line, "%d %7s%n", &pid, mode, &used) < 2 || pid <= 0 || line[used] ||
               (strcmp(mode, "full") && strcmp(mode, "delta"))) {
      fputs("begin 0\nerror EINVAL bad request\nend\n", stdout);
    } else {
      answer(stdout, pid, !strcmp(mode, "full"));
    }
    fflush(stdout);
  }
  return 0;
}
