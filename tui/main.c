/* multigres-tui: the incident dashboard on its own (tui.h). */
#include "compat.h"

#include "tui.h"

int
main(int argc, char **argv)
{
	return mg_tui_main(argc, argv);
}
