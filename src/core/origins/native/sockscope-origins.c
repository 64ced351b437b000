// libsockscope-origins.so: an LD_PRELOAD recorder of where a program creates its sockets.
//
// It wraps socket, accept, accept4, socketpair, dup, dup2, dup3, fcntl(F_DUPFD*) and close, and for
// each new socket descriptor records its inode, creation time, thread and the return addresses of
// the creation stack, read from the unwind tables (no frame pointers needed): by fast-unwind.c, which
// caches the rule of each return address, or by glibc's backtrace() for stacks it does not follow.
// Symbolization happens in SockScope (src/core/origins), never here. Built with frame pointers, so
// that the unwinder can step over this library's own frames without unwinding them.
//
// Everything goes to one file per process, <dir>/<pid>.origins, mapped MAP_SHARED so that recording
// is a few stores and no system call (the fstat for the inode aside). Layout, little-endian (the
// reader is src/core/origins/recordFile.ts; keep the two in step):
//   header   4096 bytes: magic, version, pid, process start time, table sizes, counters
//   counts   MAX_STACKS x {u32 opens, u32 closes}: per creation site, kept even when the log is full
//   stacks   MAX_STACKS x {u64 hash, u32 depth, u32 ready, u64 pc[MAX_DEPTH]}: each distinct stack once
//   fds      fd slots x {u32 seq, u32 stack, u64 inode, u64 time_ns, u32 tid, u32 pid}: live sockets
//   events   a capped log of {u8 type, u8 kind, u16 0, i32 fd, u32 tid, u32 stack, u64 inode, u64 time_ns}
// The fd table is what attributes a live socket; the log is history and stops at its cap.
//
// No malloc on the recording path (backtrace is warmed up at load); slots are claimed with atomics,
// so there is no lock to deadlock on when a signal handler closes a descriptor. A thread-local flag
// keeps a handler that interrupts a recording from recording itself.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fast-unwind.h"

#define EXPORT __attribute__((visibility("default")))
#define HEADER_BYTES 4096u
#define MAX_STACKS 4096u
#define MAX_DEPTH 16
#define SKIP_FRAMES 3 /* slow_stack, record_new and the wrapper, when this library's code range is unknown */
#define MAX_FD_SLOTS (1u << 20)
#define DEFAULT_LOG_BYTES (4u << 20)
#define UNFINISHED_STACK 2u /* the hash of a stack left half-written by a fork (stack hashes are odd) */

enum { KIND_SOCKET = 1, KIND_ACCEPT = 2, KIND_SOCKETPAIR = 3, KIND_DUP = 4 };
enum { EVENT_OPEN = 1, EVENT_CLOSE = 2 };

struct header {
  char magic[8];            /* "SSORIG01" */
  uint32_t version, pid;
  uint64_t start_ticks;     /* field 22 of /proc/self/stat: tells a reused pid apart */
  uint32_t fd_slots, max_stacks;
  uint32_t max_depth, log_capacity;
  uint64_t log_next;        /* events claimed so far; >= log_capacity means the log is full */
  uint64_t log_dropped;
  uint32_t stacks_used, stacks_dropped;
  uint32_t highest_fd, reserved;
  uint32_t unwind_slow;     /* stacks read by backtrace(): the fast reader did not follow them */
  uint32_t unwind_checked, unwind_mismatch; /* SOCKSCOPE_ORIGINS_CHECK_UNWIND=1: both ways, compared */
};
struct count { uint32_t opens, closes; };
struct stack { uint64_t hash; uint32_t depth, ready; uint64_t pc[MAX_DEPTH]; };
struct fd_slot { uint32_t seq, stack; uint64_t inode, time_ns; uint32_t tid, pid; };
struct event { uint8_t type, kind; uint16_t zero; int32_t fd; uint32_t tid, stack; uint64_t inode, time_ns; };

_Static_assert(sizeof(struct header) <= HEADER_BYTES, "header too large");
_Static_assert(sizeof(struct stack) == 144, "stack layout");
_Static_assert(sizeof(struct fd_slot) == 32, "fd slot layout");
_Static_assert(sizeof(struct event) == 32, "event layout");

static int (*real_socket)(int, int, int);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_socketpair)(int, int, int, int[2]);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_fcntl)(int, int, ...);
static int (*real_fcntl64)(int, int, ...);
static int (*real_close)(int);
static int (*real_dlclose)(void *);

static unsigned char *map_base;
static size_t map_size;
static struct header *hdr;
static struct count *counts;
static struct stack *stacks;
static struct fd_slot *fds;
static struct event *events;
static uint32_t fd_slots, log_capacity;
static int recording; /* 1 once the file is mapped */
static int fast_unwind; /* fast-unwind.c can read stacks here */
static int check_unwind; /* $SOCKSCOPE_ORIGINS_CHECK_UNWIND: every stack read both ways and compared */
static pid_t my_pid;

static __thread int in_hook __attribute__((tls_model("initial-exec")));
static __thread pid_t cached_tid __attribute__((tls_model("initial-exec")));

static void resolve(void) {
  if (real_close) return;
  real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
  real_accept = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "accept");
  real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
  real_socketpair = (int (*)(int, int, int, int[2]))dlsym(RTLD_NEXT, "socketpair");
  real_dup = (int (*)(int))dlsym(RTLD_NEXT, "dup");
  real_dup2 = (int (*)(int, int))dlsym(RTLD_NEXT, "dup2");
  real_dup3 = (int (*)(int, int, int))dlsym(RTLD_NEXT, "dup3");
  real_fcntl = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
  real_fcntl64 = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl64");
  real_dlclose = (int (*)(void *))dlsym(RTLD_NEXT, "dlclose");
  __atomic_store_n(&real_close, (int (*)(int))dlsym(RTLD_NEXT, "close"), __ATOMIC_RELEASE);
}

static pid_t this_tid(void) {
  if (!cached_tid) cached_tid = (pid_t)syscall(SYS_gettid);
  return cached_tid;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Field 22 (starttime) of /proc/self/stat, with system calls only (also used in a forked child). */
static uint64_t start_ticks(void) {
  char buf[1024];
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  real_close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
  if (!p) return 0;
  int field = 2;
  uint64_t v = 0;
  for (p++; *p; p++) {
    if (*p == ' ') { field++; continue; }
    if (field == 22) {
      if (*p < '0' || *p > '9') break;
      v = v * 10 + (uint64_t)(*p - '0');
    } else if (field > 22) break;
  }
  return v;
}

/* The records folder: $SOCKSCOPE_ORIGINS_DIR, else $XDG_RUNTIME_DIR/sockscope, else /tmp/sockscope-<uid>.
   Created 0700; refused unless it is a real directory of ours that nobody else can read or write. */
static int open_records_dir(void) {
  char path[4096];
  const char *dir = getenv("SOCKSCOPE_ORIGINS_DIR");
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (dir && *dir) snprintf(path, sizeof path, "%s", dir);
  else if (xdg && *xdg == '/') snprintf(path, sizeof path, "%s/sockscope", xdg);
  else snprintf(path, sizeof path, "/tmp/sockscope-%u", (unsigned)geteuid());
  if (mkdir(path, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "sockscope-origins: cannot use %s: %s; origins not recorded\n", path, strerror(errno));
    return -1;
  }
  /* The wording is src/core/origins/recordsDir.ts's recordsDirProblem: keep the recorders in step. */
  struct stat st;
  if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "sockscope-origins: refusing the origins folder: %s is %s (owner uid %u, mode %04o); set SOCKSCOPE_ORIGINS_DIR to a folder of your own; origins not recorded\n",
            path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory", (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
    return -1;
  }
  int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0 || fstat(dfd, &st) != 0) {
    fprintf(stderr, "sockscope-origins: cannot use %s: %s; origins not recorded\n", path, strerror(errno));
    if (dfd >= 0) real_close(dfd);
    return -1;
  }
  unsigned me = (unsigned)geteuid(), owner = (unsigned)st.st_uid, mode = (unsigned)(st.st_mode & 0777);
  if (owner != me) {
    fprintf(stderr, "sockscope-origins: refusing the origins folder: %s belongs to another user (owner uid %u, mode %04o; you are uid %u); set SOCKSCOPE_ORIGINS_DIR to a folder of your own; origins not recorded\n",
            path, owner, mode, me);
  } else if (mode & 077) {
    fprintf(stderr, "sockscope-origins: refusing the origins folder: %s may be read or written by others (owner uid %u, mode %04o); run `chmod 700 %s`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own; origins not recorded\n",
            path, owner, mode, path);
  } else {
    return dfd;
  }
  real_close(dfd);
  return -1;
}

static size_t layout(uint32_t slots, uint32_t capacity) {
  return HEADER_BYTES + MAX_STACKS * sizeof(struct count) + MAX_STACKS * sizeof(struct stack)
         + (size_t)slots * sizeof(struct fd_slot) + (size_t)capacity * sizeof(struct event);
}

static void point_into(unsigned char *base) {
  map_base = base;
  hdr = (struct header *)base;
  counts = (struct count *)(base + HEADER_BYTES);
  stacks = (struct stack *)((unsigned char *)counts + MAX_STACKS * sizeof(struct count));
  fds = (struct fd_slot *)((unsigned char *)stacks + MAX_STACKS * sizeof(struct stack));
  events = (struct event *)((unsigned char *)fds + (size_t)fd_slots * sizeof(struct fd_slot));
}

/* Creates <pid>.origins (replacing one left by an earlier image of this pid, after exec) and maps it. */
static unsigned char *create_file(int dfd, pid_t pid) {
  char name[32];
  snprintf(name, sizeof name, "%d.origins", (int)pid);
  int fd = openat(dfd, name, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return NULL;
  if (ftruncate(fd, (off_t)map_size) != 0) { real_close(fd); return NULL; }
  void *p = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  real_close(fd);
  return p == MAP_FAILED ? NULL : (unsigned char *)p;
}

static void write_header(uint64_t ticks) {
  memcpy(hdr->magic, "SSORIG01", 8);
  hdr->version = 1;
  hdr->pid = (uint32_t)my_pid;
  hdr->start_ticks = ticks;
  hdr->fd_slots = fd_slots;
  hdr->max_stacks = MAX_STACKS;
  hdr->max_depth = MAX_DEPTH;
  hdr->log_capacity = log_capacity;
}

/* A copy of /proc/self/maps at start, <pid>.maps: SockScope maps addresses with it (and re-reads the
   live one for modules loaded later). */
static void copy_maps(int dfd, pid_t pid) {
  char name[32], buf[8192];
  snprintf(name, sizeof name, "%d.maps", (int)pid);
  int out = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  int in = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  size_t total = 0;
  ssize_t n;
  while (out >= 0 && in >= 0 && total < (1u << 20) && (n = read(in, buf, sizeof buf)) > 0) {
    if (write(out, buf, (size_t)n) != n) break;
    total += (size_t)n;
  }
  if (in >= 0) real_close(in);
  if (out >= 0) real_close(out);
}

/* In a forked child: its own file, starting from a copy of the parent's sites and live descriptors
   (which the child inherits); the parent's mapping is let go so nothing the child does lands there. */
static void after_fork_child(void) {
  cached_tid = 0;
  if (!recording) return;
  recording = 0;
  unsigned char *parent = map_base;
  pid_t pid = (pid_t)syscall(SYS_getpid);
  int dfd = open_records_dir();
  unsigned char *child = dfd >= 0 ? create_file(dfd, pid) : NULL;
  if (child) {
    uint32_t highest = __atomic_load_n(&((struct header *)parent)->highest_fd, __ATOMIC_RELAXED);
    size_t fixed = HEADER_BYTES + MAX_STACKS * sizeof(struct count) + MAX_STACKS * sizeof(struct stack);
    size_t live = (size_t)(highest + 1 < fd_slots ? highest + 1 : fd_slots) * sizeof(struct fd_slot);
    memcpy(child, parent, fixed + live);
    my_pid = pid;
    point_into(child);
    memset(counts, 0, MAX_STACKS * sizeof(struct count));
    /* A stack another thread was writing at the fork stays unready here, and intern_stack would wait
       for it forever: give it a hash no stack has (they are odd), so it is passed over and not read. */
    for (uint32_t i = 0; i < MAX_STACKS; i++)
      if (stacks[i].hash && !stacks[i].ready) stacks[i].hash = UNFINISHED_STACK;
    hdr->log_next = 0;
    hdr->log_dropped = 0;
    write_header(start_ticks());
    for (uint32_t i = 0; i <= highest && i < fd_slots; i++) if (fds[i].inode) fds[i].pid = (uint32_t)pid;
    copy_maps(dfd, pid);
  }
  munmap(parent, map_size);
  if (dfd >= 0) real_close(dfd);
  if (child) recording = 1;
  else map_base = NULL;
}

__attribute__((constructor)) static void start(void) {
  resolve();
  void *warm[4];
  backtrace(warm, 4); /* loads libgcc_s now, so that recording never allocates */
  fast_unwind = fu_init();
  const char *check = getenv("SOCKSCOPE_ORIGINS_CHECK_UNWIND");
  check_unwind = check && *check == '1';
  struct rlimit rl;
  rlim_t want = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (rl.rlim_max > rl.rlim_cur ? rl.rlim_max : rl.rlim_cur) : 1024;
  fd_slots = want == RLIM_INFINITY || want > MAX_FD_SLOTS ? MAX_FD_SLOTS : (uint32_t)want;
  if (fd_slots < 1024) fd_slots = 1024;
  const char *cap = getenv("SOCKSCOPE_ORIGINS_LOG_BYTES");
  unsigned long bytes = cap && *cap ? strtoul(cap, NULL, 10) : DEFAULT_LOG_BYTES;
  log_capacity = (uint32_t)(bytes / sizeof(struct event));
  map_size = layout(fd_slots, log_capacity);
  my_pid = getpid();
  int dfd = open_records_dir();
  if (dfd < 0) return;
  unsigned char *base = create_file(dfd, my_pid);
  if (base) {
    point_into(base);
    write_header(start_ticks());
    copy_maps(dfd, my_pid);
    pthread_atfork(NULL, NULL, after_fork_child);
    __atomic_store_n(&recording, 1, __ATOMIC_RELEASE);
  }
  real_close(dfd);
}

static uint64_t hash_stack(void *const *pc, int depth) {
  uint64_t h = 1469598103934665603ull;
  for (int i = 0; i < depth; i++) { h ^= (uint64_t)(uintptr_t)pc[i]; h *= 1099511628211ull; }
  return h | 1; /* 0 marks a free slot */
}

/* The id of this stack in the table, adding it the first time; UINT32_MAX when the table is full. */
static uint32_t intern_stack(void *const *pc, int depth) {
  uint64_t h = hash_stack(pc, depth);
  for (uint32_t probe = 0; probe < 64; probe++) {
    uint32_t i = (uint32_t)(h + probe) & (MAX_STACKS - 1);
    struct stack *s = &stacks[i];
    uint64_t seen = __atomic_load_n(&s->hash, __ATOMIC_ACQUIRE);
    if (seen == 0) {
      uint64_t expected = 0;
      if (__atomic_compare_exchange_n(&s->hash, &expected, h, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        s->depth = (uint32_t)depth;
        for (int k = 0; k < depth; k++) s->pc[k] = (uint64_t)(uintptr_t)pc[k];
        __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
        __atomic_fetch_add(&hdr->stacks_used, 1, __ATOMIC_RELAXED);
        return i;
      }
      seen = expected;
    }
    if (seen != h) continue;
    while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)) { /* another thread is filling it in */ }
    if (s->depth != (uint32_t)depth) continue;
    int same = 1;
    for (int k = 0; k < depth && same; k++) same = s->pc[k] == (uint64_t)(uintptr_t)pc[k];
    if (same) return i;
  }
  __atomic_fetch_add(&hdr->stacks_dropped, 1, __ATOMIC_RELAXED);
  return UINT32_MAX;
}

static void log_event(uint8_t type, uint8_t kind, int fd, uint32_t stack, uint64_t inode, uint64_t t) {
  uint64_t i = __atomic_fetch_add(&hdr->log_next, 1, __ATOMIC_RELAXED);
  if (i >= log_capacity) { __atomic_fetch_add(&hdr->log_dropped, 1, __ATOMIC_RELAXED); return; }
  struct event *e = &events[i];
  e->kind = kind;
  e->fd = fd;
  e->tid = (uint32_t)this_tid();
  e->stack = stack;
  e->inode = inode;
  e->time_ns = t;
  __atomic_store_n(&e->type, type, __ATOMIC_RELEASE);
}

static void set_slot(int fd, uint32_t stack, uint64_t inode, uint64_t t) {
  struct fd_slot *s = &fds[fd];
  uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
  __atomic_store_n(&s->seq, seq | 1, __ATOMIC_RELEASE); /* odd: being written */
  s->stack = stack;
  s->inode = inode;
  s->time_ns = t;
  s->tid = (uint32_t)this_tid();
  s->pid = (uint32_t)my_pid;
  __atomic_store_n(&s->seq, (seq | 1) + 1, __ATOMIC_RELEASE);
  uint32_t high = __atomic_load_n(&hdr->highest_fd, __ATOMIC_RELAXED);
  while ((uint32_t)fd > high && !__atomic_compare_exchange_n(&hdr->highest_fd, &high, (uint32_t)fd, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}

static uint64_t inode_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static int can_record(int fd) {
  return fd >= 0 && (uint32_t)fd < fd_slots && __atomic_load_n(&recording, __ATOMIC_ACQUIRE) && !in_hook;
}

/* The creation stack by glibc's backtrace(), from the first frame outside this library. */
static __attribute__((noinline)) int slow_stack(void **out) {
  void *pc[MAX_DEPTH + 8];
  int n = backtrace(pc, MAX_DEPTH + 8), skip = 0;
  if (n > 0 && fu_is_own(pc[0]) >= 0) while (skip < n && fu_is_own(pc[skip]) == 1) skip++;
  else skip = n < SKIP_FRAMES ? n : SKIP_FRAMES;
  int depth = n - skip < MAX_DEPTH ? n - skip : MAX_DEPTH;
  memcpy(out, pc + skip, (size_t)depth * sizeof *pc);
  return depth;
}

/* Records new socket descriptors created by one call (one, or two for socketpair). */
static __attribute__((noinline)) void record_new(int fd, int fd2, uint8_t kind) {
  if (!can_record(fd)) return;
  in_hook = 1;
  void *pc[MAX_DEPTH];
  int depth = fast_unwind ? fu_capture(pc, MAX_DEPTH, __builtin_frame_address(0)) : -1;
  if (depth < 0 || check_unwind) {
    void *slow[MAX_DEPTH];
    int n = slow_stack(slow);
    if (depth >= 0) {
      __atomic_fetch_add(&hdr->unwind_checked, 1, __ATOMIC_RELAXED);
      if (n != depth || memcmp(slow, pc, (size_t)n * sizeof *pc) != 0) __atomic_fetch_add(&hdr->unwind_mismatch, 1, __ATOMIC_RELAXED);
    } else {
      __atomic_fetch_add(&hdr->unwind_slow, 1, __ATOMIC_RELAXED);
    }
    memcpy(pc, slow, (size_t)n * sizeof *pc);
    depth = n;
  }
  uint32_t stack = intern_stack(pc, depth);
  uint64_t t = now_ns();
  for (int k = 0; k < 2; k++) {
    int d = k ? fd2 : fd;
    if (d < 0 || (uint32_t)d >= fd_slots) continue;
    uint64_t inode = inode_of(d);
    set_slot(d, stack, inode, t);
    if (stack != UINT32_MAX) __atomic_fetch_add(&counts[stack].opens, 1, __ATOMIC_RELAXED);
    log_event(EVENT_OPEN, kind, d, stack, inode, t);
  }
  in_hook = 0;
}

/* A closing descriptor: its slot is emptied before the kernel can hand the number out again. */
static void record_close(int fd) {
  if (!can_record(fd)) return;
  struct fd_slot *s = &fds[fd];
  uint64_t inode = __atomic_load_n(&s->inode, __ATOMIC_ACQUIRE);
  if (!inode) return;
  in_hook = 1;
  uint32_t stack = s->stack;
  set_slot(fd, UINT32_MAX, 0, 0);
  if (stack != UINT32_MAX) __atomic_fetch_add(&counts[stack].closes, 1, __ATOMIC_RELAXED);
  log_event(EVENT_CLOSE, 0, fd, stack, inode, now_ns());
  in_hook = 0;
}

/* A duplicate of a recorded socket keeps the socket's creation site; of anything else, a socket
   duplicated from a descriptor we did not see, it gets the dup call's own stack. */
static __attribute__((noinline)) void record_dup(int newfd, int oldfd) {
  if (!can_record(newfd)) return;
  uint64_t inode = inode_of(newfd);
  if (oldfd >= 0 && (uint32_t)oldfd < fd_slots && inode && fds[oldfd].inode == inode && fds[oldfd].stack != UINT32_MAX) {
    in_hook = 1;
    uint32_t stack = fds[oldfd].stack;
    uint64_t t = now_ns();
    set_slot(newfd, stack, inode, t);
    __atomic_fetch_add(&counts[stack].opens, 1, __ATOMIC_RELAXED);
    log_event(EVENT_OPEN, KIND_DUP, newfd, stack, inode, t);
    in_hook = 0;
    return;
  }
  struct stat st;
  if (fstat(newfd, &st) == 0 && S_ISSOCK(st.st_mode)) record_new(newfd, -1, KIND_DUP);
}

EXPORT int socket(int domain, int type, int protocol) {
  resolve();
  int fd = real_socket(domain, type, protocol);
  if (fd >= 0) { int saved = errno; record_new(fd, -1, KIND_SOCKET); errno = saved; }
  return fd;
}

EXPORT int accept(int s, struct sockaddr *addr, socklen_t *len) {
  resolve();
  int fd = real_accept(s, addr, len);
  if (fd >= 0) { int saved = errno; record_new(fd, -1, KIND_ACCEPT); errno = saved; }
  return fd;
}

EXPORT int accept4(int s, struct sockaddr *addr, socklen_t *len, int flags) {
  resolve();
  int fd = real_accept4(s, addr, len, flags);
  if (fd >= 0) { int saved = errno; record_new(fd, -1, KIND_ACCEPT); errno = saved; }
  return fd;
}

EXPORT int socketpair(int domain, int type, int protocol, int sv[2]) {
  resolve();
  int r = real_socketpair(domain, type, protocol, sv);
  if (r == 0) { int saved = errno; record_new(sv[0], sv[1], KIND_SOCKETPAIR); errno = saved; }
  return r;
}

EXPORT int dup(int oldfd) {
  resolve();
  int fd = real_dup(oldfd);
  if (fd >= 0) { int saved = errno; record_dup(fd, oldfd); errno = saved; }
  return fd;
}

EXPORT int dup2(int oldfd, int newfd) {
  resolve();
  if (oldfd != newfd) record_close(newfd);
  int fd = real_dup2(oldfd, newfd);
  if (fd >= 0 && oldfd != newfd) { int saved = errno; record_dup(fd, oldfd); errno = saved; }
  return fd;
}

EXPORT int dup3(int oldfd, int newfd, int flags) {
  resolve();
  if (oldfd != newfd) record_close(newfd);
  int fd = real_dup3(oldfd, newfd, flags);
  if (fd >= 0) { int saved = errno; record_dup(fd, oldfd); errno = saved; }
  return fd;
}

static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd, va_list ap) {
  void *arg = va_arg(ap, void *);
  int r = real(fd, cmd, arg);
  if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) { int saved = errno; record_dup(r, fd); errno = saved; }
  return r;
}

EXPORT int fcntl(int fd, int cmd, ...) {
  resolve();
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_common(real_fcntl, fd, cmd, ap);
  va_end(ap);
  return r;
}

EXPORT int fcntl64(int fd, int cmd, ...) {
  resolve();
  va_list ap;
  va_start(ap, cmd);
  int r = fcntl_common(real_fcntl64 ? real_fcntl64 : real_fcntl, fd, cmd, ap);
  va_end(ap);
  return r;
}

EXPORT int close(int fd) {
  resolve();
  record_close(fd);
  return real_close(fd);
}

/* A module unloaded: its addresses may come back holding other code, whose unwind rules differ.
   A dlclose that only drops a reference (the module stays, as libc does for a program that opens
   it again and again) keeps the rules: each forgetting costs one of 65,535 generations, after which
   every stack is read by backtrace(). */
EXPORT int dlclose(void *handle) {
  resolve();
  if (!real_dlclose) { errno = ENOSYS; return -1; }
  const void *map = handle;
  __asm__("" : "+r"(map)); /* dlclose's handle is declared nonnull: keep the test for a NULL one */
  const void *inside = map ? (const void *)((const struct link_map *)map)->l_ld : NULL;
  int r = real_dlclose(handle);
  if (!fu_still_loaded(inside, handle)) fu_invalidate();
  return r;
}
