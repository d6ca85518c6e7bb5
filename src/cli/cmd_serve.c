/*
 * cmd_serve.c - `p304 serve`: starts the local workbench server
 * (src/server/, docs/api.md) and waits for Ctrl+C or SIGTERM.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "gettext.h"
#include "server/server.h"

extern char **environ;

#ifndef P304_WEBDIR
#define P304_WEBDIR "src/web"
#endif

static const struct cli_usage usage = {
	"serve", NULL,
	N_("Starts the workbench on this machine: open the address it prints in a\n"
	"browser. The page and its JSON API (docs/api.md) run the same computations\n"
	"as the commands. Ctrl+C stops it.\n"),
	NULL
};

/* The page: DATADIR/web when installed, else the source tree's src/web. */
static const char *web_dir(const char *datadir, char *buf, size_t size)
{
	struct stat st;
	const char *env = getenv("P304_WEB");

	if (env && env[0])
		return env;
	snprintf(buf, size, "%s/web", datadir);
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : P304_WEBDIR;
}

int cmd_serve(int argc, char **argv)
{
	const char *port_s = NULL, *listen = NULL, *workspace = NULL;
	const char *max_sc = NULL, *max_mb = NULL, *heavy = NULL, *ledger = NULL;
	int64_t n_sc = 0, n_mb = 0, n_heavy = 0;
	int open_browser = 0, sig = 0;
	struct srv_config cfg;
	char web[4096], url[128], ledger_buf[4096];
	unsigned port = 0;
	sigset_t set;
	srv *s = NULL;
	p304_error err;
	int64_t v = 8304;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "--port", _("a number"), &port_s, NULL, N_("N"),
			  N_("TCP port (default 8304; 0 picks a free one)") },
			{ "--listen", _("an address"), &listen, NULL, N_("ADDR"),
			  N_("address to listen on (default 127.0.0.1, this machine only)") },
			{ "--workspace", _("a directory"), &workspace, NULL, N_("DIR"),
			  N_("where saved scenarios go (default outputs/scenarios)") },
			{ "--open", NULL, NULL, &open_browser, NULL, N_("also open the page in the default browser") },
			{ "--max-scenarios", _("a number"), &max_sc, NULL, N_("N"),
			  N_("saved scenarios at most (default 200)") },
			{ "--max-workspace-mb", _("a number"), &max_mb, NULL, N_("N"),
			  N_("their size at most, in MiB (default 64)") },
			{ "--heavy", _("a number"), &heavy, NULL, N_("N"),
			  N_("long computations (sweeps, exports) run at once (default 1)") },
			{ "--ledger", _("a file"), &ledger, NULL, N_("FILE"),
			  N_("the campaign ledger (default WORKSPACE/campagne.sqlite, created by its "
			     "first record or import)") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, NULL, 0,
					   _("no operand"), &nop);

		if (rc >= 0)
			return rc;
	}
	if (port_s && p304_parse_decimal(port_s, strlen(port_s), 0, 65535, &v, NULL, 0))
		return cli_usage_error("serve", _("--port takes 0 to 65535"));
	if (max_sc && (p304_parse_decimal(max_sc, strlen(max_sc), 0, 100000, &n_sc, NULL, 0) || n_sc < 1))
		return cli_usage_error("serve", _("--max-scenarios takes 1 to 100000"));
	if (max_mb && (p304_parse_decimal(max_mb, strlen(max_mb), 0, 100000, &n_mb, NULL, 0) || n_mb < 1))
		return cli_usage_error("serve", _("--max-workspace-mb takes 1 to 100000"));
	if (heavy && (p304_parse_decimal(heavy, strlen(heavy), 0, 64, &n_heavy, NULL, 0) || n_heavy < 1))
		return cli_usage_error("serve", _("--heavy takes 1 to 64"));
	cfg = (struct srv_config){
		.listen = listen ? listen : "127.0.0.1",
		.port = (unsigned)v,
		.datadir = p304_datadir(),
		.workspace = workspace ? workspace : "outputs/scenarios",
		.heavy = (unsigned)n_heavy,
		.ws_max_count = (size_t)n_sc,
		.ws_max_bytes = (size_t)n_mb << 20,
	};
	cfg.webdir = web_dir(cfg.datadir, web, sizeof(web));
	/* issue 22: the campaign's memory lives beside the saved scenarios
	 * unless named; never a path from a request */
	if (!ledger) {
		snprintf(ledger_buf, sizeof(ledger_buf), "%s/campagne.sqlite", cfg.workspace);
		ledger = ledger_buf;
	}
	cfg.ledger = ledger;
	/* Signals are taken by sigwait below: block them before the server's
	 * threads start, so they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv_start(&cfg, &s, &port, &err) != P304_OK)
		return cli_fail(&err);
	if (strcmp(cfg.listen, "127.0.0.1") != 0)
		fprintf(stderr, _("p304: warning: listening on %s: anyone who can reach this address "
				  "can use the workbench; the default 127.0.0.1 keeps it on this machine\n"),
			cfg.listen);
	snprintf(url, sizeof(url), "http://%s:%u/", cfg.listen, port);
	printf(_("Open %s in your browser"), url);
	printf("\n");
	printf(_("(Ctrl+C stops the server; data: %s)"), cfg.datadir);
	printf("\n");
	fflush(stdout);
	if (open_browser) {
		char *args[] = { "xdg-open", url, NULL };
		pid_t pid;

		if (posix_spawnp(&pid, "xdg-open", NULL, NULL, args, environ) != 0)
			fprintf(stderr, _("p304: cannot start xdg-open; open %s yourself\n"), url);
	}
	while (sigwait(&set, &sig) != 0)
		;
	srv_stop(s);
	printf(_("Server stopped."));
	printf("\n");
	return EXIT_OK;
}
