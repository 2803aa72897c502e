#!/usr/bin/env bash
# The data-plane simulator's own tests (tests/sim), run with the control
# plane's binaries and kubeconfig so that its API-server tests run too.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
export KUBEBUILDER_ASSETS=${MG_TEST_BIN:-}
exec "$here/sim/run-tests"
