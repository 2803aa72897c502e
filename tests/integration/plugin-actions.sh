#!/usr/bin/env bash
# plugin-actions suite: `drain` and `switchover`, the plugin's commands
# that change a live cluster, driven through the real binary against the
# control plane and the data-plane simulator (tests/sim, started here on
# this suite's namespace; switchover reaches it with --admin-url).
#
# Fixtures (tests/fixtures/plugin-actions/): three Shards named as the
# operator names them, three pool pods of mc/postgres/default/0-inf, one
# of solo/solodb/default/0-inf (a primary without a replica) and a pod
# that is no pool pod. The suite plays the operator's part: it writes the
# Shards' status.podRoles from the simulator's topology, and a stand-in
# moves drain states.
#
#   drain       no terminal and no --yes: exit 2, the pod unchanged
#               (resourceVersion); --dry-run prints the patch and sends
#               nothing; --yes writes the annotations; refusals (primary
#               without replica, pod already draining) change nothing and
#               --force overrides only what can be forced; --wait prints
#               each state with its time and ends at ready-for-deletion,
#               the pod's deletion, cancellation (exit 1) or its --timeout
#               (exit 1)
#   switchover  preflight refusals (a drain in flight, --force; no healthy
#               replica), --to refused plainly, SHARD by name,
#               CLUSTER/DB/TG/SHARD and cluster; --yes --wait moves the
#               primary in the simulator and names old and new and the
#               time; a simulator fault: exit 1, the server's message, the
#               primary unchanged; without --admin-url it goes through the
#               API server's service proxy
#   terminal    the prompt under script(1): y goes ahead, n changes nothing
#   completion  `drain` completes pool pods, `switchover` Shards
#
# Needs python3, curl and script(1).
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fix=$root/tests/fixtures/plugin-actions
. "$here/lib.sh"
suite plugin-actions

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }
for t in python3 curl script; do
	command -v "$t" >/dev/null || { _report 1 "$t is installed"; finish; exit 1; }
done

work=$(mktemp -d)
ns="" installed_crds=0 sim_pid="" op_pid=""
cleanup() {
	local wait=false
	[ -n "$op_pid" ] && kill "$op_pid" 2>/dev/null
	if [ -n "$sim_pid" ]; then
		kill "$sim_pid" 2>/dev/null
		wait "$sim_pid" 2>/dev/null
	fi
	[ "$installed_crds" = 1 ] && wait=true
	# pods first, so that the namespace goes at once
	[ -n "$ns" ] && kc -n "$ns" delete pods --all --wait=false >/dev/null 2>&1
	[ -n "$ns" ] && kc delete namespace "$ns" --wait=$wait --timeout=120s >/dev/null 2>&1
	[ "$installed_crds" = 1 ] && kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# --- fixtures -------------------------------------------------------------------
if [ -n "$(kc get crd shards.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
	kc wait --for=delete crd -l app.kubernetes.io/part-of=kubectl-multigres --timeout=120s >/dev/null 2>&1
fi
if ! kc get crd shards.multigres.com >/dev/null 2>&1; then
	kc apply -k "$root/deploy/crds" >/dev/null && installed_crds=1
fi
ok "the Multigres CRDs are established" \
	kc wait --for condition=established --timeout=60s crd -l app.kubernetes.io/part-of=kubectl-multigres
ns=$(new_namespace plugin-actions)
ok "fixtures apply: Shards and pods" kc -n "$ns" apply -f "$fix/shards.yaml" -f "$fix/pods.yaml"

S=mc-postgres-default-0-inf-e4e8d461          # cluster mc's shard with three pods
SOLO_S=solo-solodb-default-0-inf-9a30e094     # cluster solo's only shard
P=(mc-postgres-default-0-inf-pool-main-zone1-c3233457-0
	mc-postgres-default-0-inf-pool-main-zone1-c3233457-1
	mc-postgres-default-0-inf-pool-main-zone1-c3233457-2)
SOLO=solo-solodb-default-0-inf-pool-main-zone1-1ac37436-0
STATE=drain.multigres.com/state
AT=drain.multigres.com/requested-at

all_ready() {
	local n
	n=$(kc -n "$ns" get pods -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c True)
	[ "$n" = 5 ] || { echo "$n of 5 pods Ready"; return 1; }
}
eventually 60 "the pods are Ready" all_ready

# The simulator, on this namespace, under a root of its own in etcd
MG_SIM_QUIET=1 python3 "$root/tests/sim/multigres_sim.py" --kubeconfig "$MG_TEST_KUBECONFIG" \
	--namespace "$ns" --etcd "$MG_TEST_ETCD" --root "/plugin-actions-$$/global" \
	--admin-port 0 --state-file "$work/sim.json" --switch-delay 0.5 \
	>/dev/null 2>"$work/sim.log" &
sim_pid=$!
eventually 30 "the simulator starts" test -s "$work/sim.json"
admin=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["adminUrl"])' "$work/sim.json")

# poolers DB: "hostname ROLE term serving" per live pooler of database DB
poolers() {
	curl -sf "$admin/api/v1/poolers?database=$1" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["poolers"]:
    if (p.get("lifecycleStatus") or {}).get("status") != "LIFECYCLE_ACTIVE":
        continue
    rs = p.get("routingState") or {}
    role = "PRIMARY" if rs.get("role") == "ROUTING_ROLE_PRIMARY" else "REPLICA"
    print(p["hostname"], role, ((rs.get("rule") or {}).get("coordinatorTerm") or 0),
          p.get("servingStatus") or "SERVING")'
}
# The pod of the serving primary, as the simulator has it (one claimant)
primary() {
	local l
	l=$(poolers postgres | awk '$2 == "PRIMARY" { print $1 }')
	[ "$(wc -w <<<"$l")" = 1 ] || { echo "primaries: '$l'" >&2; return 1; }
	echo "$l"
}
# stayed POD: POD is the primary still, serving: no switch-primary reached
# the simulator (which marks the primary DRAINING before it answers)
stayed() {
	local l
	l=$(poolers postgres | awk '$2 == "PRIMARY"')
	[ "$l" = "$1 PRIMARY $term0 SERVING" ] || { echo "want '$1 PRIMARY $term0 SERVING', got '$l'"; return 1; }
}
topology_ready() {
	[ "$(poolers postgres | wc -l)" = 3 ] && [ "$(poolers solodb | wc -l)" = 1 ] && primary >/dev/null
}
eventually 30 "the simulator registers four poolers, one primary for mc" topology_ready
term0=$(poolers postgres | awk '$2 == "PRIMARY" { print $3 }')

# What the operator does: status.podRoles of both Shards from topology
sync_roles() {
	local db shard roles
	for db in postgres:$S solodb:$SOLO_S; do
		shard=${db#*:}
		roles=$(poolers "${db%%:*}" | awk 'BEGIN { printf "{" }
			{ printf "%s\"%s\": \"%s\"", (NR > 1 ? ", " : ""), $1, $2 }
			END { printf "}" }')
		kc -n "$ns" patch shard "$shard" --subresource=status --type=merge \
			-p "{\"status\": {\"orchReady\": true, \"poolsReady\": true, \"podRoles\": $roles}}" \
			>/dev/null || return 1
	done
}
ok "podRoles written from topology" sync_roles

mg() { "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" "$@"; }
rv() { kc -n "$ns" get pod "$1" -o jsonpath='{.metadata.resourceVersion}'; }
annot() { kc -n "$ns" get pod "$1" -o jsonpath="{.metadata.annotations.${2//./\\.}}"; }
clear_drain() { kc -n "$ns" annotate pod "$1" "$STATE-" "$AT-" >/dev/null; }
set_state() { kc -n "$ns" annotate --overwrite pod "$1" "$STATE=$2" >/dev/null; }

# runs WANT_STATUS COMMAND...: the command (stdin not a terminal) exits
# WANT_STATUS; its stdout is in $work/out, stderr in $work/err
runs() {
	local want=$1 rc
	shift
	"$@" </dev/null >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "exit $rc, want $want"
	cat "$work/out" "$work/err"
	return 1
}
# says FILE PATTERN...: every extended regex matches a line of out or err
says() {
	local f=$work/$1 pat
	shift
	for pat in "$@"; do
		grep -qE -- "$pat" "$f" || { echo "no /$pat/ in $1:"; cat "$f"; return 1; }
	done
}
# unchanged POD RV: the pod's resourceVersion is still RV, no drain state
unchanged() {
	[ "$(rv "$1")" = "$2" ] || { echo "resourceVersion $2 -> $(rv "$1")"; return 1; }
	[ -z "$(annot "$1" "$STATE")" ] || { echo "drain state '$(annot "$1" "$STATE")'"; return 1; }
}
re() { sed 's/[][\.*^$]/\\&/g' <<<"$1"; } # a literal in a regex

# --- usage --------------------------------------------------------------------------
ok "drain: no pod is a usage error (2)" runs 2 mg drain
ok "drain: two pods are a usage error" runs 2 mg drain a b
ok "drain: --timeout without --wait is a usage error" runs 2 mg drain "${P[1]}" --timeout 5s
ok "drain: a --timeout that is no duration is a usage error" runs 2 mg drain "${P[1]}" --wait --timeout soon
ok "drain: -A is a usage error" runs 2 mg drain -A "${P[1]}"
ok "switchover: no shard is a usage error" runs 2 mg switchover
ok "switchover: A/B is neither a name nor CLUSTER/DB/TG/SHARD" runs 2 mg switchover a/b
ok "switchover: --admin-ca without --admin-url is a usage error" \
	runs 2 mg switchover "$S" --admin-ca /dev/null
ok "switchover: an --admin-url that is no http(s) URL is a usage error" \
	runs 2 mg switchover "$S" --admin-url ftp://127.0.0.1/

# --- drain ------------------------------------------------------------------------------
pri=$(primary)
for p in "${P[@]}"; do [ "$p" != "$pri" ] && { R=$p; break; }; done
ok "a replica of mc's shard to drain ($R; primary $pri)" test -n "${R:-}"

r0=$(rv "$R")
ok "drain without a terminal and --yes: refused, exit 2" runs 2 mg drain "$R"
ok "  ... says why and how" says err "refusing to drain pod $ns/$(re "$R") \(REPLICA of shard postgres/default/0-inf\) without a terminal.*--yes"
ok "  ... it printed the plan first" says out "^Allowed: every check passed" "^Patch: "
ok "  ... and the pod is unchanged" unchanged "$R" "$r0"

ok "drain --dry-run: exit 0" runs 0 mg drain "$R" --dry-run
ok "  ... prints the patch with the pod's resourceVersion" \
	says out "^Patch: \{\"metadata\":\{\"resourceVersion\":\"$r0\",\"annotations\":\{\"$STATE\":\"requested\",\"$AT\":\"20[0-9-]+T[0-9:]+Z\"\}\}\}$" \
	"^Dry run: the patch was not sent"
ok "  ... the plan names the pod, its role, the shard and the checks" \
	says out "^Pod $ns/$(re "$R"): REPLICA, Ready, pool 'main', cell 'zone1'" \
	"^Shard $S \(postgres/default/0-inf of cluster 'mc'\), durability policy AT_LEAST_2: 3 pods, 3 ready poolers" \
	"^After the drain 2 ready poolers remain .*: met"
ok "  ... and sends nothing" unchanged "$R" "$r0"

before=$(date -u +%s)
ok "drain --yes: exit 0" runs 0 mg drain "$R" --yes
ok "  ... says so" says out "^pod/$(re "$R") drain requested at 20"
ok "  ... the state annotation is 'requested'" expect_eq requested annot "$R" "$STATE"
at_recent() {
	local at t
	at=$(annot "$R" "$AT")
	t=$(date -u -d "$at" +%s) || return 1
	if [ "$t" -lt $((before - 1)) ] || [ "$t" -gt $(($(date -u +%s) + 1)) ]; then
		echo "requested-at $at, requested at $before"
		return 1
	fi
}
ok "  ... requested-at is the time of the request" at_recent

r1=$(rv "$R")
ok "drain of a draining pod, even --force: refused, exit 1" runs 1 mg drain "$R" --yes --force
ok "  ... pod-draining, which cannot be forced" \
	says out "^  - pod-draining: pod '$(re "$R")' is already draining \(state 'requested'.*\(cannot be forced\)$"
ok "  ... and the message does not offer --force" \
	bash -c '! grep -q -- "--force" "$1" && grep -q "refused; nothing was changed" "$1"' _ "$work/err"
ok "  ... nothing changed" expect_eq "$r1" rv "$R"

# switchover preflight while that drain is in flight (nothing is sent)
ok "switchover while a drain is in flight: refused, exit 1" \
	runs 1 mg switchover "$S" --admin-url "$admin" --yes
ok "  ... drain-in-flight names the pod" \
	says out "^  - drain-in-flight: a drain is in flight in the shard: '$(re "$R")' \(state 'requested'"
ok "  ... and --force is offered" says err "refused; nothing was sent \(--force overrides these checks\)"
ok "  ... the primary did not move" stayed "$pri"
ok "switchover --force --dry-run with a drain in flight: allowed, exit 0" \
	runs 0 mg switchover "$S" --admin-url "$admin" --force --dry-run
ok "  ... only because it is forced" says out "^Allowed only because it is forced, over:" "^Dry run: "
clear_drain "$R"

# the stand-in operator: once the pod is 'requested', STATES follow, one a second
stand_in() { # POD STATE...
	local pod=$1 s
	shift
	for _ in $(seq 100); do
		[ "$(annot "$pod" "$STATE")" = requested ] && break
		sleep 0.1
	done
	for s in "$@"; do
		sleep 1
		if [ "$s" = - ]; then clear_drain "$pod"; else set_state "$pod" "$s"; fi
	done
}
stand_in "$R" draining acknowledged ready-for-deletion &
op_pid=$!
ok "drain --yes --wait follows the operator to ready-for-deletion: exit 0" \
	runs 0 mg drain "$R" --yes --wait --timeout 30s
wait "$op_pid"
op_pid=""
# progress lines: "  <seconds>s  <state>", the states in order, times not decreasing
progress_ok() {
	local got
	got=$(sed -nE 's/^ +([0-9]+\.[0-9])s  ([a-z-]+)$/\1 \2/p' "$work/out")
	[ "$(cut -d' ' -f2 <<<"$got" | tr '\n' ' ')" = "requested draining acknowledged ready-for-deletion " ] ||
		{ echo "progress: $got"; cat "$work/out"; return 1; }
	sort -n -c <<<"$(cut -d' ' -f1 <<<"$got")" || { echo "times: $got"; return 1; }
	awk '$2 == "ready-for-deletion" && $1 < 2.5 { exit 1 }' <<<"$got" || { echo "too fast: $got"; return 1; }
}
ok "  ... with a progress line per state and its elapsed time" progress_ok
ok "  ... and says it is done" says out "^Waiting for the operator to drain pod $ns/$(re "$R") \(up to 30s\):" \
	"^Drained: pod $ns/$(re "$R") is ready for deletion \([0-9.]+ s\)"
clear_drain "$R"

stand_in "$R" draining - &
op_pid=$!
ok "drain --wait when the operator cancels: exit 1" runs 1 mg drain "$R" --yes --wait --timeout 30s
wait "$op_pid"
op_pid=""
ok "  ... the progress shows the cancellation" says out "^ +[0-9.]+s  draining$" "^ +[0-9.]+s  no drain state$"
ok "  ... and the message says cancelled" says err "the drain of pod $ns/$(re "$R") was cancelled after"
clear_drain "$R" 2>/dev/null

ok "drain --wait --timeout 2s with no operator: exit 1" runs 1 mg drain "$R" --yes --wait --timeout 2s
ok "  ... naming the state it stayed in" says err "drain still in state 'requested' after 2.0 s"
clear_drain "$R"

# refused: the only pod of a shard is its primary
s0=$(rv "$SOLO")
ok "drain of a primary without a replica: refused, exit 1" runs 1 mg drain "$SOLO" --yes
ok "  ... no-takeover and quorum, both forceable" \
	says out "^Refused:" "^  - no-takeover: pod '$SOLO' is the PRIMARY and no other pod is a Ready REPLICA" \
	"^  - quorum: after draining '$SOLO' 0 ready poolers would remain" \
	"^Force overrides only"
ok "  ... the message offers --force" says err "drain of pod $ns/$SOLO refused; nothing was changed \(--force overrides these checks\)"
ok "  ... nothing changed" unchanged "$SOLO" "$s0"
ok "the same drain --force --yes: exit 0" runs 0 mg drain "$SOLO" --force --yes
ok "  ... allowed only because forced" says out "^Allowed only because it is forced, over:"
ok "  ... and the annotation is there" expect_eq requested annot "$SOLO" "$STATE"
clear_drain "$SOLO"

ok "drain of a pod that is no pool pod: exit 1" runs 1 mg drain not-a-pool-pod --yes
ok "  ... says what it is not" says err "pod 'not-a-pool-pod' is not a Multigres pool pod"
ok "drain of a missing pod: exit 1, kubectl's words" runs 1 mg drain pod/nosuch --yes
ok "  ... NotFound" says err '^Error from server \(NotFound\): .*pods "nosuch" not found'

# --- the prompt on a terminal -------------------------------------------------------------
# answers INPUT COMMAND...: runs the command under script(1), INPUT typed
answers() {
	local input=$1
	shift
	printf '%s\n' "$input" | script -qec "$(printf '%q ' "$@")" /dev/null >"$work/out" 2>&1
}
r0=$(rv "$R")
answers n "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" drain "$R"
ok "terminal: 'n' to the drain question: exit 1" test $? = 1
ok "  ... it asked the plan's question" says out "drain pod $ns/$(re "$R") \(REPLICA of shard postgres/default/0-inf\)\? \[y/N\]" \
	"not confirmed; nothing was changed"
ok "  ... nothing changed" unchanged "$R" "$r0"
answers y "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" drain "$R"
ok "terminal: 'y': exit 0" test $? = 0
ok "  ... the drain was requested" expect_eq requested annot "$R" "$STATE"
clear_drain "$R"
answers n "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" switchover "$S" --admin-url "$admin"
ok "terminal: 'n' to the switchover question: exit 1" test $? = 1
ok "  ... it asked" says out "switch over shard postgres/default/0-inf in namespace $ns \(primary now $(re "$pri")\)\? \[y/N\]"
ok "  ... the primary stayed" stayed "$pri"

# --- switchover ---------------------------------------------------------------------------
ok "switchover without a terminal and --yes: exit 2" runs 2 mg switchover "$S" --admin-url "$admin"
ok "  ... says why" says err "refusing to switch over shard postgres/default/0-inf in namespace $ns"
ok "  ... the primary stayed" stayed "$pri"

ok "switchover --dry-run: exit 0" runs 0 mg switchover "$S" --admin-url "$admin" --dry-run
ok "  ... the plan names the shard, the primary, the replicas" \
	says out "^Shard $S \(postgres/default/0-inf of cluster 'mc'\) in namespace $ns: 3 pods" \
	"^Primary now: $(re "$pri") \(pooler zone1/p-[0-9a-f]+, term [0-9]+\)" \
	"^Healthy replicas: mc-postgres.*, mc-postgres" "^Allowed: every check passed" \
	"^Dry run: switch-primary was not sent to $(re "$admin")"
cp "$work/out" "$work/plan-by-name"
ok "SHARD as CLUSTER/DB/TG/SHARD: the same plan" runs 0 mg switchover mc/postgres/default/0-inf --admin-url "$admin" --dry-run
ok "  ... (compared)" diff "$work/plan-by-name" "$work/out"
ok "SHARD as shard/NAME: the same plan" runs 0 mg switchover "shard/$S" --admin-url "$admin" --dry-run
ok "  ... (compared)" diff "$work/plan-by-name" "$work/out"
ok "SHARD as a cluster with one Shard (solo): its plan, refused: exit 1" \
	runs 1 mg switchover solo --admin-url "$admin" --dry-run
ok "  ... no healthy replica, which cannot be forced" \
	says out "^Shard $SOLO_S \(solodb/default/0-inf of cluster 'solo'\)" \
	"^  - no-healthy-replica: .*\(cannot be forced\)$"
ok "SHARD as a cluster with two Shards: exit 2, naming them" runs 2 mg switchover mc --admin-url "$admin"
ok "  ... (the message)" says err "cluster 'mc' has 2 shards \(mc-postgres-default-0-inf-e4e8d461, mc-postgres-default-1-inf-0d6e7568\): name one"
ok "SHARD that is nothing: exit 1, kubectl's words" runs 1 mg switchover nosuch --admin-url "$admin"
ok "  ... NotFound" says err '^Error from server \(NotFound\): .*"nosuch" not found'

ok "switchover --to: refused, exit 1" runs 1 mg switchover "$S" --admin-url "$admin" --yes --to "${P[2]}"
ok "  ... plainly" says err "--to cannot be honoured: multiadmin's switch-primary does not let anyone choose the new primary; nothing was sent"
ok "  ... in the plan too, which cannot be forced" \
	says out "^  - target-unsupported: '$(re "${P[2]}")' was asked for as the new primary, but .*cannot choose it.*\(cannot be forced\)$"
ok "  ... the primary stayed" stayed "$pri"

ok "without --admin-url: through the API server's service proxy (no Service here): exit 1" \
	runs 1 mg switchover "$S" --yes
ok "  ... names the Service it tried and how else to reach multiadmin" \
	says err "service $ns/mc-multiadmin:18000 through the API server" "--admin-url reaches it another way"

sim_faults() { curl -sf -X "$1" -H 'Content-Type: application/json' ${2:+-d "$2"} "$admin/_sim/faults" >/dev/null; }
ok "simulator fault switchFail set" sim_faults POST '{"switchFail": "simulated failure"}'
ok "switchover --yes --wait against the fault: exit 1" runs 1 mg switchover "$S" --admin-url "$admin" --yes --wait
ok "  ... with the server's message" says err "multiadmin switch-primary postgres/default/0-inf: ResignLeadership failed: simulated failure \(Internal, HTTP 500\)"
ok "  ... the primary stayed" stayed "$pri"
ok "simulator faults cleared" sim_faults DELETE

old=$(primary)
ok "switchover --yes --wait: exit 0" runs 0 mg switchover "$S" --admin-url "$admin" --yes --wait --timeout 30s
new=$(primary)
ok "  ... the simulator's primary moved ($old -> $new)" test -n "$new" -a "$new" != "$old"
ok "  ... the report names old and new, the term and the time" \
	says out "^Switched over: primary moved from $(re "$old") \(zone1/p-[0-9a-f]+\) to $(re "$new") \(zone1/p-[0-9a-f]+\), term $((term0 + 1)), in [0-9]+\.[0-9] s$"
ok "  ... after progress lines" says out "^switch-primary accepted; waiting for a new primary of postgres/default/0-inf \(up to 30s\):" \
	"^ +[0-9.]+s  primary is still zone1/p-[0-9a-f]+ \(DRAINING\)"
ok "podRoles follow topology" sync_roles

old=$new
ok "switchover --yes without --wait: exit 0 once accepted" runs 0 mg switchover "$S" --admin-url "$admin" --yes
ok "  ... says the old primary is resigning" says out "^switch-primary accepted: the primary $(re "$old") \(zone1/p-[0-9a-f]+\) is resigning"
moved() { local p; p=$(primary) && [ "$p" != "$old" ]; }
eventually 15 "  ... and the simulator promotes another" moved
ok "podRoles follow topology" sync_roles

# last: with no election the shard keeps no primary
ok "simulator fault noElection set" sim_faults POST '{"noElection": true}'
ok "switchover --wait --timeout 2s when nobody is promoted: exit 1" \
	runs 1 mg switchover "$S" --admin-url "$admin" --yes --wait --timeout 2s
ok "  ... says the request was accepted but no primary came" \
	says err "switch-primary for postgres/default/0-inf was accepted .* but no new primary appeared within 2.0 s"
sim_faults DELETE

# --- completion ------------------------------------------------------------------------------
comp() { "$bin" __complete --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" "$@"; }
# comp_has LINE WORDS...: one candidate line is exactly LINE
comp_has() {
	local line=$1 out
	shift
	out=$(comp "$@") || return 1
	grep -qxF -- "$line" <<<"$out" || { echo "no '$line' in:"; echo "$out"; return 1; }
}
want_pods=$(printf '%s\tmc/postgres/default/0-inf, Running\n' "${P[@]}"; printf '%s\tsolo/solodb/default/0-inf, Running\n:4' "$SOLO")
ok "completion: drain completes the pool pods (not other pods), with their shard" \
	expect_eq "$want_pods" comp drain ''
ok "completion: drain completes a prefix" \
	expect_eq "$(printf '%s\tsolo/solodb/default/0-inf, Running\n:4' "$SOLO")" comp drain so
set_state "${P[2]}" draining
ok "completion: a draining pod says so" \
	comp_has "$(printf '%s\tmc/postgres/default/0-inf, Running, drain: draining' "${P[2]}")" drain ''
clear_drain "${P[2]}"
ok "completion: drain takes one pod" expect_eq ":4" comp drain "${P[0]}" ''
ok "completion: switchover completes the Shards, described as CLUSTER/DB/TG/SHARD" \
	expect_eq "$(printf '%s\n' "$S	mc/postgres/default/0-inf" \
		"mc-postgres-default-1-inf-0d6e7568	mc/postgres/default/1-inf" \
		"$SOLO_S	solo/solodb/default/0-inf" ":4")" comp switchover ''
ok "completion: switchover's flags" comp_has "$(printf -- '--admin-url\treach multiadmin at URL (a port-forward...) instead of through the API server')" switchover --adm

# last, as the pod goes: a drain that ends with the pod deleted
deleter() { # POD: the stand-in operator deletes the pod once it is 'requested'
	for _ in $(seq 100); do
		[ "$(annot "$1" "$STATE")" = requested ] && break
		sleep 0.1
	done
	sleep 1
	kc -n "$ns" delete pod "$1" --wait=false >/dev/null
}
deleter "$SOLO" &
op_pid=$!
ok "drain --wait when the operator deletes the pod: exit 0" runs 0 mg drain "$SOLO" --force --yes --wait
wait "$op_pid"
op_pid=""
ok "  ... says it was deleted" says out "^Drained: pod $ns/$SOLO was deleted \([0-9.]+ s\)$"

finish
