#!/usr/bin/env bash
# plugin-dist suite: what a newcomer gets.
#   - `make dist`: the tarball is reproducible (twice, with other mtimes
#     and umask: the same bytes), sorted, owned by 0, dated by the last
#     commit, holding the binary (755) and LICENSE (644); the manifest
#     passes krew's rules (krew-validate.py), its sha256 is the tarball's,
#     and it is krew/multigres.yaml with the placeholders filled in; the
#     validator refuses broken manifests and archives
#   - installed as krew installs it, `kubectl plugin list` finds it
#   - `make install PREFIX=<tmp>`, that bin on PATH: `kubectl plugin list`
#     finds it without warnings, `kubectl multigres --help` and `version`
#     work, man pages and completions are where shells look; `make
#     uninstall` takes everything away again
# shellcheck shell=bash
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
suite plugin-dist

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# the build under test: `make test` passes its O= as MG_BIN_DIR
o=
if [ -n "${MG_BIN_DIR:-}" ] && [ "$MG_BIN_DIR" != "$root" ]; then
	o="O=${MG_BIN_DIR#"$root"/}/"
fi
mk() { make -C "$root" --no-print-directory $o "$@"; }
version=$(sed -n 's/^VERSION *:= *//p' "$root/Makefile")
os=$(uname -s | tr A-Z a-z)
arch=$(uname -m | sed 's/^x86_64$/amd64/; s/^aarch64$/arm64/')
name=kubectl-multigres_v${version}_${os}_$arch
epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)

# --- make dist, twice --------------------------------------------------------
ok "make dist builds the tarball and the manifest" mk dist DIST_DIR="$work/d1"
tgz=$work/d1/$name.tar.gz
manifest=$work/d1/multigres.yaml
touch "$root/LICENSE" 2>/dev/null
ok "make dist again (later mtimes, umask 077) gives the same bytes" \
	bash -c 'umask 077 && "$@" >/dev/null && cmp "$0/d1/'"$name"'.tar.gz" "$0/d2/'"$name"'.tar.gz"' \
	"$work" make -C "$root" --no-print-directory $o dist DIST_DIR="$work/d2"

ok "the tarball holds LICENSE and kubectl-multigres, sorted, nothing else" \
	expect_eq "$(printf 'LICENSE\nkubectl-multigres')" tar -tzf "$tgz"
ok "entries are owned by 0/0" bash -c '! tar -tvzf "$0" --numeric-owner | grep -v " 0/0 "' "$tgz"
ok "entries carry the last commit's time" \
	bash -c '[ "$(tar -tvzf "$0" --full-time | awk "{print \$4\" \"\$5}" | sort -u)" = "$(date -u -d @"$1" "+%Y-%m-%d %H:%M:%S")" ]' \
	"$tgz" "$epoch"
ok "the binary is 755 and LICENSE 644" \
	bash -c 'l=$(tar -tvzf "$0"); grep -q "^-rwxr-xr-x .* kubectl-multigres$" <<<"$l" && grep -q "^-rw-r--r-- .* LICENSE$" <<<"$l"' "$tgz"
ok "gzip stores no name and no time" \
	bash -c '[ "$(head -c 8 "$0" | od -An -tx1 | tr -d " \n")" = "1f8b080000000000" ]' "$tgz"
mkdir -p "$work/x"
tar -xzf "$tgz" -C "$work/x"
ok "the packed binary runs and knows its version" \
	expect_eq "Client Version: v$version" "$work/x/kubectl-multigres" version --client
ok "the packed binary is stripped (no symbol table)" \
	bash -c 'readelf -S "$0" >/dev/null && ! readelf -S "$0" | grep -q "\.symtab"' "$work/x/kubectl-multigres"

# --- the manifest -------------------------------------------------------------
ok "the manifest passes krew's rules and matches the tarball" \
	python3 "$here/krew-validate.py" "$manifest" "$tgz"
sha=$(sha256sum "$tgz" | cut -d' ' -f1)
ok "the manifest is the template, filled in" \
	diff -u <(sed -e '/^#/d' -e "s|@VERSION@|v$version|; s|@OS@|$os|; s|@ARCH@|$arch|; s|@SHA256@|$sha|" \
		-e "s|@URI@|https://github.com/multigres/kubectl-multigres/releases/download/v$version/$name.tar.gz|" \
		"$root/krew/multigres.yaml") "$manifest"
ok "the manifest's files include LICENSE" grep -q "from: LICENSE" "$manifest"

# refused MUTATION...: the validator refuses the manifest changed by sed
refused() {
	local what=$1 m=$work/bad/multigres.yaml
	shift
	mkdir -p "$work/bad"
	sed "$@" "$manifest" >"$m"
	if python3 "$here/krew-validate.py" "$m" "$tgz" >"$work/bad/out"; then
		echo "accepted a manifest with $what"
		return 1
	fi
	cat "$work/bad/out"
}
ok "the validator refuses a wrong sha256" refused "a wrong sha256" "s/sha256: .*/sha256: $(printf '%064d' 0)/"
ok "the validator refuses an uppercase sha256" refused "an uppercase sha256" "s/sha256: \(.*\)/sha256: \U\1/"
ok "the validator refuses a name that is not the file's" refused "another name" "s/name: multigres/name: multigres2/"
ok "the validator refuses a long short description" refused "a long shortDescription" \
	"s/shortDescription: .*/shortDescription: Operate Multigres (sharded PostgreSQL) clusters on Kubernetes/"
ok "the validator refuses a selector key other than os/arch" refused "a selector on zone" "s/arch: $arch/zone: a/"
ok "the validator refuses an os krew does not know" refused "os plan9" "s/os: $os/os: plan9/"
ok "the validator refuses a version without its v" refused "version 0.1.0" "s/version: v/version: /"
ok "the validator refuses a bin the archive lacks" refused "bin kubectl-mg" "s/bin: kubectl-multigres/bin: kubectl-mg/"
ok "the validator refuses files without LICENSE" refused "no license" "/from: LICENSE/,/to: ./d"
mkdir -p "$work/nolicense"
cp "$work/x/kubectl-multigres" "$work/nolicense/"
tar -czf "$work/nolicense.tar.gz" -C "$work/nolicense" kubectl-multigres
ok "the validator refuses an archive without a license" \
	bash -c '! python3 "$0" "$1" "$2"' "$here/krew-validate.py" "$manifest" "$work/nolicense.tar.gz"

# --- installed as krew installs it ---------------------------------------------
# (krew: extract into its store, copy `files`, link `bin` into ~/.krew/bin)
store=$work/krew/store/multigres/v$version
mkdir -p "$store" "$work/krew/bin"
tar -xzf "$tgz" -C "$store"
ln -s "$store/kubectl-multigres" "$work/krew/bin/kubectl-multigres"
ok "krew-style install: kubectl plugin list finds it" \
	bash -c 'env -i HOME="$0" PATH="$0/krew/bin:$1" kubectl plugin list 2>&1 | grep -qx "$0/krew/bin/kubectl-multigres"' \
	"$work" "$MG_TEST_BIN"

# --- make install: the newcomer ----------------------------------------------
prefix=$work/prefix
ok "make install PREFIX=<tmp>" mk install PREFIX="$prefix"
newcomer() { env -i HOME="$work" PATH="$prefix/bin:$MG_TEST_BIN:/usr/bin:/bin" KUBECONFIG="$KUBECONFIG" "$@"; }
ok "kubectl plugin list finds kubectl-multigres, with no warnings" \
	bash -c 'out=$("$@" 2>&1) && grep -qx "$0/bin/kubectl-multigres" <<<"$out" && ! grep -qi warning <<<"$out"' \
	"$prefix" env -i HOME="$work" PATH="$prefix/bin:$MG_TEST_BIN:/usr/bin:/bin" kubectl plugin list
ok "kubectl multigres --help works" \
	bash -c '"$@" | grep -q "^  kubectl multigres \[flags\] COMMAND"' _ \
	env -i HOME="$work" PATH="$prefix/bin:$MG_TEST_BIN:/usr/bin:/bin" kubectl multigres --help
ok "kubectl multigres version reaches the cluster" \
	bash -c '"$@" | grep -q "^Server Version: v"' _ \
	env -i HOME="$work" PATH="$prefix/bin:$MG_TEST_BIN:/usr/bin:/bin" KUBECONFIG="$KUBECONFIG" kubectl multigres version
newcomer_complete() { newcomer kubectl_complete-multigres '' | tail -1 | grep -qx ":4"; }
ok "kubectl_complete-multigres is installed and answers" newcomer_complete
ok "kubectl completes through it" \
	bash -c 'env -i HOME="$0" PATH="$1/bin:$2" kubectl __complete multigres g 2>/dev/null | grep -q "^get"' \
	"$work" "$prefix" "$MG_TEST_BIN"
for p in kubectl-multigres kubectl-multigres-get kubectl-multigres-describe kubectl-multigres-version; do
	ok "man page $p(1) is installed and renders" \
		bash -c 'mandoc -Tmarkdown "$0" | grep -q "^# NAME"' "$prefix/share/man/man1/$p.1"
done
ok "bash completion is where bash-completion looks" test -f "$prefix/share/bash-completion/completions/kubectl-multigres"
ok "zsh completion is on zsh's site-functions path" grep -q '^#compdef kubectl-multigres' "$prefix/share/zsh/site-functions/_kubectl-multigres"
ok "fish completion is in vendor_completions.d" test -f "$prefix/share/fish/vendor_completions.d/kubectl-multigres.fish"
ok "make uninstall removes every file it installed" \
	bash -c '"$@" >/dev/null && [ -z "$(find "$0" ! -type d)" ]' "$prefix" make -C "$root" --no-print-directory $o uninstall PREFIX="$prefix"

finish
