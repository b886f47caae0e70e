#!/bin/bash
# nosim.sh - the production programs carry no simulator code: bfctl,
# rshimd and bfb-install define none of the symbols libbfsim defines (they
# reach simulated devices over bfsim's socket), and src/lib includes no
# header of src/sim.
. "$(dirname "$0")/lib.sh"
SIMLIB="$top_builddir/src/sim/libbfsim.a"

if ! command -v nm >/dev/null; then
	skip "symbols of the programs" "no nm"
	done_testing
	exit
fi
nm -g --defined-only "$SIMLIB" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$TMP/sim.syms"
check "libbfsim defines simulator symbols (bf_sim_open among them)" grep -qx 'bf_sim_open' "$TMP/sim.syms"
nm --defined-only "$top_builddir/src/sim/bfsim" | awk 'NF == 3 { print $3 }' | sort -u > "$TMP/bfsim.syms"
check "bfsim itself has them (the check can see them)" grep -qx 'bf_sim_open' "$TMP/bfsim.syms"
for prog in src/bfctl/bfctl src/rshimd/rshimd src/bfbinstall/bfb-install; do
	nm --defined-only "$top_builddir/$prog" | awk 'NF == 3 { print $3 }' | sort -u > "$TMP/prog.syms"
	check "$prog: symbols read" test -s "$TMP/prog.syms"
	comm -12 "$TMP/sim.syms" "$TMP/prog.syms" > "$TMP/common"
	check "$prog defines none of libbfsim's symbols" test ! -s "$TMP/common"
	sed 's/^/# /' "$TMP/common" | head -5
	check "$prog has no bf_sim_ symbol" sh -c "! grep -q '^bf_sim_' '$TMP/prog.syms'"
done

# src/lib depends on nothing above it: no header of src/sim.
ls "$top_srcdir"/src/sim/*.h | xargs -n1 basename > "$TMP/sim.h.list"
check "src/sim has headers to look for" test -s "$TMP/sim.h.list"
: > "$TMP/inc"
while read -r h; do
	grep -rlE "#include +\"$h\"" "$top_srcdir/src/lib" >> "$TMP/inc"
done < "$TMP/sim.h.list"
check "src/lib includes no header of src/sim" test ! -s "$TMP/inc"
sed 's/^/# /' "$TMP/inc"
done_testing
