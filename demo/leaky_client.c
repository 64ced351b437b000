/*
 * SockScope demo client: the seed's send_message() (a socket client that returns on error paths
 * without close(sockfd)), talking to the demo server (demo/leaky-server.js).
 *
 *   cc -g -o leaky_client leaky_client.c
 *   sockscope run -- ./leaky_client --port PORT [--interval MS] [--long-every N] [--max N]
 *
 * Every --long-every'th request asks for an item whose answer does not fit the reply buffer: that
 * error path returns without close(), and once the server has sent its answer and closed its side,
 * the socket sits in CLOSE_WAIT in THIS process (and the server's side in FIN_WAIT_2), as in the seed.
 * The setsockopt() and gethostbyname() failure paths leak too, but do not happen here. The editor finds
 * all three; the running process shows that this socket() leaks, not on which path: it confirms all three. After --max leaked sockets (default
 * 200) it sends only short requests, so a forgotten demo cannot exhaust the machine. It exits when
 * its parent goes away.
 */
#define _DEFAULT_SOURCE
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

typedef int BOOL;
#define FALSE 0
#define TRUE 1

struct net_config {
    const char *ip;
    int port;
};

static BOOL send_message(const struct net_config *net_config, const char *content, char *reply, size_t reply_len, unsigned int timeout_ms)
{
    int sockfd;
    ssize_t n;
    struct sockaddr_in serv_addr;
    struct hostent *server;
    struct timeval tv;

    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;

    sockfd = socket(AF_INET, SOCK_STREAM, 0);
    if (sockfd < 0) {
        perror("Error opening socket");
        return FALSE;
    }

    if (setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(struct timeval)) != 0) {
        perror("Error assigning socket option");
        return FALSE;
    }

    server = gethostbyname(net_config->ip);
    if (server == NULL) {
        fprintf(stderr, "No such host\n");
        return FALSE;
    }

    memset(&serv_addr, 0, sizeof(serv_addr));
    serv_addr.sin_family = AF_INET;
    memcpy(&serv_addr.sin_addr.s_addr, server->h_addr_list[0], (size_t)server->h_length);
    serv_addr.sin_port = htons((unsigned short)net_config->port);

    if (connect(sockfd, (struct sockaddr *)&serv_addr, sizeof(serv_addr)) < 0) {
        perror("Error connecting");
        close(sockfd);
        return FALSE;
    }

    n = write(sockfd, content, strlen(content));
    if (n < 0) {
        perror("Error writing to socket");
        close(sockfd);
        return FALSE;
    }

    n = recv(sockfd, reply, reply_len - 1, 0);
    if (n < 0) {
        perror("Error reading from socket");
        close(sockfd);
        return FALSE;
    }
    if ((size_t)n == reply_len - 1) {
        fprintf(stderr, "Reply does not fit the buffer\n");
        return FALSE;
    }

    reply[n] = '\0';
    close(sockfd);
    return TRUE;
}

static int option(int argc, char **argv, const char *name, int fallback)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return atoi(argv[i + 1]);
    return fallback;
}

int main(int argc, char **argv)
{
    struct net_config config = { "127.0.0.1", option(argc, argv, "--port", 0) };
    int interval_ms = option(argc, argv, "--interval", 300);
    int long_every = option(argc, argv, "--long-every", 3);
    int max_leaks = option(argc, argv, "--max", 200);
    pid_t parent = getppid();
    char request[128];
    char reply[32];
    int leaked = 0;

    if (config.port <= 0 || interval_ms <= 0 || long_every <= 0) {
        fprintf(stderr, "usage: leaky_client --port PORT [--interval MS] [--long-every N] [--max N]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("PID %d\n", (int)getpid());
    for (int i = 1; getppid() == parent; i++) {
        BOOL long_reply = i % long_every == 0 && leaked < max_leaks;
        snprintf(request, sizeof(request), long_reply ? "GET /item/%d/with/all/of/its/details\n" : "GET /item/%d\n", i);
        if (!send_message(&config, request, reply, sizeof(reply), 2000) && long_reply)
            leaked++;
        usleep((useconds_t)interval_ms * 1000);
    }
    return 0;
}
