/* multigres-operator: reconciles MultigresCluster resources. Only usage. */
#include "compat.h"

int
main(int argc, char **argv)
{
	(void)argv;
	fprintf(argc > 1 ? stdout : stderr,
		"usage: multigres-operator [--kubeconfig FILE]\n");
	return argc > 1 ? 0 : 2;
}
