#!/usr/bin/env bash
# plugin suite: kubectl-multigres against the real control plane, with
# the sample cluster, its children (statuses set through the status
# subresource), events and an operator Deployment as fixtures
# (tests/fixtures/plugin/). kubectl is the reference: where both print
# the same thing, the outputs must be equal byte for byte.
#   get      every kind by plural, singular, short and qualified name; -A,
#            -o wide|json|name (= kubectl), -o yaml (same data), --no-headers,
#            -l, KIND/NAME, several kinds, all
#   describe metadata, trees, conditions; the events section = kubectl
#            describe's (which checks every age boundary against kubectl)
#   version  client, server (= kubectl's), operator found or not
#   errors   unknown kind: 2 with the kinds listed; missing object: 1 with
#            kubectl's message; unreachable server: 1, quickly; wrong
#            credentials: 1 with the server's word
#   colour   only on a terminal; NO_COLOR and TERM=dumb turn it off,
#            --color=always|never win
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fix=$root/tests/fixtures/plugin
. "$here/lib.sh"
suite plugin

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }
mg() { "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" "$@"; }

work=$(mktemp -d)
ns="" ns2="" installed_crds=0
cleanup() {
	# Namespaces first, waited for when the CRDs go too: deleting both
	# at once stalls the namespace controller for minutes.
	local wait=false
	[ "$installed_crds" = 1 ] && wait=true
	[ -n "$ns$ns2" ] && kc delete namespace $ns $ns2 --wait=$wait --timeout=120s >/dev/null 2>&1
	[ "$installed_crds" = 1 ] && kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# --- fixtures -----------------------------------------------------------------
# CRDs another suite is still deleting: wait for them to go
if [ -n "$(kc get crd multigresclusters.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
	kc wait --for=delete crd -l app.kubernetes.io/part-of=kubectl-multigres --timeout=120s >/dev/null 2>&1
fi
if ! kc get crd multigresclusters.multigres.com >/dev/null 2>&1; then
	kc apply -k "$root/deploy/crds" >/dev/null && installed_crds=1
fi
ok "the Multigres CRDs are established" \
	kc wait --for condition=established --timeout=60s crd -l app.kubernetes.io/part-of=kubectl-multigres
ns=$(new_namespace plugin)
ns2=$(new_namespace plugin-b)
ok "fixtures apply: the sample cluster, templates, children" \
	kc -n "$ns" apply -f "$root/deploy/samples/minimal.yaml" -f "$root/deploy/samples/templates.yaml" \
	-f "$fix/children.yaml"
ok "a second cluster in another namespace" kc -n "$ns2" apply -f "$root/deploy/samples/minimal.yaml"
set_status() { kc -n "$ns" patch "$1" --subresource=status --type=merge --patch-file "$fix/status-$2.json"; }
set_statuses() {
	local a
	for a in "mgc/minimal cluster" "cel/minimal-zone-a cell" "tbg/minimal-postgres-default tablegroup" \
		"srd/minimal-postgres-default-0-inf shard" "tps/minimal-global-topo toposerver"; do
		# shellcheck disable=SC2086
		set_status $a >/dev/null || return 1
	done
}
ok "statuses set through the status subresource" set_statuses
uid=$(kc -n "$ns" get mgc minimal -o jsonpath='{.metadata.uid}')
sed -e "s/@UID@/$uid/" -e "s/@NS@/$ns/" "$fix/events.yaml" | kc -n "$ns" apply -f - >/dev/null

# same WHAT MG_ARGS -- KUBECTL_ARGS: both print the same (retried twice,
# as an age may tick between the two)
same() {
	local a=() b=() seen=0 x i out1 out2
	for x in "$@"; do
		if [ "$x" = -- ] && [ $seen = 0 ]; then seen=1; continue; fi
		if [ $seen = 0 ]; then a+=("$x"); else b+=("$x"); fi
	done
	for i in 1 2 3; do
		out1=$(mg "${a[@]}" 2>&1)
		out2=$(kc "${b[@]}" 2>&1)
		[ "$out1" = "$out2" ] && return 0
		sleep 0.3
	done
	diff <(echo "$out2") <(echo "$out1")
	return 1
}

# --- get: tables as kubectl prints them ----------------------------------------
for k in multigresclusters:mgc:multigrescluster cells:cel:cell tablegroups:tbg:tablegroup \
	shards:srd:shard toposervers:tps:toposerver coretemplates:cot:coretemplate \
	celltemplates:cet:celltemplate shardtemplates:sht:shardtemplate; do
	IFS=: read -r plural short singular <<<"$k"
	ok "get $short = kubectl get $plural" same -n "$ns" get "$short" -- -n "$ns" get "$plural"
	ok "get $singular -o wide -A = kubectl's" same get "$singular" -o wide -A -- get "$plural" -o wide -A
done
ok "get by Kind and by qualified name" same -n "$ns" get MultigresCluster.multigres.com \
	-- -n "$ns" get multigresclusters.v1alpha1.multigres.com
ok "get --no-headers = kubectl's" same -n "$ns" get cel --no-headers -- -n "$ns" get cells --no-headers
ok "get -l = kubectl's" same -n "$ns" get srd,tbg -l multigres.com/cluster=minimal \
	-- -n "$ns" get shards,tablegroups -l multigres.com/cluster=minimal
ok "get KIND NAME NAME = kubectl's" same -n "$ns" get tps minimal-global-topo \
	-- -n "$ns" get toposervers minimal-global-topo
ok "get KIND/NAME KIND/NAME = kubectl's" same -n "$ns" get mgc/minimal cel/minimal-zone-a \
	-- -n "$ns" get multigresclusters/minimal cells/minimal-zone-a
ok "get several kinds = kubectl's (qualified names, a table each)" \
	same -n "$ns" get mgc,cel,srd -- -n "$ns" get multigresclusters,cells,shards
ok "get all = kubectl get of the eight kinds" same -n "$ns" get all \
	-- -n "$ns" get multigresclusters,cells,tablegroups,shards,toposervers,coretemplates,celltemplates,shardtemplates
both_namespaces() { # COMMAND...: the output names both test namespaces
	local out
	out=$("$@") && grep -qE "(^|Namespace: +)$ns( |\$)" <<<"$out" &&
		grep -qE "(^|Namespace: +)$ns2( |\$)" <<<"$out" || { echo "$out"; return 1; }
}
ok "get -A lists both namespaces' clusters" both_namespaces mg get mgc -A
ok "an empty namespace says so, on stderr, and succeeds" \
	bash -c '[ "$("$@" 2>&1 >/dev/null)" = "No resources found in $0 namespace." ] && [ -z "$("$@" 2>/dev/null)" ]' \
	"$ns2" "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns2" get srd

# --- get: machine output ------------------------------------------------------
ok "get NAME -o json = kubectl's, byte for byte" same -n "$ns" get mgc minimal -o json \
	-- -n "$ns" get multigresclusters minimal -o json
ok "get -o json (a List) = kubectl's" same -n "$ns" get srd,cel -o json -- -n "$ns" get shards,cells -o json
ok "get -A -o json = kubectl's" same get mgc -A -o json -- get multigresclusters -A -o json
ok "get --show-managed-fields -o json = kubectl's" same -n "$ns" get tps -o json --show-managed-fields \
	-- -n "$ns" get toposervers -o json --show-managed-fields
ok "get -o name = kubectl's" same -n "$ns" get all -o name \
	-- -n "$ns" get multigresclusters,cells,tablegroups,shards,toposervers,coretemplates,celltemplates,shardtemplates -o name
yaml_same() { # the YAML of both reads as the same data
	python3 - "$(mg "$@" 2>&1)" "$(kc "$@" 2>&1)" <<-'EOF'
		import sys, yaml
		a, b = (yaml.load(s, Loader=yaml.BaseLoader) for s in sys.argv[1:3])
		sys.exit(0 if a == b and a else 1)
	EOF
}
ok "get -o yaml holds what kubectl's holds" yaml_same -n "$ns" get shards minimal-postgres-default-0-inf -o yaml
ok "get -o yaml of a List holds what kubectl's holds" yaml_same -n "$ns" get cells -o yaml

# --- describe --------------------------------------------------------------------
desc=$(mg -n "$ns" describe mgc minimal)
has() { grep -qE -- "$1" <<<"$desc" || { echo "no /$1/ in:"; echo "$desc"; return 1; }; }
hasnt() { ! grep -qE -- "$1" <<<"$desc" || { echo "/$1/ in:"; echo "$desc"; return 1; }; }
ok "describe: name and namespace, aligned as kubectl aligns" has "^Name:         minimal$"
ok "describe: the namespace" has "^Namespace:    $ns$"
ok "describe: no last-applied annotation" hasnt "last-applied-configuration"
ok "describe: the spec as a tree, field names spelled out" has "^    - Name:     zone-a$"
ok "describe: nested fields" has "^    When Deleted:  Delete$"
ok "describe: the status" has "^  Phase:  Degraded$"
ok "describe: generation and observed generation" has "^Generation:   1 \(observed: 1\)$"
ok "describe: conditions as a table" \
	has "^  Available  False   AggregatedStatus  [0-9a-z]+ +Cluster is degraded$"
ok "describe: events of the cluster, oldest first, with counts" \
	bash -c 'grep -A4 "^Events:" <<<"$0" | grep -A2 Reconciled | grep -q "ShardDegraded.*(x4 over"' "$desc"
ok "describe: not the events of other objects" hasnt "NotAboutTheCluster"
events_same() { # the Events section equals kubectl describe's (ages included)
	local i a b
	for i in 1 2 3; do
		a=$(mg -n "$ns" describe "$@" | sed -n '/^Events:/,$p')
		b=$(kc -n "$ns" describe "$@" | sed -n '/^Events:/,$p')
		[ "$a" = "$b" ] && [ -n "$a" ] && return 0
		sleep 0.3
	done
	diff <(echo "$b") <(echo "$a")
	return 1
}
ok "describe: the events section = kubectl describe's" events_same mgc minimal
# Ages at every boundary of kubectl's HumanDuration, against kubectl
now=$(date -u +%s)
i=0
for age in 5 119 121 599 601 10799 10801 28799 28801 172799 172801 691199 691201 63071999 \
	63072001 252287999 252288001; do
	i=$((i + 1))
	ts=$(date -u -d "@$((now - age))" +%Y-%m-%dT%H:%M:%SZ)
	cat <<-EOF
		apiVersion: v1
		kind: Event
		metadata: {name: minimal-zone-a.age-$i}
		involvedObject: {apiVersion: multigres.com/v1alpha1, kind: Cell, name: minimal-zone-a, namespace: $ns, uid: $(kc -n "$ns" get cel minimal-zone-a -o jsonpath='{.metadata.uid}')}
		type: Normal
		reason: Age$i
		message: $age seconds ago
		source: {component: test}
		count: 1
		firstTimestamp: "$ts"
		lastTimestamp: "$ts"
		---
	EOF
done | kc -n "$ns" apply -f - >/dev/null
ok "describe: event ages = kubectl's at every HumanDuration boundary" events_same cel minimal-zone-a
ok "describe: every object of a kind, across namespaces" both_namespaces mg describe mgc -A
count_names() { # N COMMAND...: the output describes N objects
	local n=$1 got
	shift
	got=$("$@" | grep -c "^Name:")
	[ "$got" = "$n" ] || { echo "$got objects, want $n"; return 1; }
}
ok "describe: by selector" count_names 1 mg -n "$ns" describe srd -l multigres.com/cluster=minimal
ok "describe KIND/NAME" bash -c '"$@" | grep -q "^Name: *minimal-postgres-default-0-inf$"' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" describe srd/minimal-postgres-default-0-inf
ok "describe: a status without conditions" bash -c '"$@" | grep -q "^Conditions:  <none>$"' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" describe tbg minimal-postgres-default

# --- version ------------------------------------------------------------------------
server=$(kc version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
if [ -z "$(kc get deploy -A -l app.kubernetes.io/name=multigres-operator -o name)" ]; then
	ok "version: no operator, said so, success" expect_eq "Client Version: v$version
Server Version: $server
Operator Version: not found (no Deployment labelled app.kubernetes.io/name=multigres-operator)" mg version
fi
kc -n "$ns" apply -f "$fix/operator.yaml" >/dev/null
ok "version: the operator's version from its image tag" \
	bash -c '"$@" | grep -qx "Operator Version: v0.11.1 ($0/multigres-operator-controller-manager)"' \
	"$ns" "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" version
kc -n "$ns" label deploy multigres-operator-controller-manager app.kubernetes.io/version=v0.12.0 >/dev/null
ok "version: the version label wins over the image" \
	bash -c '"$@" | grep -qx "Operator Version: v0.12.0 ($0/multigres-operator-controller-manager)"' \
	"$ns" "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" version
version_json() {
	mg version -o json | python3 -c '
import json, sys
ns, version, server = sys.argv[1:4]
d = json.load(sys.stdin)
assert d["clientVersion"]["version"] == "v" + version, d
assert d["serverVersion"]["gitVersion"] == server, d
want = {"namespace": ns, "name": "multigres-operator-controller-manager",
        "version": "v0.12.0", "image": "ghcr.io/multigres/multigres-operator:v0.11.1"}
assert want in d["operators"], d
' "$ns" "$version" "$server"
}
ok "version -o json: client, server (= kubectl's) and operators" version_json

# --- errors -----------------------------------------------------------------------
# fails_with STATUS PATTERN COMMAND...: exit STATUS, stderr matching PATTERN
fails_with() {
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$work/err"; return 1; }
	grep -qE -- "$pat" "$work/err" || { echo "stderr:"; cat "$work/err"; return 1; }
}
ok "unknown kind: exit 2, the kinds listed" \
	fails_with 2 "unknown kind 'pods': one of multigresclusters \(mgc\), cells \(cel\)" mg -n "$ns" get pods
ok "unknown kind in describe: exit 2" fails_with 2 "unknown kind 'widgets'" mg -n "$ns" describe widgets x
ok "missing object: exit 1 with kubectl's message" \
	bash -c 'k=$("$0" --kubeconfig="$1" -n "$2" get mgc nope 2>&1 >/dev/null); m=$("$3" --kubeconfig="$1" -n "$2" get mgc nope 2>&1 >/dev/null); rc=$?
		[ "$rc" = 1 ] && [ "$k" = "$m" ] && [ -n "$m" ] || { echo "kubectl: $k"; echo "ours ($rc): $m"; exit 1; }' \
	"$KUBECTL" "$MG_TEST_KUBECONFIG" "$ns" "$bin"
ok "missing object among found ones: those printed, exit 1" \
	bash -c 'out=$("$@" 2>/dev/null); rc=$?; [ "$rc" = 1 ] && grep -q "^minimal " <<<"$out"' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc minimal nope
ok "describe a missing object: exit 1, NotFound" \
	fails_with 1 '^Error from server \(NotFound\): shards.multigres.com "nope" not found$' mg -n "$ns" describe srd nope
cat >"$work/dead" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: x}}]
current-context: dead
EOF
t0=$(date +%s)
ok "unreachable server: exit 1, said so" \
	fails_with 1 "^kubectl-multigres: cannot reach the API server: GET https://127.0.0.1:1" \
	"$bin" --kubeconfig="$work/dead" get mgc
ok "unreachable server: known within 15 s" test $(($(date +%s) - t0)) -lt 15
ok "unreachable server: version still prints the client's" \
	bash -c '"$@" 2>/dev/null | grep -qx "Client Version: v$0"; [ "${PIPESTATUS[0]}" = 1 ]' "$version" \
	"$bin" --kubeconfig="$work/dead" version
cat >"$work/badtoken" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "$MG_TEST_SERVER", certificate-authority: "$MG_TEST_CA"}}]
users: [{name: u, user: {token: s3cr3t-t0ken-nobody-knows}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
EOF
ok "a refused credential: exit 1, 'you must be logged in' as kubectl says" \
	fails_with 1 '^kubectl-multigres: you must be logged in to the server \(Unauthorized\)$' \
	"$bin" --kubeconfig="$work/badtoken" get mgc
ok "-v says which cluster and namespace it talks to" \
	fails_with 0 "info: .*context 'mg-test', server $MG_TEST_SERVER, namespace '$ns'" mg -v -n "$ns" get mgc
ok "-vv never logs the token" \
	bash -c '! "$@" 2>&1 | grep -q s3cr3t' _ "$bin" --kubeconfig="$work/badtoken" -vv get mgc
ok "a missing kubeconfig: exit 1, the file named" \
	fails_with 1 "kubectl-multigres: .*$work/nowhere" "$bin" --kubeconfig="$work/nowhere" get mgc
ok "an unknown context: exit 1, the context named" \
	fails_with 1 "context 'nope'" mg --context nope get mgc
ok "a selector with names: exit 2" fails_with 2 "selector" mg -n "$ns" get mgc minimal -l a=b
ok "a name with -A: exit 2" fails_with 2 "all namespaces" mg get mgc minimal -A

# --- colour -----------------------------------------------------------------------
# (script(1) runs the command on a pseudo-terminal)
esc=$'\033['
out=$(env -u NO_COLOR TERM=xterm script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc)" /dev/null)
ok "a terminal gets colour: Degraded in red" grep -qF "${esc}31mDegraded" <<<"$out"
out=$(NO_COLOR=1 TERM=xterm script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc)" /dev/null)
ok "NO_COLOR=1 on a terminal: no colour" bash -c '! grep -qF "$1" <<<"$0" && grep -q Degraded <<<"$0"' "$out" "$esc"
out=$(env -u NO_COLOR TERM=dumb script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc)" /dev/null)
ok "TERM=dumb on a terminal: no colour" bash -c '! grep -qF "$1" <<<"$0" && grep -q Degraded <<<"$0"' "$out" "$esc"
out=$(NO_COLOR=1 TERM=xterm script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" --color=always get mgc)" /dev/null)
ok "--color=always wins over NO_COLOR" grep -qF "${esc}31mDegraded" <<<"$out"
out=$(env -u NO_COLOR TERM=xterm script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" --color=never get mgc)" /dev/null)
ok "--color=never on a terminal: no colour" bash -c '! grep -qF "$1" <<<"$0"' "$out" "$esc"
ok "a pipe gets no colour" bash -c '! "$@" | grep -qF $'"'"'\033['"'"'' _ \
	env -u NO_COLOR TERM=xterm "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc
ok "--color=always colours a pipe" bash -c '"$@" | grep -qF $'"'"'\033[31mDegraded'"'"'' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" --color=always get mgc
ok "-o json is never coloured" bash -c '! "$@" | grep -qF $'"'"'\033['"'"'' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" --color=always get mgc -o json

# --- the confirmation every changing command asks ----------------------------
# (through the hidden __confirm command; script(1) gives it a terminal)
asks() { # INPUT WANT_STATUS PATTERN ARGS...: answered INPUT on a terminal
	local input=$1 want=$2 pat=$3 out rc
	shift 3
	out=$(printf '%s\n' "$input" | script -qec "$(printf '%q ' "$bin" __confirm "$@")" /dev/null)
	rc=$?
	[ "$rc" = "$want" ] && tr '\r\n' '  ' <<<"$out" | grep -qE -- "$pat" || { echo "exit $rc: $out"; return 1; }
}
ok "confirm: without a terminal and --yes, refused with exit 2" \
	fails_with 2 "refusing to drain pod x without a terminal.*--yes" "$bin" __confirm "drain pod x"
ok "confirm: --yes goes ahead without asking" expect_eq confirmed "$bin" __confirm --yes "drain pod x"
ok "confirm: --dry-run never asks" expect_eq "dry run: drain pod x" "$bin" __confirm --dry-run "drain pod x"
ok "confirm: 'y' on a terminal goes ahead" asks y 0 "drain pod x\? \[y/N\].*confirmed" "drain pod x"
ok "confirm: 'yes' too" asks YES 0 "confirmed" "drain pod x"
ok "confirm: 'n' stops, exit 1" asks n 1 "not confirmed; nothing was changed" "drain pod x"
ok "confirm: an empty answer stops" asks "" 1 "not confirmed" "drain pod x"
ok "confirm: a typed name goes ahead when it matches" \
	asks shard-1 0 "Type 'shard-1' to confirm.*confirmed" --typed shard-1 "switch over shard-1"
ok "confirm: 'y' is not the typed name" asks y 1 "not confirmed" --typed shard-1 "switch over shard-1"

# --- kubectl runs it ------------------------------------------------------------------
mkdir -p "$work/path"
ln -s "$bin" "$work/path/kubectl-multigres"
through_kubectl() {
	local a b
	a=$(PATH="$work/path:$PATH" "$KUBECTL" multigres --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" get mgc -o json) &&
	b=$(mg -n "$ns" get mgc -o json) && [ "$a" = "$b" ] && [ -n "$a" ]
}
ok "kubectl multigres passes flags and arguments through" through_kubectl
ok "-v logs each request to stderr, not stdout" \
	bash -c 'e=$("$@" 2>&1 >/dev/null) && grep -q "GET https://.*/apis/multigres.com/v1alpha1/namespaces/.*/multigresclusters" <<<"$e"' _ \
	"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n "$ns" -vv get mgc

# --- without the CRDs -------------------------------------------------------------
# (only when this suite installed them: others may need them)
if [ "$installed_crds" = 1 ]; then
	kc delete namespace "$ns" "$ns2" --wait=true --timeout=120s >/dev/null 2>&1
	ns="" ns2=""
	kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	installed_crds=0
	ok "without the CRDs: exit 1, said so" \
		fails_with 1 "^kubectl-multigres: the server has no multigresclusters.multigres.com/v1alpha1: are the Multigres CRDs installed\\?$" \
		mg get mgc
	ok "without the CRDs, by name too" \
		fails_with 1 "the server has no shards.multigres.com/v1alpha1" mg describe srd x
fi

finish
