import type { Summary } from '../../engine/analysis';
import type { Validity } from '../../ir/ir';

/** The C library functions the C/C++ analyzer knows by name. */

/** What an acquired resource is: a descriptor/socket (`fd`), a `FILE *` (`file`) or a `popen` stream. */
export type ResourceKind = 'fd' | 'socket' | 'file' | 'popen';

/**
 * Calls whose result is a new descriptor or stream. Not `dup2(old, new)` nor `dup3(old, new, flags)`:
 * their result is `new` (or -1), the target descriptor, which whoever owned `new` still owns (the
 * standard descriptors, a caller's slot); it is no resource of the function's (both only borrow `old`).
 */
export const ACQUIRE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ...['socket', 'accept', 'accept4', 'open', 'openat', 'creat', 'dup', 'epoll_create', 'epoll_create1',
    'eventfd', 'timerfd_create', 'signalfd', 'inotify_init', 'inotify_init1', 'mkstemp', 'mkostemp', 'memfd_create',
  ].map((n) => [n, 'fd'] as const),
  ...['WSASocket', 'WSASocketA', 'WSASocketW'].map((n) => [n, 'socket'] as const),
  ...['fopen', 'fdopen', 'tmpfile'].map((n) => [n, 'file'] as const),
  ['popen', 'popen'],
]);

/** `dup2`/`dup3`: they copy their first argument onto the descriptor their second names, changing neither variable. */
export const DUP_ONTO: ReadonlySet<string> = new Set(['dup2', 'dup3']);

/** Calls that fill an int[2] with two descriptors, and the index of that argument. */
export const ACQUIRE_PAIR: ReadonlyMap<string, number> = new Map([['pipe', 0], ['pipe2', 0], ['socketpair', 3]]);

/** Calls that release their first argument. */
export const RELEASE: ReadonlySet<string> = new Set(['close', 'closesocket', 'fclose', 'pclose']);

/** fdopen(fd, mode): the new FILE * owns `fd`. */
export const ADOPT_FIRST_ARG: ReadonlySet<string> = new Set(['fdopen']);

/** The standard descriptors: a descriptor found equal to one of them is not one the function acquired itself. */
export const STANDARD_FDS: ReadonlySet<string> = new Set(['STDIN_FILENO', 'STDOUT_FILENO', 'STDERR_FILENO']);

/** Calls that never return. */
export const NO_RETURN: ReadonlySet<string> = new Set([
  'exit', '_exit', '_Exit', 'quick_exit', 'abort', 'err', 'errx', 'verr', 'verrx', 'pthread_exit', 'longjmp',
  'siglongjmp', '__assert_fail', '__builtin_trap', '__builtin_unreachable', 'terminate', 'ExitProcess', 'ExitThread',
]);

/** Every name whose call makes a function worth analysing. */
export const ACQUIRING_NAMES: readonly string[] = [...ACQUIRE.keys(), ...ACQUIRE_PAIR.keys()];

export function releaseFunction(kind: ResourceKind): string {
  switch (kind) {
    case 'fd': return 'close';
    case 'socket': return 'closesocket';
    case 'file': return 'fclose';
    case 'popen': return 'pclose';
  }
}

export function isStream(kind: ResourceKind): boolean {
  return kind === 'file' || kind === 'popen';
}

/** The standard streams: a stream found equal to one of them is not one the function opened itself. */
export const STANDARD_STREAMS: ReadonlySet<string> = new Set(['stdin', 'stdout', 'stderr']);

/**
 * Library calls that use a descriptor or stream passed to them and neither close nor keep it.
 * A call to any other function the analysis cannot see is taken to keep or close what it is given
 * (a hand-off), unless its name says it only uses it (`borrowsByName`).
 */
export const BORROW: ReadonlySet<string> = new Set([
  'read', 'write', 'pread', 'pwrite', 'readv', 'writev', 'send', 'recv', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendfile',
  'splice', 'connect', 'bind', 'listen', 'accept', 'accept4', 'shutdown', 'setsockopt', 'getsockopt', 'getsockname', 'getpeername',
  'fcntl', 'ioctl', 'ioctlsocket', 'fstat', 'fstatat', 'fsync', 'fdatasync', 'lseek', 'ftruncate', 'fchmod', 'fchown', 'flock',
  'lockf', 'posix_fadvise', 'isatty', 'ttyname', 'tcgetattr', 'tcsetattr', 'select', 'poll', 'epoll_ctl', 'epoll_wait', 'FD_SET',
  'FD_CLR', 'FD_ISSET', 'fprintf', 'vfprintf', 'fputs', 'fputc', 'putc', 'fgets', 'fgetc', 'getc', 'ungetc', 'fread', 'fwrite',
  'fflush', 'fileno', 'fseek', 'fseeko', 'ftell', 'ftello', 'rewind', 'feof', 'ferror', 'clearerr', 'setvbuf', 'setbuf', 'getline',
  'getdelim', 'fscanf', 'vfscanf', 'fstatfs', 'dup', 'dup2', 'dup3', 'memset', 'memcpy', 'sizeof', 'perror', 'strerror',
  'inotify_add_watch', 'inotify_rm_watch', 'timerfd_settime', 'timerfd_gettime', 'eventfd_read', 'eventfd_write', 'WSAGetLastError', 'WSAIoctl', 'WSASend', 'WSARecv', 'inet_ntop', 'inet_pton', 'getaddrinfo', 'printf', 'snprintf', 'sprintf',
  'grantpt', 'unlockpt', 'ptsname', 'ptsname_r', 'ttyname_r', 'tcflush', 'tcdrain', 'tcsendbreak', 'cfmakeraw', 'fchdir',
  'fstatvfs', 'futimens', 'futimes', 'posix_fallocate', 'fallocate', 'syncfs', 'mmap', 'sendmmsg', 'recvmmsg', 'fputws',
  'fgetws', 'fgetpos', 'fsetpos', '__fpurge', 'fpurge', 'fgetln', 'flockfile', 'funlockfile', 'syslog', 'vsyslog',
  'dprintf', 'vdprintf', 'login_tty', 'SSL_set_fd', 'SSL_set_rfd', 'SSL_set_wfd', 'CreateIoCompletionPort',
]);

/**
 * Words in a function's name that say it only uses a descriptor it is given: it reads, writes,
 * logs, queries or configures it (`read_keyfile_line`, `curlx_nonblock`, `set_cloexec`,
 * `anetKeepAlive`, `debug_fd`). Names are split at `_` and at lower-to-upper case changes.
 */
const BORROWING_WORDS: ReadonlySet<string> = new Set([
  'read', 'write', 'send', 'recv', 'print', 'printf', 'log', 'debug', 'trace', 'verbose', 'warn', 'warning', 'nonblock',
  'nonblocking', 'blocking', 'cloexec', 'keepalive', 'nodelay', 'sockopt', 'sockopts', 'reuseaddr', 'reuseport', 'stat',
  'fstat', 'flush', 'fsync', 'peek', 'poll', 'ttyname', 'isatty', 'fileno', 'getline', 'gets', 'puts', 'putc', 'getc',
]);

/** The words of an identifier, lower-cased: `curlx_nonblock` → curlx, nonblock; `anetKeepAlive` → anet, keep, alive, keepalive. */
function nameWords(name: string): string[] {
  const parts = name.split('_').flatMap((p) => p.split(/(?<=[a-z0-9])(?=[A-Z])/)).map((w) => w.toLowerCase()).filter((w) => w !== '');
  const joined = parts.slice(1).map((w, i) => parts[i] + w);
  return [...parts, ...joined];
}

/** A function the analysis cannot see whose name says it uses the descriptor without keeping or closing it. */
export function borrowsByName(name: string): boolean {
  return BORROW.has(name) || nameWords(name).some((w) => BORROWING_WORDS.has(w));
}

/**
 * A function the analysis cannot see whose name says it closes what it is given: it ends in
 * `close`, `closesocket` or `close_socket` (`sclose`, `util_closesocket`, `Curl_closesocket`,
 * `ngx_close_socket`, `anetClose`), and is not a predicate like `is_closed`.
 */
export function closesByName(name: string): boolean {
  return /(close|close_?socket)$/i.test(name) && !RELEASE.has(name) && !/^(is|has|was|can)_?[A-Z_]/i.test(name);
}

/** How a resource of this kind is tested for validity: a `FILE *` or stream against NULL, a descriptor against -1. */
export function validityOf(kind: string): Validity {
  return kind === 'file' || kind === 'popen' ? 'pointer' : 'int';
}

/** What a library function of the C tables does, as a summary (for macros that call one). */
export function tableSummary(name: string): Summary | undefined {
  if (RELEASE.has(name)) return { releases: [true], escapes: [false] };
  const kind = ACQUIRE.get(name);
  if (kind) return { releases: [], escapes: ADOPT_FIRST_ARG.has(name) ? [true] : [], returns: { resource: kind, validity: validityOf(kind), call: name } };
  return undefined;
}
