#!/bin/bash
# verdicts.sh - bfctl install ends with a verdict, not a wait: a DPU that
# will never print what is awaited (no OS to boot, NIC mode), a file that
# shrinks during the push; every input is checked before the DPU is reset;
# a closed stdout does not stop a push; durations that would overflow are
# refused before the device is touched.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}

resets() {  # resets STATE -- the chip resets the simulated device counted
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
print(json.loads(sys.stdin.readline())["counters"]["resets"])'
}

# --- no OS to boot: the verdict at once, not the 3600 s deadline ----------
printf 'UPDATE_DPU_OS=no\n' > "$TMP/noos.cfg"
expect_rc 6 "UPDATE_DPU_OS=no on a blank device: exit 6 (the deadline would be 7)" \
	"$BFSIM" run --state "$TMP/st-noos" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$TMP/noos.cfg" --timeout 20
check "the log showed the UEFI warning" grep -q 'WARN\[UEFI\]: no bootable OS on eMMC' "$TMP/rc.out"
check "the verdict is named: no-os" grep -q 'verdict: no-os' "$TMP/rc.err"
expect_rc 6 "--json: the mark and the result say no-os" \
	"$BFSIM" run --state "$TMP/st-noos2" --speed "$SPEED" -- \
	"$BFCTL" install --json -r sim:0 -b "$SAMPLE" -c "$TMP/noos.cfg" --timeout 20
check "JSON mark no-os, result exit_code 6" sh -c \
	"grep -q '\"mark\":\"no-os\"' '$TMP/rc.out' && grep '\"event\":\"result\"' '$TMP/rc.out' | grep -q '\"exit_code\":6'"

# --- NIC mode: the installer's "In Enhanced NIC mode" is the verdict ------
st="$TMP/st-nic"
"$BFSIM" run --state "$st" -- "$BFCTL" reg -r sim:0 write 0x13000c48 0x20 >/dev/null 2>&1
expect_rc 0 "NIC mode: install ends with the installer, exit 0" \
	"$BFSIM" run --state "$st" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout 20
check "NIC mode: the verdict is named nic-mode" grep -q 'install complete (nic-mode)' "$TMP/rc.out"

# --- a file that shrinks during the push: exit 5 at once ------------------
head -c $((32 << 20)) /dev/zero > "$TMP/rootfs.img"
# A slow link (4 MB/s): the push takes seconds; the rootfs is emptied once
# it has begun.
("$BFSIM" run --state "$TMP/st-shrink" --link-bps 4000000 -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -f "$TMP/rootfs.img" --timeout 30 --stall-timeout 30 \
	>"$TMP/shrink.out" 2>"$TMP/shrink.err"; echo $? > "$TMP/shrink.rc") &
for i in $(seq 400); do grep -q Pushing "$TMP/shrink.out" 2>/dev/null && break; sleep 0.05; done
: > "$TMP/rootfs.img"
wait
check "rootfs truncated during the push: exit 5 (not 7 at the deadline)" test "$(cat "$TMP/shrink.rc")" = 5
cp "$TMP/shrink.err" "$TMP/rc.err"
check "the error names the file that shrank" grep -q "rootfs.img shrank during the push" "$TMP/rc.err"

# --- every input is checked before the reset -------------------------------
st="$TMP/st-input"
"$BFSIM" run --state "$st" -- "$BFCTL" reg -r sim:0 read 0x13000c48 >/dev/null 2>&1
mkdir -p "$TMP/adir"
expect_rc 3 "--rootfs DIR: exit 3" "$BFSIM" run --state "$st" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -f "$TMP/adir"
check "--rootfs DIR: the error says it is a directory" grep -q 'is a directory' "$TMP/rc.err"
check "--rootfs DIR: the device was not reset" test "$(resets "$st")" = 0
for t in 1e12 inf nan -1 0 10x ""; do
	expect_rc 2 "install --timeout '$t': usage error" "$BFSIM" run --state "$st" -- \
		"$BFCTL" install -r sim:0 -b "$SAMPLE" --timeout "$t"
done
expect_rc 2 "install --stall-timeout 1e300: usage error" "$BFSIM" run --state "$st" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" --stall-timeout 1e300
check "--timeout 1e12: the device was not reset" test "$(resets "$st")" = 0
expect_rc 2 "console --timeout 1e12: usage error" "$BFSIM" run --state "$st" -- \
	"$BFCTL" console -r sim:0 --timeout 1e12
check "console --timeout 1e12 says why" grep -q "too long" "$TMP/rc.err"
expect_rc 2 "fw reset --timeout inf: usage error" "$BFCTL" fw reset sim:0 --timeout inf -y

# --- a closed stdout never stops a push -----------------------------------
expect_rc 0 "install | head -n 1: the install goes on to its end, exit 0" \
	"$BFSIM" run --state "$TMP/st-pipe" --speed "$SPEED" -- bash -c \
	"'$BFCTL' install -r sim:0 -b '$SAMPLE' --timeout 120 | head -n 1 >/dev/null; exit \${PIPESTATUS[0]}"
check "install | head: the end is told on stderr" grep -q 'standard output was closed early; the command completed' "$TMP/rc.err"
check "install | head: the device got the whole bundle and booted" sh -c \
	"'$BFSIM' status --state '$TMP/st-pipe' --json | grep -q '\"phase\":\"os\"'"
done_testing
