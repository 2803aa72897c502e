#!/usr/bin/env bash
# plugin-status suite: `kubectl multigres status` against the real control
# plane, with clusters as the operator would leave them
# (tests/fixtures/plugin-status/apply.py: CRs with statuses written through
# the status subresource, pool pods with their spec-hash and drain
# annotations, PVCs, Deployments run by the controller-manager and kwok,
# Events).
#   golden   tests/golden/plugin-status/*: text (UTF-8, ASCII, -v, colour),
#            json and yaml (normalise.py: server-stamped times and ages
#            replaced, the fixture's times relative to MG_NOW); update with
#            MG_UPDATE_GOLDEN=1
#   drift    the pods stamped with the hash the plugin computes show none,
#            the one with an old hash shows drifted; the hash changes
#            with the pod's postgres-config-hash annotation
#   exit     0 (warnings), 1 (degraded, -A with one degraded, no cluster,
#            cluster not found, no CRDs), 2 (usage)
#   -A       both namespaces, each as when asked alone
#   --watch  a change to a pod is redrawn; SIGINT ends it with the status
#            of the last state; an API server that goes away is said, and
#            coming back too (through a TCP proxy that is killed)
#   colour   only on a terminal; NO_COLOR turns it off
# Namespaces have fixed names: the spec-hash depends on the namespace.
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fix=$root/tests/fixtures/plugin-status
gold=$root/tests/golden/plugin-status
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
suite plugin-status

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }
export LC_ALL=C.UTF-8
unset NO_COLOR

nsa=mg-status-a nsb=mg-status-b nse=mg-status-empty
work=$(mktemp -d)
installed_crds=0 made_ns=0 proxy_pid="" watch_pid=""
cleanup() {
	local wait=false
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
	[ "$installed_crds" = 1 ] && wait=true
	[ "$made_ns" = 1 ] && kc delete namespace $nsa $nsb $nse --ignore-not-found --wait=$wait --timeout=120s >/dev/null 2>&1
	[ "$installed_crds" = 1 ] && kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# --- fixtures -------------------------------------------------------------------
if [ -n "$(kc get crd multigresclusters.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
	kc wait --for=delete crd -l app.kubernetes.io/part-of=kubectl-multigres --timeout=120s >/dev/null 2>&1
fi
if ! kc get crd multigresclusters.multigres.com >/dev/null 2>&1; then
	kc apply -k "$root/deploy/crds" >/dev/null && installed_crds=1
fi
ok "the Multigres CRDs are established" \
	kc wait --for condition=established --timeout=60s crd -l app.kubernetes.io/part-of=kubectl-multigres
# left over by an interrupted run: gone first
kc delete namespace $nsa $nsb $nse --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1
made_ns=1
ok "namespaces" kc create namespace $nsa
kc create namespace $nsb >/dev/null && kc create namespace $nse >/dev/null

# "now" of the run: three days and a half hour after the objects are
# created, so that every age the server stamps reads 3d
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export MG_NOW
MG_NOW=$(date -u -d "@$(($(date +%s) + 3 * 86400 + 1800))" +%Y-%m-%dT%H:%M:%SZ)
apply() { KUBECTL=$KUBECTL python3 "$fix/apply.py" "$1" "$2" "$MG_NOW" "$bin"; }
ok "cluster 'minimal' (warnings) applied with its statuses" apply minimal $nsa
ok "cluster 'broken' (degraded) applied with its statuses" apply broken $nsb

mg() { "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" "$@"; }
end_time() { date -u -d "+1 min" +%Y-%m-%dT%H:%M:%SZ; }
norm() { python3 "$fix/normalise.py" "$MG_NOW" "$start" "$(end_time)"; }

# golden NAME COMMAND...: stdout of the command (normalised for .json and
# .yaml) is tests/golden/plugin-status/NAME
golden() {
	local name=$1 out
	shift
	out=$("$@" 2>/dev/null)
	case $name in *.json | *.yaml) out=$(norm <<<"$out") ;; esac
	if [ -n "${MG_UPDATE_GOLDEN:-}" ]; then
		printf '%s\n' "$out" >"$gold/$name"
		echo "updated $gold/$name"
	fi
	diff -u "$gold/$name" <(printf '%s\n' "$out")
}

# --- golden outputs ---------------------------------------------------------------
ok "golden: minimal.txt (the tree, the problems)" golden minimal.txt mg -n $nsa status
ok "golden: minimal-v.txt (-v: PVCs, Deployments, info, warning events)" golden minimal-v.txt mg -n $nsa status -v
ok "golden: minimal-ascii.txt (ASCII lines outside UTF-8)" golden minimal-ascii.txt env LC_ALL=C "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n $nsa status
ok "golden: minimal-color.txt (--color=always)" golden minimal-color.txt mg -n $nsa status --color=always
ok "golden: minimal.json" golden minimal.json mg -n $nsa status -o json
ok "golden: minimal.yaml" golden minimal.yaml mg -n $nsa status -o yaml
ok "golden: broken.txt (named)" golden broken.txt mg -n $nsb status broken
ok "golden: broken.json" golden broken.json mg -n $nsb status broken -o json
ok "golden: broken.yaml" golden broken.yaml mg -n $nsb status broken -o yaml

same_doc() { # the JSON and the YAML carry the same document
	python3 -c '
import json, sys, yaml
j = json.loads(sys.argv[1]); y = yaml.safe_load(sys.argv[2])
sys.exit(0 if j == y else "json and yaml differ")' "$(mg -n "$1" status -o json)" "$(mg -n "$1" status -o yaml)"
}
ok "json and yaml are the same document (minimal)" same_doc $nsa
ok "json and yaml are the same document (broken)" same_doc $nsb

# --- drift ---------------------------------------------------------------------------
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
pods_of() { # NS: "name drift specHash desiredHash" per pool pod
	mg -n "$1" status -o json | jq_py '"\n".join("%s %s %s %s" % (p["name"], p["drift"], p["specHash"], p["desiredHash"]) for c in d["clusters"] for t in c["tableGroups"] for s in t["shards"] for o in s["pools"] for x in o["cells"] for p in x["pods"])'
}
drift_ok() {
	local lines
	lines=$(pods_of $nsa)
	if ! grep -Eq -- '-0 none ([0-9a-f]{8}) \1$' <<<"$lines" ||
		! grep -Eq -- '-1 drifted 0cc175b9 [0-9a-f]{8}$' <<<"$lines" ||
		! grep -Eq -- '-2 none ([0-9a-f]{8}) \1$' <<<"$lines"; then
		echo "$lines"
		return 1
	fi
	# one hash per pod: the index is hashed (service id, PVC name)
	[ "$(awk '{print $4}' <<<"$lines" | sort -u | wc -l)" = 3 ] || { echo "$lines"; return 1; }
}
ok "drift: stamped pods none, the old hash drifted, a hash per pod" drift_ok
pod1=$(kc -n $nsa get pods -l multigres.com/pool=default -o name | sort | sed -n 2p)
want_before=$(pods_of $nsa | sed -n 2p | awk '{print $4}')
kc -n $nsa annotate --overwrite "$pod1" multigres.com/postgres-config-hash=0123 >/dev/null
want_after=$(pods_of $nsa | sed -n 2p | awk '{print $4}')
ok "drift: the desired hash takes the pod's postgres-config-hash" \
	test -n "$want_before" -a -n "$want_after" -a "$want_before" != "$want_after"

# --- exit statuses, -A, errors ------------------------------------------------------------
exit_is() { # WANT COMMAND...
	local want=$1 rc
	shift
	"$@" >/dev/null 2>&1
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, want $want"; return 1; }
}
ok "exit 0: warnings only" exit_is 0 mg -n $nsa status
ok "exit 1: degraded" exit_is 1 mg -n $nsb status
ok "exit 1: -A with a degraded cluster" exit_is 1 mg status -A
ok "exit 2: two clusters" exit_is 2 mg -n $nsa status a b
ok "exit 2: a cluster with -A" exit_is 2 mg status -A minimal
ok "exit 2: -o xml" exit_is 2 mg -n $nsa status -o xml
ok "exit 2: an MG_NOW that is no time" exit_is 2 env MG_NOW=soon "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n $nsa status
says() { # EXIT TEXT COMMAND...: exits EXIT, stdout empty, stderr has TEXT
	local want=$1 text=$2 out err rc
	shift 2
	out=$("$@" 2>"$work/err")
	rc=$?
	err=$(cat "$work/err")
	if [ "$rc" != "$want" ] || [ -n "$out" ] || ! grep -qF -- "$text" <<<"$err"; then
		echo "exit $rc; stdout: $out; stderr: $err"
		return 1
	fi
}
ok "a namespace without clusters: 1, said" \
	says 1 "no Multigres cluster in namespace '$nse'" mg -n $nse status
ok "a cluster that does not exist: 1, said" \
	says 1 "multigrescluster 'nope' not found in namespace '$nsa'" mg -n $nsa status nope
ok "a cluster of another namespace is not found" \
	says 1 "multigrescluster 'broken' not found" mg -n $nsa status broken -o json
all_has_both() { # -A shows each namespace's cluster as it is shown alone
	local all a b
	all=$(mg status -A)
	a=$(mg -n $nsa status)
	b=$(mg -n $nsb status)
	python3 -c 'import sys; sys.exit(0 if sys.argv[2] in sys.argv[1] and sys.argv[3] in sys.argv[1] else 1)' \
		"$all" "$a" "$b" || { echo "$all"; return 1; }
}
ok "-A: both namespaces, each as shown alone" all_has_both
ours_in_all() { # the clusters of -A -o json in our namespaces
	local doc
	doc=$(mg status -A -o json) # exit 1: broken is degraded
	jq_py '" ".join(c["namespace"] + "/" + c["name"] for c in d["clusters"] if c["namespace"].startswith("mg-status-"))' <<<"$doc"
}
ok "-A -o json: both clusters" expect_eq "$nsa/minimal $nsb/broken" ours_in_all
logs_requests() { mg -n $nsa status -v 2>&1 >/dev/null | grep -q "status: 9 requests"; }
ok "-v logs its requests: one LIST per kind (9)" logs_requests

# --- colour --------------------------------------------------------------------------------
esc=$'\033['
on_tty() { env TERM=xterm "$@" script -qec "$(printf '%q ' "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n $nsa status)" /dev/null; }
out=$(on_tty env -u NO_COLOR)
ok "colour on a terminal" grep -qF "$esc" <<<"$out"
out=$(on_tty env NO_COLOR=1)
ok "NO_COLOR: no colour on a terminal" test -z "$(grep -F "$esc" <<<"$out")"
ok "no colour into a pipe" test -z "$(mg -n $nsa status | grep -F "$esc")"

# --- --watch ----------------------------------------------------------------------------------
pod2=$(kc -n $nsa get pods -l multigres.com/pool=default -o name | sort | sed -n 1p)
# the binary itself in the background (a function would run in a subshell
# that ignores SIGINT, as background jobs of a script do)
"$bin" --kubeconfig="$MG_TEST_KUBECONFIG" -n $nsa status --watch >"$work/watch.out" 2>"$work/watch.err" &
watch_pid=$!
frames() { grep -c "^$nsa/minimal: " "$work/watch.out"; }
# last_frame FILE: what was drawn after the last separator
last_frame() { awk '/^--- /{b=""; next} {b=b $0 "\n"} END{printf "%s", b}' "$1"; }
eventually 20 "--watch draws the cluster" grep -q "^$nsa/minimal: " "$work/watch.out"
sleep 0.5
kc -n $nsa annotate --overwrite "$pod2" drain.multigres.com/state=requested \
	drain.multigres.com/requested-at="$MG_NOW" >/dev/null
redrawn() { [ "$(frames)" -ge 2 ] && last_frame "$work/watch.out" | grep -q "drain requested for 0s"; }
eventually 20 "--watch redraws a pod that changed (drain requested)" redrawn
n_before=$(frames)
sleep 1.5
ok "--watch: nothing changed, nothing redrawn (not polling)" test "$(frames)" = "$n_before"
kill -INT $watch_pid
wait $watch_pid
rc=$?
watch_pid=""
# two pods draining at once: degraded
ok "--watch: SIGINT ends it with the last state's status (1)" test "$rc" = 1

# an API server that goes away: a proxy in front of it, killed and restarted
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed "s#server: $MG_TEST_SERVER#server: https://127.0.0.1:$pport#" "$MG_TEST_KUBECONFIG" >"$work/kc-proxy"
chmod 600 "$work/kc-proxy"
python3 "$fix/tcpproxy.py" "$pport" "${MG_TEST_SERVER#https://}" &
proxy_pid=$!
eventually 10 "proxy up" "$bin" --kubeconfig="$work/kc-proxy" -n $nsa get mgc
"$bin" --kubeconfig="$work/kc-proxy" --request-timeout=2s -n $nsa status --watch >"$work/watch2.out" 2>"$work/watch2.err" &
watch_pid=$!
eventually 20 "--watch through the proxy draws" grep -q "^$nsa/minimal: " "$work/watch2.out"
sleep 1
kill $proxy_pid
wait $proxy_pid 2>/dev/null
proxy_pid=""
eventually 30 "--watch says the API server is lost" grep -q "lost the API server" "$work/watch2.err"
ok "--watch is still running without it" kill -0 $watch_pid
python3 "$fix/tcpproxy.py" "$pport" "${MG_TEST_SERVER#https://}" &
proxy_pid=$!
eventually 60 "--watch says the API server is back" grep -q "the API server is back" "$work/watch2.err"
kc -n $nsa annotate --overwrite "$pod2" drain.multigres.com/state- drain.multigres.com/requested-at- >/dev/null
redrawn_again() {
	local f
	f=$(last_frame "$work/watch2.out")
	grep -q "drain draining for 90s" <<<"$f" && ! grep -q "drain requested" <<<"$f"
}
eventually 30 "--watch redraws after the API server is back" redrawn_again
kill -INT $watch_pid
wait $watch_pid
watch_pid=""
kill $proxy_pid
wait $proxy_pid 2>/dev/null
proxy_pid=""

# --- no CRDs ---------------------------------------------------------------------------------
# only when this suite installed them: it removes them, then asks
if [ "$installed_crds" = 1 ]; then
	kc delete namespace $nsa $nsb $nse --wait=true --timeout=120s >/dev/null 2>&1
	made_ns=0
	kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	installed_crds=0
	ok "no CRDs: 1, said" says 1 "the Multigres CRDs are not installed" mg -n default status
fi

finish
