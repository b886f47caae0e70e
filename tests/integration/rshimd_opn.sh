#!/bin/bash
# rshimd_opn.sh - OPN_STR through rshimd's misc file on both chips: a BF3
# (YU registers) and a BF2 (SoC memory through MEM_ACC), written, shown,
# dropped in drop mode, and still there in the simulated device after
# bfsim itself was restarted on the same state.
. "$(dirname "$0")/lib.sh"
if ! have_root_fuse; then
	skip "rshimd OPN_STR" "rshimd needs root and FUSE (/dev/fuse, fusermount3)"
	done_testing
	exit
fi
RSHIMD="$top_builddir/src/rshimd/rshimd"
: > "$TMP/none.conf"

# session CHIP STEP -- one bfsim run on $TMP/st-CHIP: rshimd on sim:0, then STEP.
session() {
	BFSIM_TEST_CHIP=$1 BFSIM_TEST_STEP=$2 timeout 120 "$BFSIM" run --chip "$1" --state "$TMP/st-$1" --speed 50 -- bash -c '
		D="$0/dev/rshim0"
		mkdir -p "$0/dev" && "$1" --root "$0/dev" -d sim:0 -n --config "$0/none.conf" --pid-file "$0/pid" || exit 1
		trap "kill \$(cat \"$0/pid\"); sleep 1" EXIT
		opn() { grep "^OPN_STR " "$D/misc"; }
		case $BFSIM_TEST_STEP in
		write)
			opn
			echo "OPN_STR MBF2H332A-AEEOT" > "$D/misc" || exit 1
			opn
			echo "DROP_MODE 1" > "$D/misc" && echo "OPN_STR DROPPED" > "$D/misc" &&
				echo "DROP_MODE 0" > "$D/misc" || exit 1
			opn ;;
		read)
			opn ;;
		esac' "$TMP" "$RSHIMD"
}

for chip in bf3 bf2; do
	first="OPN_STR         900-9D3B6-00CV-A"
	[ "$chip" = bf2 ] && first="OPN_STR         N/A"
	expect_rc 0 "$chip: OPN_STR written through misc" session "$chip" write
	ok "$chip: misc showed ${first#OPN_STR         }, then the OPN written; one written in drop mode was dropped" - <<'CHECK'
printf '%s\n' "$first" "OPN_STR         MBF2H332A-AEEOT" "OPN_STR         MBF2H332A-AEEOT" |
	cmp -s - "$TMP/rc.out"
CHECK
	expect_rc 0 "$chip: bfsim and rshimd started again on the same state" session "$chip" read
	ok "$chip: the simulated device kept the OPN" [ "$(cat "$TMP/rc.out")" = "OPN_STR         MBF2H332A-AEEOT" ]
done
done_testing
