// The C connect/accept/close loop of `npm run bench:origins` (scripts/bench-origins.mjs): ITERATIONS
// times, a client socket connects to a loopback listener, the server accepts, both close (the client
// with linger 0, so that runs back to back do not run out of ephemeral ports in TIME_WAIT). Prints
// the loop's elapsed and CPU seconds (the process's user + system time, which other load on the machine
// does not inflate), the whole process's CPU seconds so far (startup included: valgrind's is large) and
// the process's peak resident memory (VmHWM, kB) as one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long peak_kb(void) {
  char line[256];
  long kb = -1;
  FILE *f = fopen("/proc/self/status", "r");
  while (f && fgets(line, sizeof line, f)) if (strncmp(line, "VmHWM:", 6) == 0) kb = atol(line + 6);
  if (f) fclose(f);
  return kb;
}

int main(int argc, char **argv) {
  int iterations = argc > 1 ? atoi(argv[1]) : 10000;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in server;
  memset(&server, 0, sizeof server);
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof server;
  if (bind(listener, (struct sockaddr *)&server, len) != 0 || listen(listener, 128) != 0) { perror("listen"); return 1; }
  getsockname(listener, (struct sockaddr *)&server, &len);
  struct linger reset = { 1, 0 };
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
  for (int i = 0; i < iterations; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&server, sizeof server) != 0) { perror("connect"); return 1; }
    int a = accept(listener, NULL, NULL);
    if (a < 0) { perror("accept"); return 1; }
    setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(a);
    close(c);
  }
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double process_cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  printf("{\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"processCpuSeconds\":%.6f,\"peakKb\":%ld}\n",
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
         (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9, process_cpu, peak_kb());
  return 0;
}
