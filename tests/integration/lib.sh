# Shared helpers for the integration suites (bash). Source it from a suite:
#
#   . "$(dirname "$0")/lib.sh"
#   suite cluster                 # names the suite, checks the environment
#   ok "what" command args...     # one test: passes if the command succeeds
#   eventually 30 "what" cmd...   # one test: passes once cmd succeeds (<= 30 s)
#   finish                        # prints "cluster: N passed, N failed"
#
# Suites run under tests/run with the env of tests/cluster/up exported
# (KUBECONFIG, MG_TEST_*, PATH with the matching kubectl). To run one by
# hand against a running control plane:
#   tests/cluster/up && . tests/cluster/run/env && bash tests/integration/cluster.sh
# shellcheck shell=bash

set -uo pipefail

_suite=unnamed
_passed=0
_failed=0
_n=0

suite() {
	_suite=$1
	local v
	for v in KUBECONFIG MG_TEST_KUBECONFIG MG_TEST_OPERATOR_KUBECONFIG MG_TEST_SERVER MG_TEST_BIN; do
		if [ -z "${!v:-}" ]; then
			echo "$_suite: $v is not set: start a control plane (tests/cluster/up) and source its env" >&2
			echo "$_suite: 0 passed, 1 failed"
			exit 1
		fi
	done
	KUBECTL=$MG_TEST_BIN/kubectl
}

# kubectl with the admin identity, and with the operator's
kc() { "$KUBECTL" --kubeconfig="$MG_TEST_KUBECONFIG" --request-timeout=30s "$@"; }
kc_operator() { "$KUBECTL" --kubeconfig="$MG_TEST_OPERATOR_KUBECONFIG" --request-timeout=30s "$@"; }

_report() { # _report STATUS WHAT [OUTPUT]
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		_passed=$((_passed + 1))
		echo "ok $_n - $2"
	else
		_failed=$((_failed + 1))
		echo "not ok $_n - $2"
		if [ -n "${3:-}" ]; then
			printf '%s\n' "$3" | tail -n 15 | sed 's/^/#   /'
		fi
	fi
}

# ok WHAT COMMAND...: one test, passes when COMMAND exits 0
ok() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	_report "$rc" "$what" "$out"
	return "$rc"
}

# fails WHAT COMMAND...: one test, passes when COMMAND exits non-zero
fails() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		_report 0 "$what"
		return 0
	fi
	_report 1 "$what (succeeded, should have failed)" "$out"
	return 1
}

# eventually SECONDS WHAT COMMAND...: one test, passes as soon as COMMAND
# exits 0; polls every 0.2 s, fails after SECONDS
eventually() {
	local limit=$1 what=$2 out rc deadline
	shift 2
	deadline=$(($(date +%s) + limit))
	while :; do
		out=$("$@" 2>&1)
		rc=$?
		[ "$rc" -eq 0 ] && break
		if [ "$(date +%s)" -ge "$deadline" ]; then
			_report 1 "$what (not within ${limit}s)" "$out"
			return 1
		fi
		sleep 0.2
	done
	_report 0 "$what"
}

# expect_eq WANT COMMAND...: succeeds when COMMAND prints exactly WANT
expect_eq() {
	local want=$1 got
	shift
	got=$("$@") || return 1
	if [ "$got" != "$want" ]; then
		printf 'want: %s\ngot:  %s\n' "$want" "$got"
		return 1
	fi
}

# new_namespace PREFIX: creates a namespace of a random name, prints it
new_namespace() {
	local ns
	ns="$1-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	kc create namespace "$ns" >/dev/null || return 1
	echo "$ns"
}

finish() {
	echo "$_suite: $_passed passed, $_failed failed"
	[ "$_failed" -eq 0 ]
}
