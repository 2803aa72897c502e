#!/usr/bin/env bash
# plugin-docs suite: the command table (read from the plugin's hidden
# __table command) against its documentation. Needs no cluster.
#   - every command has its page man/kubectl-multigres-<cmd>.1, whose NAME
#     and SYNOPSIS name it and which mentions every flag of the command;
#     the main page lists every command and every global flag; no page is
#     left for a command that is gone
#   - every page is `mandoc -Tlint` clean (except for cross references to
#     our own pages, which mandoc can only find once they are installed)
#   - every command answers --help and `help CMD` alike, exit 0, listing
#     its flags; usage errors exit 2
#   - the table is sorted and its names unique
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
_suite=plugin-docs # no cluster needed: lib.sh's suite() is not called

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
man=$root/man
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }
command -v mandoc >/dev/null || { _report 1 "mandoc is installed (apt: mandoc)"; finish; exit 1; }

table=$("$bin" __table)
ok "the command table is not empty" test -n "$table"
cmds=$(awk -F'\t' '$1 == "cmd" { print $2 }' <<<"$table")
ok "commands are sorted and unique" \
	bash -c '[ "$1" = "$(sort -u <<<"$1")" ]' _ "$cmds"

# has_flag PAGE LONG SHORT: the page mentions --LONG (and -SHORT) as Fl
has_flag() {
	grep -qE "(^|[ ])Fl -$2( |\$)" "$1" || { echo "no 'Fl -$2' in $1"; return 1; }
	[ "$3" = - ] && return 0
	grep -qE "(^|[ ])Fl $3( |\$)" "$1" || { echo "no 'Fl $3' in $1"; return 1; }
}
# lint PAGE: mandoc -Tlint has nothing to say but unresolved references to
# our own pages
lint() {
	local out
	out=$(mandoc -Tlint "$1" 2>&1 | grep -v 'STYLE: referenced manual not found: Xr kubectl-multigres')
	[ -z "$out" ] || { echo "$out"; return 1; }
}

main=$man/kubectl-multigres.1
ok "the main page is lint-clean" lint "$main"
for c in $cmds; do
	page=$man/kubectl-multigres-$c.1
	if ! ok "$c: has its page man/kubectl-multigres-$c.1" test -f "$page"; then
		continue
	fi
	ok "$c: its page is lint-clean" lint "$page"
	ok "$c: its page is named kubectl-multigres-$c" grep -qx ".Nm kubectl-multigres-$c" "$page"
	ok "$c: its SYNOPSIS reads 'kubectl multigres $c'" grep -qx ".Nm kubectl multigres $c" "$page"
	ok "$c: the main page lists it" grep -qx ".It Cm $c" "$main"
	ok "$c: the main page refers to its page" grep -q "^.Xr kubectl-multigres-$c 1" "$main"
	while IFS=$'\t' read -r _ _ long short; do
		ok "$c: its page documents --$long" has_flag "$page" "$long" "$short"
	done < <(awk -F'\t' -v c="$c" '$1 == "flag" && $2 == c' <<<"$table")
done
while IFS=$'\t' read -r _ _ long short; do
	ok "global --$long: documented in the main page" has_flag "$main" "$long" "$short"
done < <(awk -F'\t' '$1 == "global"' <<<"$table")
for page in "$man"/kubectl-multigres-*.1; do
	c=$(basename "$page" .1)
	c=${c#kubectl-multigres-}
	ok "man/$(basename "$page") documents a command of the table" \
		grep -qx "$c" <<<"$cmds"
done

# --- --help and help -----------------------------------------------------------
# help_ok CMD: --help exits 0, starts the usage with the command, lists
# every flag of the command and every global one; `help CMD` prints the same
help_ok() {
	local c=$1 out long short
	out=$("$bin" "$c" --help) || { echo "--help exited $?"; return 1; }
	grep -q "^  kubectl multigres $c" <<<"$out" || { echo "$out"; return 1; }
	while IFS=$'\t' read -r _ _ long short; do
		grep -q -- "--$long" <<<"$out" || { echo "--$long missing from --help"; return 1; }
		[ "$short" = - ] || grep -q -- "-$short, --$long" <<<"$out" || { echo "-$short missing"; return 1; }
	done < <(awk -F'\t' -v c="$c" '$1 == "flag" && ($2 == c || $2 == "-")' <<<"$table")
	[ "$out" = "$("$bin" help "$c")" ] || { echo "help $c differs from $c --help"; return 1; }
	[ "$out" = "$("$bin" "$c" -h)" ] || { echo "-h differs from --help"; return 1; }
}
for c in $cmds; do
	ok "$c: --help, -h and 'help $c' print its usage and flags" help_ok "$c"
done
ok "--help alone lists every command" \
	bash -c 'out=$("$0" --help) && for c in $1; do grep -q "^  $c " <<<"$out" || exit 1; done' "$bin" "$cmds"
ok "hidden commands stay out of --help" \
	bash -c '! "$0" --help | grep -q __' "$bin"

# status STATUS COMMAND...: the command exits with STATUS and says why on
# stderr, not stdout
status() {
	local want=$1 rc out err
	shift
	err=$(mktemp)
	out=$("$@" 2>"$err")
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "exit $rc, want $want"; cat "$err"; rm -f "$err"; return 1
	fi
	if [ "$want" != 0 ] && [ ! -s "$err" ]; then
		echo "nothing on stderr"; rm -f "$err"; return 1
	fi
	rm -f "$err"
	[ "$want" = 0 ] || [ -z "$out" ] || { echo "stdout: $out"; return 1; }
}
ok "no command: usage on stderr, exit 2" status 2 "$bin"
ok "an unknown command: exit 2" status 2 "$bin" frobnicate
for c in $cmds; do
	ok "$c: an unknown flag exits 2" status 2 "$bin" "$c" --no-such-flag
done
ok "a flag missing its value: exit 2" status 2 "$bin" get mgc -o
ok "--color with a bad value: exit 2" status 2 "$bin" --color=sometimes version --client
ok "--request-timeout with a bad value: exit 2" status 2 "$bin" --request-timeout=soon version --client
ok "-o with a format the command lacks: exit 2" status 2 "$bin" version --client -o wide
ok "help for an unknown command: exit 2" status 2 "$bin" help frobnicate
ok "completion for an unknown shell: exit 2" status 2 "$bin" completion tcsh
ok "version --client needs no cluster: exit 0" status 0 env -u KUBECONFIG HOME=/nonexistent "$bin" version --client

finish
