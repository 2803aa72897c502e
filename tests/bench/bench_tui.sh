#!/usr/bin/env bash
# The dashboard with 200 shards of 3 pods (or SHARDS), in two parts:
#
#   1. bench_tui (tests/bench/bench_tui.c): the work between a watch event
#      and the screen, in process: apply, health, tree; times and memory.
#   2. With a control plane (KUBECONFIG and MG_TEST_* from
#      tests/cluster/up's env; skipped without): the real binary in tmux
#      at 80x24 against those objects: how long after a kubectl patch the
#      change is on screen, the TUI's own event-to-screen times (its -vv
#      log), CPU while idle, memory.
#
#     tests/bench/bench_tui.sh [SHARDS [EVENTS]]
#
# Builds what it needs (make -j2). Not part of `make test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
shards=${1:-200}
events=${2:-2000}
work=$(mktemp -d)
sock="mg-bench-tui-$$"
ns=""
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null || true
	if [ -n "$ns" ]; then
		"$KUBECTL" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

make -s -j2 shared/libmultigres.a tui/multigres-tui
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -Ishared \
	$(pkg-config --cflags libcjson) -o "$work/bench_tui" tests/bench/bench_tui.c \
	shared/libmultigres.a $(pkg-config --libs libcurl libcjson yaml-0.1 openssl)

echo "== 1. in process: $shards shards x 3 pods, $events watch events"
python3 tests/fixtures/tui/gen.py full --shards "$shards" >"$work/objects.json"
"$work/bench_tui" "$work/objects.json" "$events"

if [ -z "${MG_TEST_KUBECONFIG:-}" ]; then
	echo "== 2. skipped: no control plane (source the env of tests/cluster/up)"
	exit 0
fi
KUBECTL=${MG_TEST_BIN:+$MG_TEST_BIN/}kubectl
kc() { "$KUBECTL" --kubeconfig="$MG_TEST_KUBECONFIG" "$@"; }

echo "== 2. against the control plane: $shards shards x 3 pods"
if ! kc get crd shards.multigres.com >/dev/null 2>&1; then
	echo "bench: the Multigres CRDs are not installed (kubectl apply --server-side -k deploy/crds)" >&2
	exit 1
fi
ns=bench-tui-$$
kc create namespace "$ns" >/dev/null
t0=$(date +%s)
python3 tests/fixtures/tui/gen.py apply --shards "$shards" --no-deployments |
	kc apply -n "$ns" -f - >/dev/null
# owners and statuses, as the operator would have set them
kc get -n "$ns" multigresclusters,cells,tablegroups,shards,pods -o json >"$work/applied.json"
while read -r kind name p; do
	{ kc patch -n "$ns" "$kind" "$name" --type=merge -p "$p" >/dev/null || true; } &
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n || true; done
done < <(python3 tests/fixtures/tui/gen.py owners --shards "$shards" --no-deployments <"$work/applied.json")
while read -r kind name st; do
	{ kc patch -n "$ns" "$kind" "$name" --subresource=status --type=merge -p "$st" >/dev/null || true; } &
	while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n || true; done
done < <(python3 tests/fixtures/tui/gen.py status --shards "$shards" --no-deployments)
wait || true
echo "objects created in $(($(date +%s) - t0)) s"
pods=$((shards * 3))

T() { tmux -L "$sock" -f /dev/null "$@"; }
T new-session -d -x 80 -y 24 -s main \
	"env KUBECONFIG=$MG_TEST_KUBECONFIG $top/tui/multigres-tui -n $ns -vv --log-file $work/tui.log; sleep 600"
# wait (at most 5 min) until every pod is on screen; the test control
# plane's four fake nodes take 110 pods each, so not all of them run
for _ in $(seq 1 600); do
	T capture-pane -p -t main | grep -q "/$pods pods ready" && break
	sleep 0.5
done
T capture-pane -p -t main | head -2
pid=$(pgrep -P "$(T display -p -t main '#{pane_pid}')" -f multigres-tui)

# A change to a pod on screen: how long until it shows.
pod=$(kc get pods -n "$ns" -l app.kubernetes.io/component=shard-pool -o jsonpath='{.items[0].metadata.name}')
T send-keys -t main ":goto $pod" Enter
sleep 1
: >"$work/e2e"
for i in $(seq 1 20); do
	state=$([ $((i % 2)) = 1 ] && echo requested || echo draining)
	t0=$(date +%s%N)
	kc annotate -n "$ns" pod "$pod" --overwrite "drain.multigres.com/state=$state" >/dev/null
	t1=$(date +%s%N)
	for _ in $(seq 1 3000); do
		# the detail pane of the selected pod (its row may be cut short)
		T capture-pane -p -t main | grep -q "drain $state" && break
		sleep 0.01
	done
	t2=$(date +%s%N)
	echo "$(((t2 - t0) / 1000000)) $(((t2 - t1) / 1000000))" >>"$work/e2e"
done
awk '{ a += $1; b += $2; if ($2 > m) m = $2 } END {
	printf "kubectl annotate -> on screen: mean %d ms (after kubectl returned: mean %d ms, max %d ms), n=%d\n", a / NR, b / NR, m, NR }' "$work/e2e"
grep -o 'built in [0-9]* ms, drawn in [0-9]* ms, on screen [0-9]* ms' "$work/tui.log" | tail -20 |
	awk '{ b += $3; d += $7; s += $11; if ($11 > m) m = $11 } END {
	printf "the TUI'"'"'s own log (last %d frames): build %.1f ms, draw %.1f ms, watch event -> screen %.1f ms (max %d ms; frame budget 50 ms)\n", NR, b / NR, d / NR, s / NR, m }'

# Idle: nothing changes for 20 s.
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
sleep 2
c0=$(ticks)
sleep 20
c1=$(ticks)
echo "idle CPU over 20 s: $(awk -v t=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f%%", 100 * t / hz / 20 }')"
grep -E '^Vm(RSS|HWM)' "/proc/$pid/status" | tr -s ' \t' ' ' | paste -sd' ' | sed 's/^/memory: /'
