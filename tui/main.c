/* multigres-tui: the incident dashboard. Only usage for now. */
#include "compat.h"

int
main(int argc, char **argv)
{
	(void)argv;
	fprintf(argc > 1 ? stdout : stderr,
		"usage: kubectl multigres tui [--write]\n");
	return argc > 1 ? 0 : 2;
}
