#!/bin/bash
# setup_cmds.sh - the README's two set-up commands compose, and CI runs
# exactly them: scripts/test-all builds from a clean copy of the sources
# when the tree was configured in place (./configure at the top), and
# .ci/run takes its commands from the README.
. "$(dirname "$0")/lib.sh"

# What .ci/run would run is what the README says, in that order.
bash "$top_srcdir/.ci/run" --print > "$TMP/ci.cmds" 2>&1
readme_blocks() {  # the lines of the sh blocks in "## Set up", as written
	sed -n '/^## Set up$/,/^## /p' "$top_srcdir/README.md" |
		sed -n '/^```sh$/,/^```$/p' | grep -v '^```'
}
check ".ci/run runs the README's set-up commands, in order" \
	diff <(readme_blocks) "$TMP/ci.cmds"
check "the first builds in place and runs the demo, the second is scripts/test-all" \
	grep -qx 'scripts/test-all' "$TMP/ci.cmds"
check "README command 1 configures in the source tree" \
	grep -q '&& ./configure &&.*make demo' "$TMP/ci.cmds"

# A tree configured in place: test-all builds from a clean copy.
tree="$TMP/tree"
mkdir -p "$tree/scripts" "$tree/src"
cp "$top_srcdir/scripts/test-all" "$tree/scripts/"
printf 'AC_INIT([x],[1])\n' > "$tree/configure.ac"
printf 'config.status\n*.o\n/_build*/\n' > "$tree/.gitignore"
echo 'int x;' > "$tree/src/a.c"
(cd "$tree" && git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm t) ||
	skip "git tree" "git is not usable here"
echo 'int y;' > "$tree/src/new.c"           # not committed yet: tested too
: > "$tree/config.status"; : > "$tree/src/a.o"  # ./configure && make in place
src=$(bash "$tree/scripts/test-all" --source-only | tail -1)
check "configured in place: builds from $tree/_build-src" test "$src" = "$tree/_build-src"
check "the copy has the sources, committed or not" \
	test -f "$src/src/a.c" -a -f "$src/src/new.c" -a -f "$src/configure.ac"
check "the copy has no configuration or objects of the in-place build" \
	test ! -e "$src/config.status" -a ! -e "$src/src/a.o"
check "the in-place build is left as it is" test -e "$tree/config.status" -a -e "$tree/src/a.o"
rm -f "$tree/config.status"
src=$(bash "$tree/scripts/test-all" --source-only | tail -1)
check "not configured in place: builds from the tree itself" test "$src" = "$tree"
done_testing
