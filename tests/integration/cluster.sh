#!/usr/bin/env bash
# The test control plane itself works: API and version, fake nodes in
# zones, scheduling + kwok (pods Running and Ready), controller-manager
# (Deployments, StatefulSets, EndpointSlices, garbage collection, namespace
# deletion), PVC provisioning, and RBAC for the operator's identity.
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
suite cluster

want_version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" {print $3}' "$here/../cluster/k8s/go.mod")

# ---- API -------------------------------------------------------------------
ok "API answers /readyz with the admin kubeconfig" expect_eq ok kc get --raw /readyz
version_is() { kc get --raw /version | grep -q "\"gitVersion\": *\"$want_version\""; }
ok "/version reports $want_version" version_is
ok "server is on 127.0.0.1" expect_eq "https://127.0.0.1:$MG_TEST_APISERVER_PORT" \
	kc config view --minify -o 'jsonpath={.clusters[0].cluster.server}'

# ---- nodes -----------------------------------------------------------------
ready_nodes() {
	kc get nodes -l type=kwok -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}'
}
all_nodes_ready() { [ "$(ready_nodes | grep -c '=True$')" = 4 ]; }
ok "4 fake nodes, all Ready" all_nodes_ready
zones() { kc get nodes -o jsonpath='{range .items[*]}{.metadata.labels.topology\.kubernetes\.io/zone}{"\n"}{end}' | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' '; }
ok "nodes spread over zone-a and zone-b, 2 each" expect_eq "zone-a=2 zone-b=2" zones
regions() { kc get nodes -o jsonpath='{range .items[*]}{.metadata.labels.topology\.kubernetes\.io/region}{"\n"}{end}' | sort -u; }
ok "nodes carry a region label" expect_eq region-1 regions
ok "a default StorageClass exists" expect_eq kwok-volume \
	kc get storageclass -o 'jsonpath={.items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")].metadata.name}'

# ---- scheduling, kwok, controllers -------------------------------------------
ns=$(new_namespace cluster-test) || { echo "cannot create a namespace"; finish; exit 1; }
trap 'kc delete namespace "$ns" --wait=false >/dev/null 2>&1' EXIT

ok "create a Deployment of 2 replicas" \
	kc -n "$ns" create deployment web --image=registry.invalid/pause:1 --replicas=2 --port=8080
deployment_ready() { expect_eq 2 kc -n "$ns" get deployment web -o 'jsonpath={.status.readyReplicas}'; }
eventually 60 "Deployment reports 2 ready replicas" deployment_ready
pods_running_ready() {
	local lines
	lines=$(kc -n "$ns" get pods -l app=web -o jsonpath='{range .items[*]}{.status.phase}/{.status.conditions[?(@.type=="Ready")].status}/{.spec.nodeName}{"\n"}{end}')
	printf '%s\n' "$lines"
	[ "$(printf '%s\n' "$lines" | grep -c '^Running/True/mg-node-')" = 2 ]
}
ok "2 pods Running and Ready on fake nodes" pods_running_ready
pod_ips_fake() { # pod IPs from kwok's --cidr: labels only, never loopback
	local ips
	ips=$(kc -n "$ns" get pods -l app=web -o jsonpath='{range .items[*]}{.status.podIP}{"\n"}{end}')
	printf '%s\n' "$ips"
	[ "$(printf '%s\n' "$ips" | grep -c '^10\.244\.')" = 2 ]
}
ok "pods got IPs from kwok's range" pod_ips_fake
ok "expose the Deployment as a Service" kc -n "$ns" expose deployment web --port=80 --target-port=8080
slice_addresses() {
	local a
	a=$(kc -n "$ns" get endpointslices -l kubernetes.io/service-name=web \
		-o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]}{"\n"}{end}') || return 1
	printf '%s\n' "$a"
	[ "$(printf '%s\n' "$a" | grep -c .)" = 2 ]
}
eventually 30 "EndpointSlice lists both pods" slice_addresses

ok "delete the Deployment" kc -n "$ns" delete deployment web --wait=false
gone() { # gone KIND...: nothing of these kinds left in $ns
	local out
	out=$(kc -n "$ns" get "$@" -o name) || return 1
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}
eventually 60 "its ReplicaSet is garbage-collected" gone replicasets
eventually 60 "its pods are garbage-collected" gone pods

# ---- volumes and StatefulSets --------------------------------------------------
pvc_yaml() {
	cat <<-EOF
	apiVersion: v1
	kind: PersistentVolumeClaim
	metadata: {name: data}
	spec:
	  accessModes: [ReadWriteOnce]
	  resources: {requests: {storage: 1Gi}}
	EOF
}
create_pvc() { pvc_yaml | kc -n "$ns" create -f -; }
ok "create a PVC without a class" create_pvc
pvc_bound() { expect_eq Bound kc -n "$ns" get pvc data -o 'jsonpath={.status.phase}'; }
eventually 30 "the PVC is bound by kwok" pvc_bound

sts_yaml() {
	cat <<-EOF
	apiVersion: apps/v1
	kind: StatefulSet
	metadata: {name: db}
	spec:
	  replicas: 2
	  serviceName: db
	  selector: {matchLabels: {app: db}}
	  template:
	    metadata: {labels: {app: db}}
	    spec:
	      containers:
	      - {name: pg, image: registry.invalid/postgres:17}
	  volumeClaimTemplates:
	  - metadata: {name: pgdata}
	    spec:
	      accessModes: [ReadWriteOnce]
	      resources: {requests: {storage: 1Gi}}
	EOF
}
create_sts() { sts_yaml | kc -n "$ns" create -f -; }
ok "create a StatefulSet of 2 with a volumeClaimTemplate" create_sts
sts_ready() { expect_eq 2 kc -n "$ns" get statefulset db -o 'jsonpath={.status.readyReplicas}'; }
eventually 60 "StatefulSet reports 2 ready replicas" sts_ready
sts_pvcs_bound() {
	expect_eq "Bound Bound" kc -n "$ns" get pvc pgdata-db-0 pgdata-db-1 -o 'jsonpath={.items[*].status.phase}'
}
ok "its PVCs are bound" sts_pvcs_bound

# ---- RBAC --------------------------------------------------------------------
ok "operator identity is $MG_TEST_OPERATOR_USER" expect_eq "$MG_TEST_OPERATOR_USER" \
	kc_operator auth whoami -o 'jsonpath={.status.userInfo.username}'
ok "operator can list pods in all namespaces" kc_operator get pods -A
ok "operator can create a ConfigMap" kc_operator -n "$ns" create configmap operator-made --from-literal=a=b
forbidden() { # forbidden COMMAND...: fails with Forbidden
	local out
	if out=$("$@" 2>&1); then
		printf 'succeeded:\n%s\n' "$out"
		return 1
	fi
	grep -qi forbidden <<<"$out" || { printf '%s\n' "$out"; return 1; }
}
ok "operator may not delete nodes" forbidden kc_operator delete node mg-node-a1 --dry-run=server
ok "operator may not read clusterroles" forbidden kc_operator get clusterroles
ok "operator may not read rolebindings" forbidden kc_operator -n "$ns" get rolebindings
ok "admin may delete nodes (dry run)" kc delete node mg-node-a1 --dry-run=server

# ---- namespace deletion ----------------------------------------------------------
# Slow by design: the namespace controller starts 5 s after the delete
# (hard-coded), and requeues after half the grace period of the pods it
# deleted (30 s by default) or ~8 s for finalizers (PVCs), even though kwok
# and the controllers are done at once. Pods go first here to spare the
# 15 s; suites should delete their namespaces without waiting for them.
ok "delete the StatefulSet" kc -n "$ns" delete statefulset db --wait=false
eventually 60 "its pods are garbage-collected" gone pods
ok "delete the test namespace" kc delete namespace "$ns" --wait=false
ns_gone() { ! kc get namespace "$ns" -o name >/dev/null 2>&1; }
eventually 90 "the namespace and everything in it is gone" ns_gone
trap - EXIT

finish
