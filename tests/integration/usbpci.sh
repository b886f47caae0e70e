# usbpci.sh - the outer half of the tests that reach one simulated chip
# two ways (rshimd_owner.sh, rshimd_discover.sh): source it first. It
# checks what they need (root and FUSE for rshimd, mount namespaces for
# bfsim's transports, the umockdev preload library), skipping with the
# reason when something is missing, and runs the script again as the
# COMMAND of `bfsim run --transport usb,pci` (RSHIMD_TEST_INNER set).
if [ -z "${RSHIMD_TEST_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP rshimd needs root and FUSE (/dev/fuse, fusermount3)"
		exit 0
	fi
	if ! unshare -m true 2>/dev/null; then
		echo "1..0 # SKIP bfsim --transport needs mount namespaces"
		exit 0
	fi
	if ! ldconfig -p | grep -q 'libumockdev-preload\.so\.0'; then
		echo "1..0 # SKIP libumockdev-preload.so.0 missing (Debian package libumockdev0)"
		exit 0
	fi
	export RSHIMD_TEST_INNER=1
	# speed 20: as usb.sh, room for a loaded host.
	exec timeout 300 "$top_builddir/src/sim/bfsim" run --transport usb,pci --speed 20 -- bash "$0"
fi
