#!/usr/bin/env bash
# plugin-render suite: `kubectl multigres render`.
#   offline  every sample, with and without --children, prints exactly the
#            library's goldens (tests/golden/render, see test_render.c);
#            -f - reads stdin; -o json parses and holds the same objects;
#            no API server is contacted (a dead kubeconfig does not matter);
#            a render read back renders to itself
#   online   a sample applied to the API server renders as its file does
#            offline (children: but for the owner uid the stored cluster
#            has); templates read from the namespace; --online -f renders
#            a file against the namespace's templates
#   errors   unknown field, wrong type, too-long name, missing template,
#            bad shard name, a cell removed from the stored cluster: exit 1
#            with the file and the field path, and the stored cluster
#            untouched (same resourceVersion); usage errors exit 2
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
samples=$root/deploy/samples
golden=$root/tests/golden/render
. "$here/lib.sh"
suite plugin-render

bin=${MG_BIN_DIR:-$root}/plugin/kubectl-multigres
[ -x "$bin" ] || { _report 1 "plugin built at $bin"; finish; exit 1; }
mg() { "$bin" --kubeconfig="$MG_TEST_KUBECONFIG" "$@"; }

work=$(mktemp -d)
ns="" installed_crds=0
cleanup() {
	local wait=false
	[ "$installed_crds" = 1 ] && wait=true
	[ -n "$ns" ] && kc delete namespace "$ns" --wait=$wait --timeout=120s >/dev/null 2>&1
	[ "$installed_crds" = 1 ] && kc delete -k "$root/deploy/crds" --wait=true --timeout=120s >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# same_file FILE COMMAND...: COMMAND prints exactly FILE's bytes
same_file() {
	local want=$1
	shift
	"$@" >"$work/got" || return 1
	cmp -s "$want" "$work/got" || { diff "$want" "$work/got" | head -20; return 1; }
}

# fails_with STATUS PATTERN COMMAND...: exit STATUS, stderr matching
# PATTERN (a fixed string), nothing on stdout
fails_with() {
	local want=$1 pat=$2 rc
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, want $want"; cat "$work/err"; return 1; }
	grep -qF -- "$pat" "$work/err" || { echo "stderr:"; cat "$work/err"; return 1; }
	[ ! -s "$work/out" ] || { echo "stdout:"; head "$work/out"; return 1; }
}

# --- offline: the goldens ------------------------------------------------------
# name: the files (and cluster) that make it, as in test_render.c
declare -A inputs=(
	[minimal]="-f $samples/minimal.yaml"
	[templated-cluster]="-f $samples/templates.yaml -f $samples/templated-cluster.yaml"
	[overrides]="-f $samples/templates.yaml -f $samples/overrides.yaml"
	[multi-cell]="-f $samples/multi-cell.yaml"
	[external-etcd]="-f $samples/external-etcd.yaml"
	[inline]="-f $samples/inline.yaml"
	[default-templates]="-f $samples/default-templates.yaml -f $samples/minimal.yaml minimal"
)
# a kubeconfig whose server does not answer: offline must not need one
cat >"$work/dead" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}]
current-context: dead
EOF
offline() { "$bin" --kubeconfig="$work/dead" render "$@"; }
for name in $(printf '%s\n' "${!inputs[@]}" | sort); do
	# shellcheck disable=SC2086
	ok "offline $name = its golden" same_file "$golden/$name.yaml" offline ${inputs[$name]}
	# shellcheck disable=SC2086
	ok "offline $name --children = its golden" \
		same_file "$golden/$name.children.yaml" offline --children ${inputs[$name]}
done
from_stdin() { # FILE GOLDEN ARGS...: ARGS with FILE on stdin print GOLDEN
	local in=$1 g=$2
	shift 2
	same_file "$g" "$@" <"$in"
}
ok "-f - reads standard input" \
	from_stdin "$samples/minimal.yaml" "$golden/minimal.yaml" offline -f -
ok "-f twice, a file and stdin" \
	from_stdin "$samples/templated-cluster.yaml" "$golden/templated-cluster.yaml" \
	offline -f "$samples/templates.yaml" -f -

render_of_render() { # a render (children too) renders to itself
	offline --children -f "$samples/templates.yaml" -f "$samples/overrides.yaml" >"$work/r1" 2>/dev/null &&
		same_file "$work/r1" offline --children -f "$work/r1"
}
ok "a render of a render is the same render" render_of_render

# -o json: the same objects as the YAML golden
json_is_golden() { # GOLDEN ARGS...
	local g=$1
	shift
	offline -o json "$@" >"$work/json" || return 1
	python3 - "$g" "$work/json" <<'EOF'
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1]))]
got = json.load(open(sys.argv[2]))
items = got["items"] if got.get("kind") == "List" else [got]
if got.get("kind") == "List" and len(docs) == 1:
    sys.exit("one object printed as a List")
if items != docs:
    sys.exit("json differs from %s" % sys.argv[1])
EOF
}
ok "-o json: the cluster alone, the golden's object" \
	json_is_golden "$golden/minimal.yaml" -f "$samples/minimal.yaml"
ok "-o json --children: a List of the golden's objects" \
	json_is_golden "$golden/templated-cluster.children.yaml" --children \
	-f "$samples/templates.yaml" -f "$samples/templated-cluster.yaml"

# --- usage and input errors --------------------------------------------------------
ok "nothing to render: exit 2" fails_with 2 "say what to render" offline
ok "two clusters named: exit 2" fails_with 2 "one cluster at a time" offline a b
ok "an unknown format: exit 2" fails_with 2 "unknown output format 'xml'" offline -o xml -f "$samples/minimal.yaml"
ok "-A: exit 2" fails_with 2 "drop -A" offline -A -f "$samples/minimal.yaml"
ok "stdin twice: exit 2" fails_with 2 "given 2 times" offline -f - -f -
ok "a missing file: exit 1" fails_with 1 "cannot read '$work/none.yaml'" offline -f "$work/none.yaml"
{ cat "$samples/minimal.yaml"; echo ---; cat "$samples/templated-cluster.yaml"; } >"$work/two.yaml"
ok "two clusters in the files, none chosen: exit 1, both named" \
	fails_with 1 "the input has 2 MultigresClusters ('minimal' and 'standard-ha-cluster')" \
	offline -f "$work/two.yaml"
ok "two clusters in the files, one chosen" \
	same_file "$golden/minimal.yaml" offline -f "$work/two.yaml" minimal
ok "a cluster the files do not have: exit 1" \
	fails_with 1 "no MultigresCluster 'nope' in the input" offline -f "$work/two.yaml" nope

# bad FILE EDIT...: a copy of the minimal sample edited by sed
bad() {
	local f=$work/$1
	shift
	sed "$@" "$samples/minimal.yaml" >"$f"
	echo "$f"
}
f_unknown=$(bad unknown.yaml -e 's/^      zoneId: us-central1-a$/&\n      zone: x/')
f_type=$(bad type.yaml -e 's/^  cells:$/  globalTopoServer: {etcd: {replicas: three}}\n&/')
f_long=$(bad long.yaml -e 's/^  name: minimal$/  name: minimal-with-a-name-too-long/')
f_tpl=$(bad tpl.yaml -e 's/^  cells:$/  templateDefaults: {cellTemplate: nope}\n&/')
f_shard=$(bad shard.yaml -e 's/^  cells:$/  databases: [{name: postgres, default: true, tablegroups: [{name: default, default: true, shards: [{name: 0-7f}]}]}]\n&/')
declare -A bad_msgs=(
	[$f_unknown]="$f_unknown: MultigresCluster/minimal: spec.cells[0].zone: unknown field \"spec.cells[0].zone\""
	[$f_type]="$f_type: MultigresCluster/minimal: spec.globalTopoServer.etcd.replicas: Invalid value: \"string\""
	[$f_long]="MultigresCluster name must be at most 25 characters"
	[$f_tpl]="$f_tpl: MultigresCluster/minimal: spec.templateDefaults.cellTemplate: referenced CellTemplate 'nope' not found"
	[$f_shard]="$f_shard: MultigresCluster/minimal: spec.databases[0].tablegroups[0].shards[0].name: Invalid value: \"0-7f\": shardName must be strictly equal to '0-inf' in this version"
)
for f in "$f_unknown" "$f_type" "$f_long" "$f_tpl" "$f_shard"; do
	ok "offline $(basename "$f" .yaml): exit 1, the file and the field path" \
		fails_with 1 "${bad_msgs[$f]}" offline -f "$f"
done
ok "the too-long name names its file and object" \
	fails_with 1 "$f_long: MultigresCluster/minimal-with-a-name-too-long: " offline -f "$f_long"

# --- online -------------------------------------------------------------------------
if [ -n "$(kc get crd multigresclusters.multigres.com -o jsonpath='{.metadata.deletionTimestamp}' 2>/dev/null)" ]; then
	kc wait --for=delete crd -l app.kubernetes.io/part-of=kubectl-multigres --timeout=120s >/dev/null 2>&1
fi
if ! kc get crd multigresclusters.multigres.com >/dev/null 2>&1; then
	kc apply -k "$root/deploy/crds" >/dev/null && installed_crds=1
fi
ok "the Multigres CRDs are established" \
	kc wait --for condition=established --timeout=60s crd -l app.kubernetes.io/part-of=kubectl-multigres
ns=$(new_namespace plugin-render)
ok "the minimal sample applies" kc -n "$ns" apply -f "$samples/minimal.yaml"

offline -n "$ns" -f "$samples/minimal.yaml" >"$work/minimal.off" 2>/dev/null
ok "online minimal = offline render of its file in the same namespace" \
	same_file "$work/minimal.off" mg -n "$ns" render minimal
ok "the offline render differs from the golden only by the namespace" \
	diff <(sed "s/namespace: $ns\$/namespace: default/" "$work/minimal.off") "$golden/minimal.yaml"
no_uid() { grep -v '^ *uid: ' "$@"; }
online_children_match() {
	local uid
	uid=$(kc -n "$ns" get mgc minimal -o jsonpath='{.metadata.uid}')
	offline -n "$ns" --children -f "$samples/minimal.yaml" >"$work/c.off" 2>/dev/null || return 1
	mg -n "$ns" render minimal --children >"$work/c.on" 2>/dev/null || return 1
	# the stored cluster's uid is in its children's owner references
	grep -q "uid: $uid" "$work/c.on" || { echo "no owner uid $uid online"; return 1; }
	diff <(no_uid "$work/c.off") <(no_uid "$work/c.on")
}
ok "online --children = offline --children, but for the owner uid" online_children_match
online_json() {
	mg -n "$ns" render minimal -o json 2>/dev/null |
		python3 -c 'import json,sys; assert json.load(sys.stdin)["kind"] == "MultigresCluster"'
}
ok "online -o json parses" online_json
ok "online, a cluster that does not exist: exit 1, NotFound" \
	fails_with 1 'multigresclusters.multigres.com "nope" not found' mg -n "$ns" render nope
online_warnings() { mg -n "$ns" render minimal 2>&1 >/dev/null | grep -q '^Warning: MultigresCluster/minimal: '; }
ok "online warnings name the stored object, on stderr" online_warnings

# templates read from the namespace
ok "the templates and the templated cluster apply" \
	kc -n "$ns" apply -f "$samples/templates.yaml" -f "$samples/templated-cluster.yaml"
offline -n "$ns" -f "$samples/templates.yaml" -f "$samples/templated-cluster.yaml" >"$work/tpl.off" 2>/dev/null
ok "online templated cluster = offline with the template file" \
	same_file "$work/tpl.off" mg -n "$ns" render standard-ha-cluster
ok "--online -f: the file's cluster against the namespace's templates" \
	same_file "$work/tpl.off" mg -n "$ns" render --online -f "$samples/templated-cluster.yaml"
ok "without the templates offline, the cluster's template is missing" \
	fails_with 1 "referenced CoreTemplate 'standard-core' not found" \
	offline -n "$ns" -f "$samples/templated-cluster.yaml"
sed 's/replicas: 3$/replicas: 5/' "$samples/templates.yaml" >"$work/templates5.yaml"
tpl_from_file_wins() {
	offline -n "$ns" -f "$work/templates5.yaml" -f "$samples/templated-cluster.yaml" >"$work/tpl5.off" 2>/dev/null
	! cmp -s "$work/tpl5.off" "$work/tpl.off" || { echo "the edited template changed nothing"; return 1; }
	mg -n "$ns" render --online -f "$work/templates5.yaml" -f "$samples/templated-cluster.yaml" >"$work/tpl5.on" 2>/dev/null
	cmp "$work/tpl5.off" "$work/tpl5.on"
}
ok "--online -f: a template in the files replaces the stored one" tpl_from_file_wins

# --- errors against a stored cluster: refused, nothing sent ------------------------
rv() { kc -n "$ns" get mgc "$1" -o jsonpath='{.metadata.resourceVersion}'; }
rv_minimal=$(rv minimal)
for f in "$f_unknown" "$f_type" "$f_tpl" "$f_shard"; do
	ok "--online $(basename "$f" .yaml): exit 1, the field path" \
		fails_with 1 "${bad_msgs[$f]}" mg -n "$ns" render --online -f "$f"
done
cat >"$work/two-cells.yaml" <<'EOF'
apiVersion: multigres.com/v1alpha1
kind: MultigresCluster
metadata:
  name: two-cells
spec:
  postgresPasswordSecretRef: {name: multigres-admin-password, key: password}
  cells:
    - name: zone-a
      zoneId: zone-a
    - name: zone-b
      zoneId: zone-b
EOF
ok "a two-cell cluster applies" kc -n "$ns" apply -f "$work/two-cells.yaml"
rv_two=$(rv two-cells)
sed '/name: zone-b/,$d' "$work/two-cells.yaml" >"$work/one-cell.yaml"
ok "--online: a cell removed from the stored cluster: exit 1, spec.cells" \
	fails_with 1 "$work/one-cell.yaml: MultigresCluster/two-cells: spec.cells: Invalid value" \
	mg -n "$ns" render --online -f "$work/one-cell.yaml"
ok "... with upstream's message" grep -qF "Cells cannot be removed or renamed (Append-Only)" "$work/err"
ok "offline the same file renders (a create)" offline -f "$work/one-cell.yaml"
ok "--online: the unchanged file renders" mg -n "$ns" render --online -f "$work/two-cells.yaml"
unchanged() { [ "$(rv minimal)" = "$rv_minimal" ] && [ "$(rv two-cells)" = "$rv_two" ]; }
ok "the stored clusters are unchanged (same resourceVersion)" unchanged

finish
