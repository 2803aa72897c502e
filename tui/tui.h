/*
 * tui.h - the incident dashboard, as a function.
 *
 * `multigres-tui ARGS` and `kubectl multigres tui ARGS` run the same code:
 * the standalone binary's main() and the plugin's `tui` command both call
 * mg_tui_main, so a krew install (one binary) has the dashboard too.
 *
 * argv[0] is the program name used in messages; options as in usage
 * (mg_tui_main with --help prints them). Returns the exit status: 0, 1
 * when the dashboard could not start or ended on an error, 2 for a usage
 * error. The terminal is always given back as it was found.
 */
#ifndef MG_TUI_H
#define MG_TUI_H

int mg_tui_main(int argc, char **argv);

#endif /* MG_TUI_H */
