/* Same bug as demo/leaky-server.js: the error path returns without close(fd). */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int handle_client(int listen_fd) {
    char buf[512];
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return -1; /* leak: fd is never closed on this path */
    buf[n] = '\0';
    if (strstr(buf, "bad") != NULL)
        return -1; /* leak: and on this one */
    write(fd, "OK\n", 3);
    close(fd);
    return 0;
}
