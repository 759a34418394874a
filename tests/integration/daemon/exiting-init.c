/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv-exiting-init [live]: an init for a pid namespace whose main thread ends
 * before its process does: main() starts a second thread that waits forever
 * and then calls pthread_exit(), so the thread-group leader stays a zombie
 * while the process lives on. With "live" the main thread waits forever too
 * (a test then moves one of the two threads to other cgroups).
 *
 * As pid 1 of its namespace it gets no signal it does not handle from inside
 * it; the test kills it with SIGKILL from outside.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *wait_forever(void *arg)
{
        for (;;)
                pause();
        return NULL;
}

int main(int argc, char **argv)
{
        pthread_t th;
        int r = pthread_create(&th, NULL, wait_forever, NULL);
        if (r != 0) {
                fprintf(stderr, "pthread_create: %s\n", strerror(r));
                return 1;
        }
        if (argc > 1 && strcmp(argv[1], "live") == 0)
                wait_forever(NULL);
        pthread_exit(NULL);
}
