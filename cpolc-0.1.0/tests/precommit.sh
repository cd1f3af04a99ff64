#!/bin/sh
# precommit.sh - the hooks of .pre-commit-hooks.yaml, run by the real
# pre-commit (`pre-commit try-repo`, offline: the hooks are `language:
# system`) in a scratch git repository with the built cpolc first on PATH:
# cpolc-lint fails on a policy with errors and passes once it is fixed,
# cpolc-fmt fails on an unformatted policy and passes once it is formatted.
. "$CPOLC_SRCDIR/tests/lib.sh"

need_tool pre-commit || exit "$T_FAILED"
need_tool git || exit "$T_FAILED"

export HOME="$T_TMP/home" PRE_COMMIT_HOME="$T_TMP/pre-commit-cache" XDG_CACHE_HOME="$T_TMP/cache"
export GIT_AUTHOR_NAME=cpolc GIT_AUTHOR_EMAIL=cpolc@example.invalid
export GIT_COMMITTER_NAME=cpolc GIT_COMMITTER_EMAIL=cpolc@example.invalid
export GIT_CONFIG_NOSYSTEM=1 PRE_COMMIT_NO_CONCURRENCY=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME" "$T_TMP/bin"
ln -s "$CPOLC" "$T_TMP/bin/cpolc"
PATH="$T_TMP/bin:$PATH"
export PATH
expect_eq "cpolc on PATH is the built one" "$(command -v cpolc)" "$T_TMP/bin/cpolc"

# The repository to try: the source tree when it is a git work tree (a
# release tarball is not), else a scratch repository holding a copy of its
# manifest.
HOOKS=$CPOLC_SRCDIR
if ! git -C "$CPOLC_SRCDIR" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
   ! git -C "$CPOLC_SRCDIR" ls-files --error-unmatch .pre-commit-hooks.yaml >/dev/null 2>&1; then
	HOOKS=$T_TMP/hooks
	mkdir -p "$HOOKS"
	cp "$CPOLC_SRCDIR/.pre-commit-hooks.yaml" "$HOOKS/"
	(cd "$HOOKS" && git init -q && git add .pre-commit-hooks.yaml && git commit -qm hooks) ||
		t_fail "scratch hooks repository"
fi

REPO=$T_TMP/repo
mkdir -p "$REPO"
cd "$REPO" || exit 1
git init -q || t_fail "git init"
cat >good.cpol <<'CPOL'
import "security";

policy "good" {
  use security.nonroot;
  include "busybox" >= "1.35";
}
CPOL
printf 'policy "bad" {\n  include "busybox" >= ;\n}\n' >bad.cpol
printf 'not a policy\n' >notes.txt
git add good.cpol bad.cpol notes.txt

try() { # try HOOK: run one hook of the manifest on every file of REPO
	pre-commit try-repo "$HOOKS" "$1" --all-files
}

expect_exit "cpolc-lint fails on a bad policy" 1 try cpolc-lint
expect_match "cpolc-lint names the error" "$T_OUT" "bad.cpol:2:24: error: "
expect_match "cpolc-lint reports Failed" "$T_OUT" "cpolc lint\.+Failed"
printf 'policy "bad" {\n  user "1";\n  include "busybox" >= "1.35";\n}\n' >bad.cpol
git add bad.cpol
expect_exit "cpolc-lint passes once fixed" 0 try cpolc-lint
expect_match "cpolc-lint reports Passed" "$T_OUT" "cpolc lint\.+Passed"

printf 'policy "ugly" {include "a";\n    user "1";}\n' >ugly.cpol
git add ugly.cpol
expect_exit "cpolc-fmt fails on an unformatted policy" 1 try cpolc-fmt
expect_match "cpolc-fmt names the file" "$T_OUT" "ugly.cpol"
expect_match "cpolc-fmt reports Failed" "$T_OUT" "cpolc fmt\.+Failed"
cpolc fmt ugly.cpol || t_fail "cpolc fmt ugly.cpol"
git add ugly.cpol
expect_exit "cpolc-fmt passes once formatted" 0 try cpolc-fmt
expect_match "cpolc-fmt reports Passed" "$T_OUT" "cpolc fmt\.+Passed"
