/*
 * kubectl-multigres: entry point. Commands arrive with the plugin issue; for
 * now it knows its name, its version and its usage.
 */
#include "compat.h"

static const char usage[] =
	"usage: kubectl multigres [--kubeconfig FILE] [--context NAME] "
	"[-n NAMESPACE] COMMAND [ARGS]\n"
	"\n"
	"Run Multigres (sharded PostgreSQL) on Kubernetes.\n"
	"\n"
	"commands:\n"
	"  version    print the client version\n"
	"  help       show this help\n";

int
main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version")) {
		printf("kubectl-multigres %s\n", MG_VERSION);
		return 0;
	}
	fprintf(stderr, "kubectl-multigres: unknown command '%s'\n%s", argv[1],
		usage);
	return 2;
}
