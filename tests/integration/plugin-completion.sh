#!/usr/bin/env bash
# plugin-completion suite: shell completion of kubectl-multigres, driven
# the way a person uses it. bash and zsh run interactively inside a
# private tmux server (keys are typed, Tab pressed, the screen read back);
# fish answers `complete -C`. kubectl's own plugin completion
# (kubectl >= 1.26 runs kubectl_complete-multigres) is asked through
# `kubectl __complete`. Object names come from the live control plane.
#
# Also: completions/ holds exactly what `completion bash|zsh|fish` prints.
#
# Needs: tmux, zsh, fish (skipped, and counted as failures, when absent).
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
suite plugin-completion

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }

work=$(mktemp -d)
ns=""
sock="mgcomp$$"
cleanup() {
	# Namespaces first, waited for when the CRDs go too: deleting both
	# at once stalls the namespace controller for minutes.
	local wait=false
	tmux -L "$sock" kill-server 2>/dev/null
	[ "${installed_crds:-0}" = 1 ] && wait=true
	[ -n "$ns" ] && kc delete namespace "$ns" "$ns-other" --ignore-not-found \
		--wait=$wait --timeout=120s >/dev/null 2>&1
	[ "${installed_crds:-0}" = 1 ] && kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# --- the scripts in completions/ are the generated ones -----------------------
for sh in bash zsh fish; do
	ok "completions/kubectl-multigres.$sh is what 'completion $sh' prints" \
		diff -u "$root/completions/kubectl-multigres.$sh" <("$bin" completion "$sh")
done

# --- fixtures: a namespace with a cluster --------------------------------------
installed_crds=0
# CRDs another suite is still deleting: wait for them to go
if [ -n "$(kc get crd multigresclusters.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
	kc wait --for=delete crd -l app.kubernetes.io/part-of=kubectl-multigres --timeout=120s >/dev/null 2>&1
fi
if ! kc get crd multigresclusters.multigres.com >/dev/null 2>&1; then
	kc apply -k "$root/deploy/crds" >/dev/null && installed_crds=1
	kc wait --for condition=established --timeout=60s crd -l app.kubernetes.io/part-of=kubectl-multigres >/dev/null
fi
ns=$(new_namespace plugin-completion)
kc -n "$ns" apply -f "$root/deploy/samples/minimal.yaml" -f "$root/tests/fixtures/plugin/children.yaml" >/dev/null
kc create namespace "$ns-other" >/dev/null 2>&1 || true

# A PATH with the plugin, its completion link and kubectl, nothing else
mkdir -p "$work/bin" "$work/home"
ln -s "$bin" "$work/bin/kubectl-multigres"
ln -s "$bin" "$work/bin/kubectl_complete-multigres"
ln -s "$KUBECTL" "$work/bin/kubectl"
PATHX="$work/bin:/usr/bin:/bin"

# --- the engine: kubectl's plugin completion --------------------------------
expect_lines() { # expect_lines "want1 want2..." command...: each word is a line
	local want=$1 out w
	shift
	out=$("$@" 2>/dev/null) || return 1
	for w in $want; do
		grep -qx -- "$w" <<<"$(cut -f1 <<<"$out")" || { printf 'missing %s in:\n%s\n' "$w" "$out"; return 1; }
	done
}
kcomp() { env -i HOME="$work/home" PATH="$PATHX" KUBECONFIG="$KUBECONFIG" kubectl __complete "$@"; }
ok "kubectl completes the plugin's commands (kubectl_complete-multigres)" \
	expect_lines "get describe version completion :4" kcomp multigres ''
ok "kubectl completes kinds after 'multigres get'" \
	expect_lines "multigresclusters shards all" kcomp multigres get ''
ok "kubectl completes object names from the cluster" \
	expect_lines "minimal" kcomp multigres -n "$ns" get mgc ''
ok "kubectl completes the plugin's flags (kubectl strips its own)" \
	expect_lines "--namespace --context --output" kcomp multigres get --
ok "namespaces complete after -n" \
	expect_lines "$ns $ns-other default" kcomp multigres -n ''
ok "kubeconfig contexts complete after --context" \
	expect_lines "$(kc config current-context)" kcomp multigres --context ''
cat >"$work/dead-kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}]
current-context: dead
EOF
ok "a dead API server gives no candidates, quickly, and no error text" \
	bash -c 'out=$(timeout 10 "$0" __complete --request-timeout=1s -n x --kubeconfig "$1" get mgc "" 2>&1) && [ "$out" = ":4" ]' \
	"$bin" "$work/dead-kubeconfig"

# --- bash and zsh, typed into a terminal ------------------------------------
T() { tmux -L "$sock" -f /dev/null "$@"; }
screen() { T capture-pane -p -t s | sed '/^$/d'; }
# wait_screen PATTERN: the screen shows a line matching PATTERN within 5 s
wait_screen() {
	local _
	for _ in $(seq 50); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	printf 'screen:\n%s\n' "$(screen)"
	return 1
}
# type_tab TEXT [TABS]: clears the line, types TEXT, presses Tab
type_tab() {
	T send-keys -t s C-u C-l
	T send-keys -t s -l -- "$1"
	T send-keys -t s Tab
	[ "${2:-1}" = 2 ] && { sleep 0.3; T send-keys -t s Tab; }
	return 0
}
# complete_to TEXT WANT: typing TEXT, Tab, then "X" shows the line WANT
# followed by X (the X shows whether a space was added; tmux trims
# trailing spaces from what it captures)
complete_to() {
	type_tab "$1"
	T send-keys -t s -l X # read after the Tab is handled
	wait_screen "^\\\$ $(sed 's/[][\.*^$/]/\\&/g' <<<"$2")X\$"
}

start_shell() { # start_shell COMMAND...
	T kill-session -t s 2>/dev/null
	T new-session -d -s s -x 200 -y 50 \
		env -i HOME="$work/home" PATH="$PATHX" KUBECONFIG="$KUBECONFIG" TERM=xterm "$@"
}

if command -v tmux >/dev/null && command -v bash >/dev/null; then
	start_shell bash --norc --noprofile
	T send-keys -t s -l "PS1='\$ '; source $root/completions/kubectl-multigres.bash; clear"
	T send-keys -t s Enter
	ok "bash: a command completes" complete_to "kubectl-multigres ver" "kubectl-multigres version "
	ok "bash: a kind completes" complete_to "kubectl-multigres get multigresc" "kubectl-multigres get multigresclusters "
	ok "bash: an object name completes (after -n)" \
		complete_to "kubectl-multigres -n $ns get mgc mi" "kubectl-multigres -n $ns get mgc minimal "
	ok "bash: KIND/NAME completes" \
		complete_to "kubectl-multigres -n $ns describe srd/mini" "kubectl-multigres -n $ns describe srd/minimal-postgres-default-0-inf "
	ok "bash: --output=VALUE completes (COMP_WORDBREAKS '=')" \
		complete_to "kubectl-multigres get --output=ya" "kubectl-multigres get --output=yaml "
	ok "bash: a flag name completes" \
		complete_to "kubectl-multigres get --sel" "kubectl-multigres get --selector "
	ok "bash: the namespace after -n completes" \
		complete_to "kubectl-multigres -n $ns-ot" "kubectl-multigres -n $ns-other "
	type_tab "kubectl-multigres get " 2
	ok "bash: Tab Tab lists every kind" wait_screen "celltemplates.*multigresclusters"
	mkdir -p "$work/home/kc-dir" && touch "$work/home/kc-dir/my-kubeconfig"
	T send-keys -t s C-u
	T send-keys -t s -l "cd $work/home"
	T send-keys -t s Enter
	ok "bash: --kubeconfig completes file names" \
		complete_to "kubectl-multigres --kubeconfig kc-dir/my-k" "kubectl-multigres --kubeconfig kc-dir/my-kubeconfig "
	ok "bash: no file names where none belong" \
		complete_to "kubectl-multigres get mgc kc-d" "kubectl-multigres get mgc kc-d"
else
	_report 1 "tmux and bash are installed (apt: tmux)"
fi

if command -v tmux >/dev/null && command -v zsh >/dev/null; then
	mkdir -p "$work/zfunc"
	cp "$root/completions/kubectl-multigres.zsh" "$work/zfunc/_kubectl-multigres"
	start_shell zsh -f
	T send-keys -t s -l "PS1='\$ '; fpath=($work/zfunc \$fpath); autoload -Uz compinit; compinit -u -D; clear"
	T send-keys -t s Enter
	ok "zsh: a command completes (from \$fpath)" complete_to "kubectl-multigres ver" "kubectl-multigres version "
	ok "zsh: a kind completes" complete_to "kubectl-multigres get tablegr" "kubectl-multigres get tablegroups "
	ok "zsh: an object name completes" \
		complete_to "kubectl-multigres -n $ns get cel mi" "kubectl-multigres -n $ns get cel minimal-zone-a "
	ok "zsh: --output=VALUE completes" \
		complete_to "kubectl-multigres get --output=js" "kubectl-multigres get --output=json "
	type_tab "kubectl-multigres g" 1
	type_tab "kubectl-multigres " 2
	ok "zsh: the list shows descriptions" wait_screen "describe +-- show an object in words"
	start_shell zsh -f
	T send-keys -t s -l "PS1='\$ '; autoload -Uz compinit; compinit -u -D; source <(kubectl-multigres completion zsh); clear"
	T send-keys -t s Enter
	ok "zsh: sourcing the script works too" complete_to "kubectl-multigres descr" "kubectl-multigres describe "
else
	_report 1 "tmux and zsh are installed (apt: zsh)"
fi

if command -v fish >/dev/null; then
	fishc() {
		env -i HOME="$work/home" PATH="$PATHX" KUBECONFIG="$KUBECONFIG" \
			fish --no-config -c "source $root/completions/kubectl-multigres.fish; complete -C '$1'"
	}
	fish_desc() {
		[ "$(fishc "kubectl-multigres ver")" = "$(printf 'version\tprint the plugin, API server and operator versions')" ]
	}
	ok "fish: candidates carry their descriptions" fish_desc
	fish_has() { fishc "$1" | cut -f1 | grep -qx -- "$2" || { fishc "$1"; return 1; }; }
	ok "fish: a command completes" fish_has "kubectl-multigres ver" "version"
	ok "fish: a kind completes" fish_has "kubectl-multigres get sha" "shards"
	ok "fish: an object name completes" fish_has "kubectl-multigres -n $ns get tbg " "minimal-postgres-default"
	ok "fish: --output=VALUE completes" fish_has "kubectl-multigres get --output=w" "--output=wide"
	ok "fish: --kubeconfig completes file names" fish_has "kubectl-multigres --kubeconfig $work/home/kc-dir/my" "$work/home/kc-dir/my-kubeconfig"
else
	_report 1 "fish is installed (apt: fish)"
fi

finish
