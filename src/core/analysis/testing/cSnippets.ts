/**
 * Test support: C/C++ snippets shared by the analyzer and fix tests of ../c. Used by tests only;
 * nothing in the extension or the CLI imports it.
 */

/** The headers most C snippets start with (5 lines: line numbers in the tests count them). */
export const C_HEADERS = '#include <stdio.h>\n#include <stdlib.h>\n#include <fcntl.h>\n#include <sys/socket.h>\n#include <unistd.h>\n';

/**
 * C++ functions that leave by `throw` (a), leak inside a try/catch (b) and in a lambda (c): the
 * leaking exits are the snippet's lines 4 (s), 11 (fd) and 16 (fp).
 */
export const CPP_THROW_TRY_LAMBDA = `int a() {
  int s = ::socket(2, 1, 0);
  if (s < 0) throw std::runtime_error("socket");
  if (::listen(s, 5) < 0) throw std::runtime_error("listen");
  ::close(s);
  return 0;
}
int b(const char *p) {
  int fd = open(p, O_RDONLY);
  if (fd < 0) return -1;
  try { if (read(fd, nullptr, 0) < 0) throw 1; } catch (...) { return -2; }
  close(fd);
  return 0;
}
void c() {
  auto f = [](const char *p) { FILE *fp = fopen(p, "r"); if (!fp) return -1; return 0; };
  f("x");
}
`;
