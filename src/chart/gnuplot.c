/*
 * gnuplot.c - runs gnuplot as a child process: argument vector, script on
 * its standard input through a pipe, its messages read back for errors.
 * Never a shell, so nothing in a file name or a title can run a command.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chart_priv.h"
#include "gettext.h"

extern char **environ;

p304_code gnuplot_run(const char *script, size_t len, p304_error *err)
{
	int in[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0;
	posix_spawn_file_actions_t fa;
	char *const argv[] = { "gnuplot", NULL };
	char msg[512] = "";
	size_t got = 0, off = 0;
	pid_t pid;
	int rc;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)
		goto io;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(errp[1]);
	in[0] = errp[1] = -1;
	if (rc != 0) {
		close(in[1]);
		close(errp[0]);
		if (rc == ENOENT)
			return p304_error_set(err, P304_ERR_DEPENDENCY, NULL, 0,
				_("gnuplot is not installed; charts need it: "
				"apt-get install gnuplot-nox (everything else works without it)"));
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot run gnuplot: %s"),
				      strerror(rc));
	}
	/* gnuplot may die early: do not let SIGPIPE kill us */
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		ssize_t w = write(in[1], script + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	for (;;) {
		ssize_t r = read(errp[0], msg + got, sizeof(msg) - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof(msg) - 1) {
			char sink[256];

			while (read(errp[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	msg[got] = '\0';
	close(errp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || off < len) {
		for (char *p = msg; *p; p++)
			if (*p == '\n' && p[1])
				*p = ' ';
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
				      _("gnuplot failed: %.300s"), msg[0] ? msg : _("no message"));
	}
	return P304_OK;
io:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a pipe: %s"), strerror(errno));
}
