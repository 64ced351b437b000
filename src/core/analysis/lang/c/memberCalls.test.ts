import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeC } from './index';
import { C_HEADERS } from '../../testing/cSnippets';

/** C++ members named like library functions are not those functions. Line numbers count the 5 header lines. */

async function findings(body: string): Promise<string[]> {
  const r = await analyzeC(C_HEADERS + body, 'cpp', {});
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.function}:${f.variable}`);
}

test('an unqualified call inside a method finds the class member before open(2)', async () => {
  assert.deepEqual(await findings(`
class Table {
 public:
  int open(const char *name, bool create);
  int store(const char *name);
  int raw(const char *name);
};
int Table::store(const char *name) {
  int h = open(name, false);
  if (h < 0)
    return -1;
  return 0;
}
int Table::raw(const char *name) {
  int fd = ::open(name, O_RDONLY);
  if (fd < 0)
    return -1;
  return 0;
}
int plain(const char *name) {
  int fd = open(name, O_RDONLY);
  if (fd < 0)
    return -1;
  return 0;
}
`), ['23:Table::raw:fd', '29:plain:fd']);
});

test('a method defined in its class body, and a class known only by its out-of-class definitions, hide socket() and open()', async () => {
  assert.deepEqual(await findings(`
struct Pool {
  int socket(int family) { return family; }
  int grab(int family) {
    int s = socket(family);
    if (s < 0)
      return -1;
    return 0;
  }
};
int Files::open(const char *p) { return p != 0; }
int Files::check(const char *p) {
  int h = open(p);
  if (h < 0)
    return -1;
  return 0;
}
int Other::check(const char *p) {
  int fd = open(p, O_RDONLY);
  if (fd < 0)
    return -1;
  return 0;
}
`), ['27:Other::check:fd']);
});

test('a qualified call names a member unless it is global or std', async () => {
  assert.deepEqual(await findings(`
int f(const char *p) {
  int a = Store::open(p);
  if (a < 0)
    return -1;
  FILE *c = std::fopen(p, "r");
  if (!c)
    return -1;
  return 0;
}
`), ['14:f:c']);
});
