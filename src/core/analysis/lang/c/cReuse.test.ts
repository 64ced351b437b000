import { test } from 'node:test';
import { checkKeyMutations } from '../../testing/reuseKit';
import { C_FUNCTIONS } from './index';

// `serve_udp` loops over a global count that nothing it runs changes, so the loop runs at least once
// (cfg.ts entersOnce, globals.ts countUnchanged) and the path that skips it is no leak. What decides
// that lies outside its text and its callees' texts: through `hook()` (a call through a pointer) it may
// run any function of the file, and the file may keep the count's address. Its cached result must not
// be reused when either changes elsewhere in the file.
const BASE = `
struct config { int workers; int port; } settings;
void dispatch(int fd);
void (*hook)(void);
void tune(void) { settings.port = 1; }
int serve_udp(void) {
  int c;
  int sfd = socket(AF_INET, SOCK_DGRAM, 0);
  if (sfd < 0)
    return -1;
  hook();
  for (c = 0; c < settings.workers; c++) {
    int per_thread;
    if (c == 0) {
      per_thread = sfd;
    } else {
      per_thread = dup(sfd);
      if (per_thread < 0)
        exit(1);
    }
    dispatch(per_thread);
  }
  return 0;
}
`;

test('C: a loop count changed by another function of the file, or whose address the file keeps, re-analyses the function that loops over it', async () => {
  await checkKeyMutations('c', C_FUNCTIONS, BASE, [
    { input: 'another function (reached through a pointer) now sets the count', replace: ['settings.port = 1;', 'settings.workers = 1;'], hits: 0, misses: 1, changesResult: true },
    { input: 'the file keeps the count\'s address', replace: ['void (*hook)(void);', 'void (*hook)(void);\nstruct config *cfgp = &settings;'], hits: 0, misses: 1, changesResult: true },
    { input: 'nothing it depends on (the value another function stores in another field)', replace: ['settings.port = 1;', 'settings.port = 2;'], hits: 1, misses: 0, changesResult: false },
  ]);
});
