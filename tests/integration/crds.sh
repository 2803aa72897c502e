#!/usr/bin/env bash
# CRD suite: install deploy/crds on a real kube-apiserver, apply every sample
# (client-side and server-side apply), check printer columns, defaults and
# subresources, and make sure every CEL rule refuses its bad example with
# upstream's message (tests/fixtures/crds/bad/*.yaml).
#
#   MG_TEST_KUBECONFIG  admin kubeconfig of the API server (unset: skip)
#   MG_TEST_BIN         folder holding kubectl (default: kubectl on PATH)
#   MG_CRDS_KEEP=1      leave the CRDs installed even if this suite created them
#
# Output is TAP-like; the last line is "crds: N passed, N failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
crd_dir=$root/deploy/crds
sample_dir=$root/deploy/samples
fix_dir=$root/tests/fixtures/crds

pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/#   /'; }
finish() {
	echo "1..$n"
	echo "crds: $pass passed, $fail failed"
}

if [ -z "${MG_TEST_KUBECONFIG:-}" ]; then
	echo "# skip: MG_TEST_KUBECONFIG is not set, so there is no API server to test against"
	echo "crds: 0 passed, 0 failed"
	exit 0
fi

if [ -n "${MG_TEST_BIN:-}" ]; then
	kubectl_bin=$MG_TEST_BIN/kubectl
else
	kubectl_bin=$(command -v kubectl || true)
fi
if [ -z "$kubectl_bin" ] || [ ! -x "$kubectl_bin" ]; then
	not_ok "kubectl found (MG_TEST_BIN=${MG_TEST_BIN:-unset})"
	finish
	exit 1
fi

k() { "$kubectl_bin" --kubeconfig "$MG_TEST_KUBECONFIG" --request-timeout=30s "$@"; }

# expect_ok DESC CMD...: the command must succeed.
expect_ok() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | diag
	fi
}

# expect_eq DESC WANT CMD...: the command must succeed and print WANT.
expect_eq() {
	local desc=$1 want=$2 out
	shift 2
	out=$("$@" 2>&1)
	if [ "$out" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		printf 'want: %s\ngot:  %s\n' "$want" "$out" | diag
	fi
}

# --- the API server ---------------------------------------------------------
if ! k get --raw /readyz >/dev/null 2>&1; then
	not_ok "API server behind MG_TEST_KUBECONFIG is ready"
	finish
	exit 1
fi
ok "API server is ready ($(k version -o json 2>/dev/null | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p' | tail -1))"

crds=()
for f in "$crd_dir"/multigres.com_*.yaml; do
	b=${f##*/}
	b=${b#multigres.com_}
	crds+=("${b%.yaml}.multigres.com")
done

# Remember which CRDs were already there: only the ones we create are removed.
created_crds=()
for c in "${crds[@]}"; do
	k get crd "$c" >/dev/null 2>&1 || created_crds+=("$c")
done

ns=crds-test-$$-$RANDOM
ns_ssa=$ns-ssa
cleanup() {
	local kind
	for x in "$ns" "$ns_ssa"; do
		k get namespace "$x" >/dev/null 2>&1 || continue
		for kind in multigresclusters coretemplates celltemplates shardtemplates cells tablegroups shards toposervers; do
			k delete -n "$x" "$kind.multigres.com" --all --ignore-not-found --wait=false >/dev/null 2>&1
		done
		k delete -n "$x" deployments,services,secrets --all --ignore-not-found --wait=false >/dev/null 2>&1
		# Without a namespace controller (no kube-controller-manager) the
		# namespace stays Terminating; it is empty by then.
		k delete namespace "$x" --ignore-not-found --wait=false >/dev/null 2>&1
	done
	if [ "${MG_CRDS_KEEP:-0}" != 1 ] && [ ${#created_crds[@]} -gt 0 ]; then
		k delete crd "${created_crds[@]}" --ignore-not-found --timeout=60s >/dev/null 2>&1
	fi
}
trap cleanup EXIT

# --- CRDs ---------------------------------------------------------------------
expect_eq "kustomization lists all ${#crds[@]} CRDs" "${#crds[@]}" \
	bash -c "'$kubectl_bin' kustomize '$crd_dir' | grep -c '^kind: CustomResourceDefinition'"

# Server-side apply: what upstream documents for its install manifests.
expect_ok "CRDs apply (kubectl apply --server-side -k deploy/crds)" k apply --server-side --force-conflicts --field-manager=crds-test -k "$crd_dir"

for c in "${crds[@]}"; do
	expect_ok "CRD $c is Established" k wait --for=condition=Established --timeout=60s "crd/$c"
done

# Every CRD must be structural (no NonStructuralSchema condition).
bad_cond=$(k get crd "${crds[@]}" -o jsonpath='{range .items[*]}{range .status.conditions[?(@.type=="NonStructuralSchema")]}{.message}{"\n"}{end}{end}' 2>&1)
if [ -z "$bad_cond" ]; then ok "all CRDs are structural"; else not_ok "all CRDs are structural"; printf '%s\n' "$bad_cond" | diag; fi

expect_eq "short names mgc cel tbg srd tps cot cet sht" \
	"cel cet cot mgc sht srd tbg tps" \
	bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' api-resources --api-group=multigres.com -o wide --no-headers | awk '{print \$2}' | sort | tr '\n' ' ' | sed 's/ \$//'"

expect_eq "every kind is namespaced" "true true true true true true true true" \
	bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' api-resources --api-group=multigres.com --no-headers | awk '{print \$4}' | tr '\n' ' ' | sed 's/ \$//'"

expect_ok "create namespace $ns" k create namespace "$ns"
expect_ok "create namespace $ns_ssa" k create namespace "$ns_ssa"

# --- samples --------------------------------------------------------------------
# Templates first: cluster samples name them.
samples=()
for f in templates.yaml default-templates.yaml; do
	[ -f "$sample_dir/$f" ] && samples+=("$sample_dir/$f")
done
for f in "$sample_dir"/*.yaml; do
	case ${f##*/} in templates.yaml | default-templates.yaml) continue ;; esac
	samples+=("$f")
done

for f in "${samples[@]}"; do
	s=${f##*/}
	expect_ok "sample $s: kubectl apply" k apply -n "$ns" -f "$f"
	expect_ok "sample $s: kubectl apply --server-side over it" \
		k apply -n "$ns" --server-side --force-conflicts --field-manager=crds-test -f "$f"
	expect_ok "sample $s: kubectl apply --server-side (fresh)" \
		k apply -n "$ns_ssa" --server-side --field-manager=crds-test -f "$f"
	expect_ok "sample $s: kubectl diff is empty after apply" k diff -n "$ns_ssa" --server-side --field-manager=crds-test -f "$f"
done

# Defaults from the schema.
if [ -f "$sample_dir/templated-cluster.yaml" ]; then
	expect_eq "default spec.pvcDeletionPolicy is Delete/Delete" "Delete/Delete" \
		k get mgc -n "$ns" standard-ha-cluster -o jsonpath='{.spec.pvcDeletionPolicy.whenDeleted}/{.spec.pvcDeletionPolicy.whenScaled}'
	expect_eq "default spec.postgresSuperuser is postgres" "postgres" \
		k get mgc -n "$ns" standard-ha-cluster -o jsonpath='{.spec.postgresSuperuser}'
fi
if [ -f "$sample_dir/inline.yaml" ]; then
	expect_eq "a partial pvcDeletionPolicy gets whenScaled=Delete" "Retain/Delete" \
		k get mgc -n "$ns" inline -o jsonpath='{.spec.databases[0].tablegroups[0].shards[0].spec.pvcDeletionPolicy.whenDeleted}/{.spec.databases[0].tablegroups[0].shards[0].spec.pvcDeletionPolicy.whenScaled}'
fi

# Printer columns.
expect_eq "mgc columns" "NAME AVAILABLE AGE PHASE" \
	bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get mgc -n '$ns' | head -1 | tr -s ' '"
expect_eq "mgc -o wide adds IMAGES" "NAME AVAILABLE AGE PHASE IMAGES" \
	bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get mgc -n '$ns' -o wide | head -1 | tr -s ' '"

# --- child kinds ------------------------------------------------------------------
for f in "$fix_dir"/good/*.yaml; do
	expect_ok "child fixture ${f##*/} is accepted" k apply -n "$ns" --server-side --field-manager=crds-test -f "$f"
done

if [ -f "$fix_dir/good/cell.yaml" ]; then
	expect_ok "Cell status subresource accepts a status" k patch cel good-cell -n "$ns" --subresource=status --type=merge \
		-p '{"status":{"gatewayReplicas":2,"gatewayReadyReplicas":1,"phase":"Healthy","conditions":[{"type":"Available","status":"True","reason":"MultigatewayAvailable","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}'
	expect_eq "cel columns show the status" "good-cell 1 True Healthy" \
		bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get cel -n '$ns' good-cell --no-headers | awk '{print \$1, \$2, \$3, \$4}'"
	expect_eq "status is ignored on the main resource" "1" \
		bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' patch cel good-cell -n '$ns' --type=merge -p '{\"status\":{\"gatewayReadyReplicas\":7}}' >/dev/null 2>&1; '$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get cel good-cell -n '$ns' -o jsonpath='{.status.gatewayReadyReplicas}'"
	expect_ok "a Cell status without its required counters is refused" bash -c \
		"! '$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' patch cel good-cell -n '$ns' --subresource=status --type=json -p '[{\"op\":\"remove\",\"path\":\"/status/gatewayReplicas\"}]' >/dev/null 2>&1"
fi
if [ -f "$fix_dir/good/shard.yaml" ]; then
	expect_ok "Shard scale subresource: kubectl scale" k scale srd good-shard -n "$ns" --replicas=4
	expect_eq "kubectl scale wrote spec.replicas" "4" k get srd good-shard -n "$ns" -o jsonpath='{.spec.replicas}'
	expect_ok "Shard status subresource accepts readyReplicas" k patch srd good-shard -n "$ns" --subresource=status --type=merge \
		-p '{"status":{"orchReady":true,"poolsReady":false,"readyReplicas":3,"phase":"Progressing","podRoles":{"pod-a":"PRIMARY"}}}'
	expect_eq "scale subresource reports status.readyReplicas" "4/3" \
		k get srd good-shard -n "$ns" --subresource=scale -o jsonpath='{.spec.replicas}/{.status.replicas}'
fi
if [ -f "$fix_dir/good/tablegroup.yaml" ]; then
	expect_ok "TableGroup status subresource" k patch tbg good-tablegroup -n "$ns" --subresource=status --type=merge \
		-p '{"status":{"readyShards":1,"totalShards":1,"phase":"Healthy"}}'
	expect_eq "tbg columns" "good-tablegroup 1 Healthy" \
		bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get tbg -n '$ns' good-tablegroup --no-headers | awk '{print \$1, \$2, \$3}'"
fi
if [ -f "$fix_dir/good/toposerver.yaml" ]; then
	expect_ok "TopoServer status subresource" k patch tps good-global-topo -n "$ns" --subresource=status --type=merge \
		-p '{"status":{"phase":"Healthy","clientService":"good-global-topo","peerService":"good-global-topo-headless"}}'
	expect_eq "tps columns" "NAME READY PHASE" \
		bash -c "'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get tps -n '$ns' | head -1 | tr -s ' '"
fi

# Unknown fields are pruned, as with upstream's (fully typed) schemas.
expect_eq "unknown fields are pruned" "" bash -c "
	printf '%s\n' 'apiVersion: multigres.com/v1alpha1' 'kind: CellTemplate' 'metadata: {name: prune-check}' \
		'spec: {multigateway: {replicas: 1, bogus: 1, affinity: {nodeAffinity: {bogus: 2}}}}' |
	'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' apply -n '$ns' --validate=false -f - >/dev/null 2>&1 &&
	'$kubectl_bin' --kubeconfig '$MG_TEST_KUBECONFIG' get cet prune-check -n '$ns' -o jsonpath='{.spec.multigateway.bogus}{.spec.multigateway.affinity.nodeAffinity.bogus}'"

# --- CEL rules: every bad example is refused with upstream's message -------------
tmp=$(mktemp -d)
trap 'cleanup; rm -rf "$tmp"' EXIT
rules_seen=$tmp/rules
: >"$rules_seen"

for f in "$fix_dir"/bad/*.yaml; do
	name=${f##*/}
	expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
	rule=$(sed -n 's/^# rule: //p' "$f" | head -1)
	mode=$(sed -n 's/^# mode: \([a-z]*\).*/\1/p' "$f" | head -1)
	if [ -z "$expect" ] || [ -z "$rule" ]; then
		not_ok "$name: has '# rule:' and '# expect:' lines"
		continue
	fi
	printf '%s\n' "$rule" >>"$rules_seen"
	if [ "$mode" = update ]; then
		rm -f "$tmp"/doc.*
		awk -v dir="$tmp" 'BEGIN { n = 1 } /^---$/ { n++; next } { print > (dir "/doc." n) }' "$f"
		if ! out=$(k create -n "$ns" -f "$tmp/doc.1" 2>&1); then
			not_ok "$name: the original object is accepted"
			printf '%s\n' "$out" | diag
			continue
		fi
		out=$(k replace -n "$ns" -f "$tmp/doc.2" 2>&1)
		rc=$?
	else
		out=$(k create -n "$ns" -f "$f" 2>&1)
		rc=$?
	fi
	if [ $rc -ne 0 ] && grep -qF -- "$expect" <<<"$out"; then
		ok "$name: refused with \"$expect\""
	else
		not_ok "$name: refused with \"$expect\""
		printf '%s\n' "$out" | diag
	fi
done

# The same bad examples through server-side apply (the create path only).
for f in "$fix_dir"/bad/*.yaml; do
	grep -q '^# mode: update' "$f" && continue
	name=${f##*/}
	expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
	out=$(k apply -n "$ns" --server-side --field-manager=crds-test -f "$f" 2>&1)
	if [ $? -ne 0 ] && grep -qF -- "$expect" <<<"$out"; then
		ok "$name (server-side apply): refused"
	else
		not_ok "$name (server-side apply): refused"
		printf '%s\n' "$out" | diag
	fi
done

# Every rule in the CRDs has at least one bad example.
# (Read back from the server, so the rules are compared exactly as installed.)
missing=$(k get crd "${crds[@]}" -o jsonpath='{range ..x-kubernetes-validations[*]}{.rule}{"\n"}{end}' 2>&1 |
	sort -u | comm -23 - <(sort -u "$rules_seen"))
if [ -z "$missing" ]; then
	ok "every CEL rule of deploy/crds has a bad example ($(sort -u "$rules_seen" | wc -l) rules)"
else
	not_ok "every CEL rule of deploy/crds has a bad example"
	printf '%s\n' "$missing" | diag
fi

finish
[ "$fail" -eq 0 ]
