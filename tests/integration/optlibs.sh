#!/bin/bash
# optlibs.sh - bfctl starts without libcurl, libssh, libarchive,
# libmicrohttpd and libcrypto (src/lib/dl.h): the production programs do
# not record them as needed, a command that does not use one works with it
# hidden, and a command that does use it says which library is missing,
# why it is needed and which package has it.
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
OPTIONAL='libcurl|libssh|libarchive|libmicrohttpd|libcrypto|libgnutls'

needed() {   # needed PROGRAM: its DT_NEEDED entries, one a line
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}

if ! command -v readelf >/dev/null; then
	skip "the libraries the programs record" "no readelf"
else
	needed "$top_builddir/src/sim/bfsim" > "$TMP/sim.needed"
	check "bfsim records libcurl (the check can see one)" grep -q '^libcurl\.so' "$TMP/sim.needed"
	for prog in src/bfctl/bfctl src/rshimd/rshimd src/bfbinstall/bfb-install; do
		needed "$top_builddir/$prog" > "$TMP/prog.needed"
		check "$prog: libraries read" grep -q '^libc\.so' "$TMP/prog.needed"
		ok "$prog records none of libcurl, libssh, libarchive, libmicrohttpd, libcrypto" \
			not grep -E "^($OPTIONAL)" "$TMP/prog.needed"
	done
fi

# hidden LIB CMD...: run CMD with the library LIB (a soname) replaced by an
# empty file, in a mount namespace of its own.
hidden() {
	local lib=$1 path
	shift
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
	[ -n "$path" ] || { echo "$lib is not installed"; return 99; }
	unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$path" "$@"
}

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	skip "bfctl with a library hidden" "needs root and a mount namespace (run as root or with CI=true)"
	done_testing
	exit
fi
expect_rc 0 "libcurl hidden: bfb verify of a local file works" hidden libcurl.so.4 "$BFCTL" bfb verify "$SAMPLE"
expect_rc 1 "libcurl hidden: bfb verify of a URL fails (exit 1)" \
	hidden libcurl.so.4 "$BFCTL" bfb verify --cache "$TMP/cache" http://127.0.0.1:9/x.bfb
ok "it says libcurl is needed to download and which package has it" grep -q \
	'libcurl.so.4 is needed to download over HTTP(S) and to talk to a BMC (Redfish) but cannot be loaded (.*): install the Debian package libcurl4' \
	"$TMP/rc.err"
ok "the cache directory was not even created" test ! -e "$TMP/cache"
expect_rc 0 "libcrypto hidden: bfb verify works" hidden libcrypto.so.3 "$BFCTL" bfb verify "$SAMPLE"
sum=$(sha256sum "$SAMPLE" | cut -d' ' -f1)
expect_rc 0 "with libcrypto: bfb verify --sha256 works" "$BFCTL" bfb verify "$SAMPLE" --sha256 "$sum"
expect_rc 1 "libcrypto hidden: bfb verify --sha256 fails (exit 1)" \
	hidden libcrypto.so.3 "$BFCTL" bfb verify "$SAMPLE" --sha256 "$sum"
ok "it says libcrypto is needed for SHA-256 and which package has it" grep -q \
	'libcrypto.so.3 is needed for SHA-256 digests but cannot be loaded (.*): install the Debian package libssl3' \
	"$TMP/rc.err"
done_testing
