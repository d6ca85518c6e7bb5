/*
 * pandoc.c - turns a Markdown document (the note, a département sheet) into
 * .docx or .odt with pandoc, run as a child process with an argument vector,
 * never through a shell. pandoc is optional at run time, like gnuplot.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p304/chart.h>

#include "../gettext.h"
#include "gettext.h"
#include "chart_priv.h"

extern char **environ;

p304_code p304_pandoc_convert(const char *md_path, const char *out_path,
			      const char *resource_dir, long epoch, p304_error *err)
{
	char res_opt[4200], epoch_env[64], msg[512] = "";
	char *argv[] = { "pandoc", "--from=markdown", "--standalone", res_opt, "-o",
			 (char *)out_path, (char *)md_path, NULL };
	char **env = NULL;
	size_t nenv = 0;
	posix_spawn_file_actions_t fa;
	int errp[2] = { -1, -1 }, status = 0, rc;
	pid_t pid;

	snprintf(res_opt, sizeof(res_opt), "--resource-path=%s", resource_dir ? resource_dir : ".");
	/* the same document on the same day gives the same file (pandoc takes
	 * the zip dates from SOURCE_DATE_EPOCH): `p304 verify` can compare it */
	while (environ[nenv])
		nenv++;
	if (!(env = calloc(nenv + 2, sizeof(*env))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	nenv = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "SOURCE_DATE_EPOCH=", 18))
			env[nenv++] = *e;
	snprintf(epoch_env, sizeof(epoch_env), "SOURCE_DATE_EPOCH=%ld", epoch);
	if (epoch > 0)
		env[nenv++] = epoch_env;
	env[nenv] = NULL;
	if (pipe2(errp, O_CLOEXEC) != 0) {
		free(env);
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a pipe: %s"),
				      strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	rc = posix_spawnp(&pid, "pandoc", &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(errp[1]);
	if (rc != 0) {
		close(errp[0]);
		if (rc == ENOENT)
			return p304_error_set(err, P304_ERR_DEPENDENCY, NULL, 0,
				_("pandoc is not installed; the .docx and .odt versions need it: "
				  "apt-get install pandoc (the HTML and Markdown are written without it)"));
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot run pandoc: %s"), strerror(rc));
	}
	status = ch_child_finish(pid, errp[0], msg, sizeof(msg));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		return p304_error_set(err, P304_ERR_IO, out_path, 0, _("pandoc failed: %.300s"),
				      msg[0] ? msg : _("no message"));
	}
	return P304_OK;
}
