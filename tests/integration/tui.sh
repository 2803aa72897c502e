#!/usr/bin/env bash
# The dashboard as a person sees it: multigres-tui runs in a detached tmux
# session (80x24, then resized) against the test control plane and the
# data-plane simulator; keys are sent with send-keys and the screen is read
# with capture-pane. Asserts the tree, navigation, filter, help, the
# command line, the confirmation dialog, a switchover through the
# simulator and the role change it brings, a refused action, the notice
# while the API server is stopped and the recovery when it is back, and a
# clean terminal after q and after SIGTERM.
#
# The Go operator is not running here, so nothing copies the topology's
# roles into Shard status.podRoles: sync_roles does that job (as the
# operator would) after the simulator moved a primary.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
suite tui

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${MG_BIN_DIR:-$top}
TUI=$bindir/tui/multigres-tui
[ -x "$TUI" ] || { echo "tui: $TUI is not built"; echo "tui: 0 passed, 1 failed"; exit 1; }
command -v tmux >/dev/null || { echo "tui: tmux is not installed"; echo "tui: 0 passed, 1 failed"; exit 1; }

work=$(mktemp -d)
sock="mg-tui-$$"
crds_ours=false
sim_pid=""
simroot="/multigres/tui-$$"
ns=""

T() { tmux -L "$sock" -f /dev/null "$@"; }

cleanup() {
	T kill-server 2>/dev/null
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null
		# the simulator's records stay in etcd: remove them
		curl -s -X POST "$MG_TEST_ETCD/v3/kv/deleterange" -d "{\"key\": \"$(printf '%s' "$simroot/" | base64 -w0)\", \"range_end\": \"$(printf '%s' "${simroot}0" | base64 -w0)\"}" >/dev/null 2>&1
	fi
	apiserver_running || apiserver_start >/dev/null 2>&1
	if [ -n "$ns" ]; then
		# with the CRDs ours to remove, the namespace must go first:
		# deleting both at once stalls the namespace for minutes
		if $crds_ours; then
			kc delete namespace "$ns" --timeout=120s >/dev/null 2>&1
		else
			kc delete namespace "$ns" --wait=false >/dev/null 2>&1
		fi
	fi
	if $crds_ours; then kc delete -k "$top/deploy/crds" --wait=false >/dev/null 2>&1; fi
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the API server, stopped and started (as tests/cluster/restart-apiserver
# does, in two halves) --------------------------------------------------------
cdir=${MG_TEST_CLUSTER_DIR:-}
apiserver_running() {
	local pid bin
	[ -n "$cdir" ] || return 0
	read -r pid bin <"$cdir/pids/kube-apiserver.pid" || return 1
	kill -0 "$pid" 2>/dev/null
}
apiserver_stop() {
	local pid bin
	read -r pid bin <"$cdir/pids/kube-apiserver.pid"
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$bin")" ] || return 1
	cp "/proc/$pid/cmdline" "$work/apiserver.cmdline"
	kill "$pid"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	sleep 0.2
}
apiserver_start() {
	local args
	mapfile -d '' args <"$work/apiserver.cmdline"
	# shellcheck disable=SC2016 # expanded by the inner bash
	setsid bash -c 'echo "$$ $1" >"$0"; exec "$@"' "$cdir/pids/kube-apiserver.pid" \
		"${args[0]}" "${args[@]:1}" </dev/null >>"$cdir/logs/kube-apiserver.log" 2>&1 &
	for _ in $(seq 1 600); do
		kc get --raw /readyz >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# ---- fixtures ---------------------------------------------------------------
# CRDs another suite is removing: wait until they are gone, then ours
crds_going() {
	[ -n "$(kc get crd shards.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]
}
for _ in $(seq 1 120); do crds_going || break; sleep 1; done
if ! kc get crd shards.multigres.com >/dev/null 2>&1; then
	kc apply --server-side -k "$top/deploy/crds" >/dev/null
	kc wait --for=condition=Established --timeout=60s crd --all >/dev/null
	crds_ours=true
fi
ns=$(new_namespace tui)
gen() { python3 "$top/tests/fixtures/tui/gen.py" "$@"; }
ok "fixtures apply" bash -c "python3 '$top/tests/fixtures/tui/gen.py' apply | '$KUBECTL' --kubeconfig='$MG_TEST_KUBECONFIG' apply -n '$ns' -f - >/dev/null"
# what the operator would have set: owners, then statuses
patch_owners() {
	local kind name p
	kc get -n "$ns" multigresclusters,cells,tablegroups,shards,pods,deployments -o json >"$work/applied.json" || return 1
	while read -r kind name p; do
		kc patch -n "$ns" "$kind" "$name" --type=merge -p "$p" >/dev/null || return 1
	done < <(gen owners <"$work/applied.json")
}
ok "fixture owner references" patch_owners
patch_status() {
	local kind name st
	while read -r kind name st; do
		kc patch -n "$ns" "$kind" "$name" --subresource=status --type=merge -p "$st" >/dev/null || return 1
	done < <(gen status)
}
ok "fixture statuses" patch_status
pods_ready() {
	[ "$(kc get pods -n "$ns" -l app.kubernetes.io/component=shard-pool -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)" = 6 ]
}
eventually 60 "the six pool pods run and are ready" pods_ready

MG_SIM_QUIET=1 python3 "$top/tests/sim/multigres_sim.py" --kubeconfig "$MG_TEST_KUBECONFIG" \
	--namespace "$ns" --etcd "$MG_TEST_ETCD" --root "$simroot" \
	--admin-port 0 --state-file "$work/sim.json" --switch-delay 0.5 \
	>"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
eventually 30 "the simulator is ready" test -s "$work/sim.json"
admin=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['adminUrl'])" "$work/sim.json")

# The operator's job, done by hand: status.podRoles from the topology.
sync_roles() {
	local tg shard patch
	curl -sf "$admin/_sim/state" >"$work/state.json" || return 1
	python3 - "$work/state.json" >"$work/roles" <<'EOF' || return 1
import json, sys
st = json.load(open(sys.argv[1]))
shards = {}
for p in st["poolers"]:
    if p.get("lifecycle", "").endswith("SHUTDOWN"):
        continue
    role = "PRIMARY" if p["role"].endswith("PRIMARY") else "REPLICA"
    shards.setdefault(p["tableGroup"], {})[p["pod"]] = role
for tg, roles in sorted(shards.items()):
    print(tg, json.dumps({"status": {"podRoles": roles}}))
EOF
	while read -r tg patch; do
		shard=$(kc get shards -n "$ns" -l "multigres.com/tablegroup=$tg" \
			-o jsonpath='{.items[0].metadata.name}') || return 1
		kc patch -n "$ns" shard "$shard" --subresource=status \
			--type=merge -p "$patch" >/dev/null || return 1
	done <"$work/roles"
}
ok "podRoles follow the simulator's topology" sync_roles

# ---- driving the dashboard ----------------------------------------------------
screen() { T capture-pane -p -t main; }
# has TEXT / hasnt TEXT; on failure the screen goes to the test's output
has() { screen >"$work/screen"; grep -qF -- "$1" "$work/screen" || { cat "$work/screen"; return 1; }; }
hasnt() { screen >"$work/screen"; ! grep -qF -- "$1" "$work/screen" || { cat "$work/screen"; return 1; }; }
# row TEXT: the screen line holding TEXT
row() { screen | grep -F -- "$1" | head -1; }
row_has() { row "$1" | grep -qF -- "$2"; }
keys() { T send-keys -t main "$@"; }

# start_tui NAME ARGS...: a fresh session running the dashboard in a shell
# that records the terminal before and after, and the exit status
start_tui() {
	local name=$1
	shift
	T kill-server 2>/dev/null
	rm -f "$work/$name".*
	cat >"$work/$name.sh" <<EOF
stty -g >"$work/$name.stty-before"
echo BEFORE-THE-DASHBOARD
env ${TUI_ENV:-} KUBECONFIG="$MG_TEST_KUBECONFIG" "$TUI" ${TUI_CMD:-} -n "$ns" --log-file "$work/$name.log" $* 2>"$work/$name.stderr"
echo "\$?" >"$work/$name.rc"
stty -g >"$work/$name.stty-after"
echo AFTER-THE-DASHBOARD
exec sleep 600
EOF
	T new-session -d -x 80 -y 24 -s main "bash --norc --noprofile $work/$name.sh"
}
tui_pid() { pgrep -P "$(T display -p -t main '#{pane_pid}')" -f multigres-tui; }

# terminal_clean NAME: after the dashboard left
terminal_clean() {
	local name=$1
	[ -s "$work/$name.rc" ] || { echo "no exit status"; return 1; }
	[ "$(T display -p -t main '#{alternate_on}')" = 0 ] || { echo "still on the alternate screen"; return 1; }
	[ "$(T display -p -t main '#{cursor_flag}')" = 1 ] || { echo "cursor hidden"; return 1; }
	[ "$(T display -p -t main '#{mouse_any_flag}')" = 0 ] || { echo "mouse still reported"; return 1; }
	cmp -s "$work/$name.stty-before" "$work/$name.stty-after" || { echo "stty differs"; return 1; }
	has BEFORE-THE-DASHBOARD || { echo "the shell's screen was not restored"; screen; return 1; }
	has AFTER-THE-DASHBOARD || { echo "no shell output after"; return 1; }
	hasnt "multigres  ctx" || { echo "dashboard left on screen"; screen; return 1; }
	[ ! -s "$work/$name.stderr" ] || { echo "stderr:"; cat "$work/$name.stderr"; return 1; }
}

# ---- read-only session: the tree, navigation, filter, help, views ------------
start_tui ro
eventually 20 "the header names the context and the namespace" has "ctx mg-test  ns $ns  read-only"
eventually 20 "counts and health: six pods ready, healthy" has "6/6 pods ready  healthy"
ok "the tree: the cluster" has "cluster demo"
ok "the tree: cells" has "cell zone-b"
ok "the tree: table groups" has "tg postgres/default"
ok "the tree: a shard, 3/3 ready, backup age" row_has "shard 0-inf" "3/3"
ok "the tree: a pool" row_has "pool main" "3/3"
ok "the tree: the primary pod" row_has "demo-default-0-inf-main-a-0" PRIMARY
# The fixture's spec-hash (gen.py HASH) is not what its Shard gives, so
# every pod shows as drifted, as `status` would show it.
replica_row() { row demo-default-0-inf-main-a-1 | grep -Eq 'REPLICA yes +yes +3h[0-9m]* +0 *$'; }
ok "the tree: a replica, ready, drifted, its backup age and restarts" replica_row
ok "the tree's guides" has "│     ├─"
ok "the detail pane shows the selection (the cluster)" has "MultigresCluster/$ns/demo"

# what reaches the terminal: little when idle, a few rows for a move,
# never a clear screen (curses sends only the cells that changed)
T pipe-pane -t main -o "cat >>'$work/out.bytes'"
sleep 3
bytes() { wc -c <"$work/out.bytes"; }
idle_bytes=$(bytes)
ok "idle: a few bytes a second (the clock), not repaints ($idle_bytes bytes in 3 s)" test "$idle_bytes" -lt 600
: >"$work/out.bytes"
keys j
eventually 5 "j moves to the next row" has "Cell/$ns/demo-zone-a"
sleep 0.3
move_bytes=$(bytes)
ok "a move sends only the changed rows ($move_bytes bytes; the screen is 1920 cells)" test "$move_bytes" -lt 1200
no_clear() { ! grep -qaF $'\e[2J' "$work/out.bytes" && ! grep -qaF $'\e[H\e[J' "$work/out.bytes"; }
ok "the screen is never cleared" no_clear
T pipe-pane -t main

keys ':goto demo-tg1-0-inf-main-a-2' Enter
eventually 5 ":goto selects a pod; the detail pane follows" has "Pod/$ns/demo-tg1-0-inf-main-a-2"
ok "the pod's detail: role, readiness, cell" has "role REPLICA  ready yes  restarts 0  cell zone-a"
keys k k
eventually 5 "k moves up" has "Pod/$ns/demo-tg1-0-inf-main-a-0"
keys Down
eventually 5 "Down moves down" has "Pod/$ns/demo-tg1-0-inf-main-a-1"
keys Left Left
eventually 5 "Left goes to the parent (the pool)" has "pool main"
keys ':goto default' Enter Enter
eventually 5 "Enter collapses a table group" hasnt "demo-default-0-inf-main-a-0"
keys Enter
eventually 5 "Enter expands it again" has "demo-default-0-inf-main-a-0"

keys / 'role:primary' Enter
eventually 5 "the filter keeps the primaries and their ancestors" has "2 matches"
ok "filtered: replicas are gone" hasnt "demo-default-0-inf-main-a-1"
ok "filtered: the first match is selected" has "Pod/$ns/demo-default-0-inf-main-a-0"
keys n
eventually 5 "n goes to the next match" has "Pod/$ns/demo-tg1-0-inf-main-a-0"
keys N
eventually 5 "N goes back" has "Pod/$ns/demo-default-0-inf-main-a-0"
keys Escape
eventually 5 "Esc clears the filter" has "demo-default-0-inf-main-a-1"
keys / '(bad' Enter
eventually 5 "a bad filter is refused with the reason" has "filter '(bad'"

keys s
eventually 5 "s changes the sort order" has "sorted by status"
keys ':sort name' Enter

keys '?'
eventually 5 "? shows the help" has "KEYS"
ok "the help lists the arrow keys" has "Up k"
keys G
eventually 5 "the help scrolls to its end (commands too)" has "yaml"
keys q
eventually 5 "q leaves the help" has "cluster demo"

keys ':goto demo-default-0-inf-main-a-0' Enter y
eventually 5 "y shows the pod's YAML" has "kind: Pod"
keys q
keys e
eventually 5 "e shows the events view" has "LAST   TYPE    REASON"
eventually 10 "an event of the namespace is listed" has "Scheduled"
keys Tab
eventually 5 "Tab goes back to the tree" has "cluster demo"

keys ':goto tg1' Enter ':' Up
eventually 5 "the command line has history" has ":goto tg1"
keys Escape
keys ':nonsense' Enter
eventually 5 "an unknown command is named" has "unknown command 'nonsense'"

keys ':goto demo-default-0-inf-main-a-1' Enter D
eventually 5 "read-only: D needs --write" has "needs --write"

T resize-window -t main -x 120 -y 30
eventually 5 "a resize is followed (wide columns appear)" has "STATUS"
ok "wide: the pod's phase is shown" row_has demo-default-0-inf-main-a-1 Running
T resize-window -t main -x 80 -y 24
eventually 5 "back to 80 columns" hasnt "STATUS"

kc delete deployment -n "$ns" demo-zone-b-multigateway >/dev/null
eventually 10 "a new finding reaches the header" has "1 error: cell zone-b: no multig"
keys F
eventually 5 "F lists the findings" has "error GatewayMissing       cell zone-b: no multigateway Deployment"
keys q

keys q
eventually 10 "q quits" test -s "$work/ro.rc"
ok "exit status 0 after q" expect_eq 0 cat "$work/ro.rc"
ok "the terminal is clean after q" terminal_clean ro

# ---- write session: dialogs, a switchover, a refusal --------------------------
start_tui rw --write --admin-url "$admin"
eventually 20 "--write shows in the header" has "ns $ns  WRITE"
keys ':goto demo-default-0-inf-main-a-1' Enter D
eventually 15 "D opens the drain dialog naming the pod" has "Drain pod $ns/demo-default-0-inf-main-a-1?"
ok "the dialog says what will happen" has "drain.multigres.com/state"
keys n
eventually 5 "n cancels" has "cancelled: nothing was changed"
ok "nothing was changed on the pod" expect_eq "" kc get pod -n "$ns" demo-default-0-inf-main-a-1 \
	-o jsonpath='{.metadata.annotations.drain\.multigres\.com/state}'

keys ':goto demo-tg1-0-inf-main-a-2' Enter D
eventually 15 "the drain dialog again" has "Drain pod $ns/demo-tg1-0-inf-main-a-2?"
keys y
drain_state() { kc get pod -n "$ns" demo-tg1-0-inf-main-a-2 -o jsonpath='{.metadata.annotations.drain\.multigres\.com/state}'; }
eventually 15 "y drains: the pod carries the drain request" expect_eq requested drain_state
eventually 10 "the drain shows in the detail pane" has "drain requested"
ok "and in the DRAIN column" row_has demo-tg1-0-inf-main-a-2 requested
ok "the result is on the message line" has "drain requested for demo-tg1-0-inf-main-a-2"
kc annotate -n "$ns" pod demo-tg1-0-inf-main-a-2 drain.multigres.com/state- \
	drain.multigres.com/requested-at- >/dev/null

keys ':goto 0-inf' Enter S
eventually 15 "S opens the switchover dialog naming the shard" has "Switch over shard $ns/demo-postgres-default-0-inf-"
ok "the dialog names the current primary" has "Primary now: demo-default-0-inf-main-a-0"
keys y
eventually 20 "the switchover's result is shown" has "switchover done: primary moved from demo-default-0-inf-m"
ok "the role changes in the topology" sync_roles
eventually 10 "the old primary is now a replica on screen" row_has demo-default-0-inf-main-a-0 REPLICA
new_primary() { screen | grep -qE 'demo-default-0-inf-main-a-[12] +PRIMARY'; }
ok "another pod is the primary" new_primary
primary=$(screen | grep -oE 'demo-default-0-inf-main-a-[0-9] +PRIMARY' | cut -d' ' -f1)
same_primary() { row_has "$primary" PRIMARY; }

curl -sf -X POST -H 'Content-Type: application/json' -d '{"switchFail": "simulated refusal"}' \
	"$admin/_sim/faults" >/dev/null
keys ':goto 0-inf' Enter S
eventually 15 "the dialog again" has "Switch over shard"
keys y
eventually 20 "a failed action opens a dialog" has "Switchover failed for shard $ns/demo-postgres-default-0-inf-"
ok "the dialog has the server's message" has "ResignLeadership"
ok "the server's own words" has "failed: simulated refusal"
ok "and says nothing else changed" has "Nothing else was changed."
keys Enter
eventually 5 "Enter closes it" hasnt "Nothing else was changed."
sync_roles >/dev/null
ok "a failed action moved nothing" same_primary
curl -sf -X DELETE "$admin/_sim/faults" >/dev/null

pid=$(tui_pid)
ok "the dashboard runs" test -n "$pid"
kill -TERM "$pid"
eventually 10 "SIGTERM ends it" test -s "$work/rw.rc"
ok "the terminal is clean after SIGTERM" terminal_clean rw
ok "nothing was printed behind the dashboard's back" test ! -s "$work/rw.stderr"
ok "the log file got the actions" grep -q "confirmed: switchover" "$work/rw.log"

# ---- a crash: the fatal-signal handler gives the terminal back ----------------
start_tui crash
eventually 20 "crash session: the dashboard runs" has "cluster demo"
kill -SEGV "$(tui_pid)"
eventually 10 "SIGSEGV ends it" test -s "$work/crash.rc"
ok "with the signal's status" expect_eq 139 cat "$work/crash.rc"
crash_clean() {
	# stderr may hold a sanitizer's report: only the terminal matters here
	: >"$work/crash.stderr"
	terminal_clean crash
}
ok "the terminal is clean after a crash" crash_clean

# ---- production banner, monochrome ---------------------------------------------
start_tui prod --production-pattern '^mg-t'
eventually 20 "a production-looking context gets the red banner" has "PRODUCTION  context 'mg-test' matches /^mg-t/"
coloured() { T capture-pane -e -p -t main | grep -qE $'\e\\[([0-9]+;)*(3[0-7]|4[0-7]|38;5;[0-9]+)[;m]'; }
ok "colours are used by default" coloured
keys q
eventually 10 "q" test -s "$work/prod.rc"

TUI_ENV="NO_COLOR=1" start_tui mono
eventually 20 "NO_COLOR: the dashboard runs" has "cluster demo"
fails "NO_COLOR: no colour at all" coloured
reverse() { T capture-pane -e -p -t main | grep -q $'\e\\[7m'; }
ok "NO_COLOR: the selection still shows (reverse video)" reverse
keys q
eventually 10 "q" test -s "$work/mono.rc"

# ---- the one binary krew installs: kubectl-multigres tui -----------------------
TUI=$bindir/plugin/kubectl-multigres TUI_CMD=tui start_tui plugin
eventually 20 "kubectl-multigres tui: the same dashboard" has "cluster demo"
ok "kubectl-multigres tui: the header names the context and the namespace" has "ctx mg-test  ns $ns  read-only"
keys q
eventually 10 "kubectl-multigres tui: q" test -s "$work/plugin.rc"
ok "kubectl-multigres tui: exit status 0 after q" expect_eq 0 cat "$work/plugin.rc"

# ---- the API server goes away and comes back -----------------------------------
# Last, because the control plane takes a while to settle afterwards.
if [ -n "$cdir" ]; then
	start_tui outage
	eventually 20 "outage session: the tree" has "demo-default-0-inf-main-a-1"
	ok "the API server stops" apiserver_stop
	eventually 15 "the dashboard says the API server is unreachable" has "API server unreachable"
	ok "the header says OFFLINE" has "OFFLINE"
	ok "the last known tree stays" has "demo-default-0-inf-main-a-1"
	ok "the API server starts again" apiserver_start
	eventually 15 "the notice goes when it is back" hasnt "API server unreachable"
	ok "the header is live again" has "live"
	kc patch -n "$ns" pod demo-tg1-0-inf-main-a-2 --type=merge \
		-p '{"metadata":{"annotations":{"drain.multigres.com/state":"requested"}}}' >/dev/null
	keys ':goto demo-tg1-0-inf-main-a-2' Enter
	eventually 15 "watches resumed: a change after the restart reaches the screen" row_has demo-tg1-0-inf-main-a-2 requested
	kc annotate -n "$ns" pod demo-tg1-0-inf-main-a-2 drain.multigres.com/state- >/dev/null
	eventually 60 "the pods are still ready after the outage" pods_ready
	keys q
	eventually 10 "q after the outage" test -s "$work/outage.rc"
	ok "nothing printed behind the dashboard's back during the outage" test ! -s "$work/outage.stderr"
	# leave the control plane working: its scheduler needs a while
	# after a restart before it schedules again
	canary() {
		kc run -n "$ns" canary --image=busybox --restart=Never >/dev/null 2>&1
		[ "$(kc get pod -n "$ns" canary -o jsonpath='{.status.phase}' 2>/dev/null)" = Running ]
	}
	eventually 180 "the control plane schedules pods again" canary
else
	echo "# MG_TEST_CLUSTER_DIR unset: API server stop/start not tested"
fi


finish
