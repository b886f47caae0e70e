#!/bin/bash
# files.sh - files the programs create: bfb unpack on a full file system
# leaves no truncated image under its final name and names the file; an
# existing entry (a symlink included) is never written through.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"

expect_rc 0 "unpack into a directory with room" "$BFCTL" bfb unpack "$SAMPLE" -C "$TMP/full"

# --- a full file system: a 1 MiB tmpfs ------------------------------------
small="$TMP/small"
mkdir -p "$small"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=1M tmpfs "$small" 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		check "mount a 1 MiB tmpfs (CI runs as root)" false
	else
		skip "unpack on a full file system" "needs root to mount a small tmpfs"
	fi
else
	expect_rc 1 "unpack onto a 1 MiB file system fails" "$BFCTL" bfb unpack "$SAMPLE" -C "$small/out"
	check "the error names the file and says why" grep -q 'cannot write image-v0.*No space left on device' "$TMP/rc.err"
	check "every file left under its final name is whole" sh -c \
		"cd '$small/out' && for f in *; do cmp -s \"\$f\" '$TMP/full/'\"\$f\" || exit 1; done"
	check "no partial file is left" sh -c "[ ! -e '$small/out/image-v0' ] && ! ls -A '$small/out' | grep -q part"
	umount "$small"
fi

# --- an existing entry is replaced (--force), never followed ---------------
mkdir -p "$TMP/out2"
echo precious > "$TMP/victim"
ln -s "$TMP/victim" "$TMP/out2/bl2-v0"
expect_rc 8 "unpack over an existing entry without --force: exit 8" "$BFCTL" bfb unpack "$SAMPLE" -C "$TMP/out2"
expect_rc 0 "unpack --force over a symlink" "$BFCTL" bfb unpack "$SAMPLE" -C "$TMP/out2" --force
check "the symlink's target is untouched, the entry is the image" sh -c \
	"grep -qx precious '$TMP/victim' && [ ! -L '$TMP/out2/bl2-v0' ] && cmp -s '$TMP/out2/bl2-v0' '$TMP/full/bl2-v0'"

# bfsim fwimage --force: the entry is replaced, a link is not written through
ln -s "$TMP/victim" "$TMP/fw.img"
expect_rc 0 "bfsim fwimage --force over a symlink" \
	"$BFSIM" fwimage -o "$TMP/fw.img" --version 32.41.1000 --psid MT_0000000884 --force
check "the symlink's target is untouched, the entry is a new image" sh -c \
	"grep -qx precious '$TMP/victim' && [ ! -L '$TMP/fw.img' ] && [ -s '$TMP/fw.img' ]"
done_testing
