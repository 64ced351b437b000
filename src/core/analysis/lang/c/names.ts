/** The C library functions the C/C++ analyzer knows by name. */

/** What an acquired resource is: a descriptor/socket (`fd`), a `FILE *` (`file`) or a `popen` stream. */
export type ResourceKind = 'fd' | 'socket' | 'file' | 'popen';

/** Calls whose result is a new descriptor or stream. */
export const ACQUIRE: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ...['socket', 'accept', 'accept4', 'open', 'openat', 'creat', 'dup', 'dup2', 'dup3', 'epoll_create', 'epoll_create1',
    'eventfd', 'timerfd_create', 'signalfd', 'inotify_init', 'inotify_init1', 'mkstemp', 'mkostemp', 'memfd_create',
  ].map((n) => [n, 'fd'] as const),
  ...['WSASocket', 'WSASocketA', 'WSASocketW'].map((n) => [n, 'socket'] as const),
  ...['fopen', 'fdopen', 'tmpfile'].map((n) => [n, 'file'] as const),
  ['popen', 'popen'],
]);

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
 * A call to any other function the analysis cannot see may close or keep what it is given, so a
 * fix can no longer prove that releasing it afterwards is safe.
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
]);

/**
 * A function the analysis cannot see whose name says it closes what it is given: it ends in
 * `close`, `closesocket` or `close_socket` (`sclose`, `util_closesocket`, `Curl_closesocket`,
 * `ngx_close_socket`, `anetClose`), and is not a predicate like `is_closed`.
 */
export function closesByName(name: string): boolean {
  return /(close|close_?socket)$/i.test(name) && !RELEASE.has(name) && !/^(is|has|was|can)_?[A-Z_]/i.test(name);
}
