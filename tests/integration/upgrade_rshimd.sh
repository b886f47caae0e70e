#!/bin/bash
# upgrade_rshimd.sh - bfctl upgrade through rshimd's device files
# (/dev/rshim0 under --root): the deferred push goes into the running DPU
# with BOOT_RESET_SKIP set in the misc file (rshimd logs its boot open
# without a reset), staging completes, --activate makes the new versions
# run, read back with bfsim status. Then bfb-install -d (the upstream
# command line) the same way: flat repack, PSID check, SP2 verdict,
# ActivateFirmware; bfb-install -a 1 live-patches the staged NIC firmware.
# Needs root and FUSE (CI).
if [ -z "${UPGRADE_RSHIMD_INNER:-}" ]; then
	. "$(dirname "$0")/needs.sh"
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if ! have_root_fuse; then
		echo "1..0 # SKIP rshimd needs root and FUSE (/dev/fuse, fusermount3)"
		exit 0
	fi
	export UPGRADE_RSHIMD_INNER=1
	ST=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-upgrade-rshimd.XXXXXX")
	export UPGRADE_RSHIMD_STATE="$ST"
	"$top_builddir/src/sim/bfsim" run --state "$ST/dev" --speed "${BFSIM_TEST_SPEED:-50}" -- \
		"$top_builddir/src/bfctl/bfctl" install -r sim:0 -b "$top_builddir/bfb/sample-full.bfb" --timeout 120 \
		>/dev/null 2>&1 || { echo "1..1"; echo "not ok 1 - the install before the upgrade"; rm -rf "$ST"; exit 1; }
	# The NIC offers live patch (reset level 0) for bfb-install -a 1.
	"$top_builddir/src/sim/bfsim" run --state "$ST/dev" --speed "${BFSIM_TEST_SPEED:-50}" --nic-lfwp yes -- bash "$0"
	rc=$?
	rm -rf "$ST"
	exit $rc
fi
. "$(dirname "$0")/lib.sh"
host_lock bfb-install-log   # bfb-install -d writes /tmp/bfb-install-rshim0.log
RSHIMD="$top_builddir/src/rshimd/rshimd"
ST="$UPGRADE_RSHIMD_STATE"
export BFCTL_RSHIM_ROOT="$TMP/dev" BFCTL_STATE_DIR="$TMP/state"
mkdir -p "$TMP/dev"
PIDF="$TMP/rshimd.pid"
trap 'stop_pidfile "$PIDF"; rm -rf "$TMP"' EXIT

field() { sim_field "$ST/dev" "$1"; }  # field KEY.PATH: from bfsim status of the device

ok "firmware bundles: next; NIC 32.43; a bad NIC image; another PSID" - <<'CHECK'
"$BFSIM" bundle -o "$TMP/next.bfb" --kind fw --version-set next >/dev/null &&
"$BFSIM" bundle -o "$TMP/n3.bfb" --kind fw --version-set next --version NIC=32.43.1000 >/dev/null &&
"$BFSIM" bundle -o "$TMP/bad.bfb" --kind fw --version-set next --version NIC=32.44.1000 --nic-image bad >/dev/null &&
"$BFSIM" bundle -o "$TMP/psid.bfb" --kind fw --version-set next --version NIC=32.44.1000 --psid MT_0000000999 >/dev/null &&
"$BFSIM" bundle -o "$TMP/n5.bfb" --kind fw --version-set next --version NIC=32.45.1000 >/dev/null &&
"$BFSIM" bundle -o "$TMP/n6.bfb" --kind fw --version-set next --version NIC=32.46.1000 >/dev/null
CHECK
expect_rc 0 "rshimd serves the device" "$RSHIMD" --root "$TMP/dev" -d sim:0 -n --pid-file "$PIDF" \
	--log-file "$TMP/rshimd.log" -l 4
ok "its misc file appears" - <<'CHECK'
(for i in $(seq 1 100); do [ -e "$TMP/dev/rshim0/misc" ] && exit 0; sleep 0.1; done; exit 1)
CHECK
expect_rc 0 "deferred through rshim0: staged" "$BFCTL" upgrade -r rshim0 --nic sim:0 --bundle "$TMP/next.bfb" \
	--deferred --timeout 300
ok "... Runtime upgrade finished, result pending" - <<'CHECK'
grep -q 'Runtime upgrade finished' "$TMP/rc.out" && grep -q 'result: pending' "$TMP/rc.out"
CHECK
ok "rshimd opened boot with BOOT_RESET_SKIP (no reset)" grep -q 'boot open (BOOT_RESET_SKIP)' "$TMP/rshimd.log"
ok "the misc file says BOOT_RESET_SKIP 0 again" - <<'CHECK'
printf 'DISPLAY_LEVEL 1\n' > "$TMP/dev/rshim0/misc" && grep -Eq '^BOOT_RESET_SKIP +0' "$TMP/dev/rshim0/misc"
CHECK
ok "the old versions run, the new ones are pending (bfctl fw query, bfsim status)" - <<'CHECK'
"$BFCTL" fw query sim:0 > "$TMP/q.out" &&
grep -Eq '^FW Version: +32.42.1010' "$TMP/q.out" && grep -Eq '^FW Version\(Running\): +32.41.1000' "$TMP/q.out" &&
[ "$(field installed.atf)" = 4.7.0-13127 ] && [ "$(field staged.atf)" = 4.8.0-13249 ]
CHECK
expect_rc 0 "activate through rshim0" "$BFCTL" upgrade -r rshim0 --nic sim:0 --activate -y --timeout 300
ok "the new versions run (bfsim status)" - <<'CHECK'
[ "$(field installed.nic_fw.version)" = 32.42.1010 ] && [ "$(field installed.atf)" = 4.8.0-13249 ] &&
[ "$(field staged)" = "{}" ]
CHECK

# --- bfb-install -d (the upstream command line) through rshim0 -----------------
BFBI="$top_builddir/src/bfbinstall/bfb-install"
defaults_back() {  # BOOT_RESET_SKIP 0 in misc, SCRATCHPAD2 bits 2, 6, 7 clear
	local v
	printf 'DISPLAY_LEVEL 1\n' > "$TMP/dev/rshim0/misc" && grep -Eq '^BOOT_RESET_SKIP +0' "$TMP/dev/rshim0/misc" &&
	v=$("$BFCTL" reg -r rshim0 read 0x13000c48 | grep -o '0x[0-9a-fA-F]*' | tail -1) && [ $(( v & 0xc4 )) = 0 ]
}
resets0=$(field counters.resets)
bytes0=$(field counters.boot_bytes)
expect_rc 1 "bfb-install -d: a bundle for another PSID is refused (exit 1)" "$BFBI" -d -b "$TMP/psid.bfb" -r "$TMP/dev/rshim0"
ok "... naming both PSIDs, before a byte is pushed" - <<'CHECK'
grep -q 'MT_0000000999.*MT_0000000884' "$TMP/rc.out" && [ "$(field counters.boot_bytes)" = "$bytes0" ]
CHECK
mkdir -p "$TMP/bt"
expect_rc 0 "bfb-install -d: staged in the running DPU (exit 0)" env TMPDIR="$TMP/bt" "$BFBI" -d -b "$TMP/n3.bfb" \
	-r "$TMP/dev/rshim0"
ok "... the flat repack, Runtime upgrade finished, ActivateFirmware, Upgrade Finished" - <<'CHECK'
grep -qx 'Convert n3.bfb to flat format for deferred upgrade' "$TMP/rc.out" &&
grep -q 'INFO\[MISC\]: Runtime upgrade finished' "$TMP/rc.out" && grep -qx 'Sending ActivateFirmware' "$TMP/rc.out" &&
grep -qx 'ActivateFirmware Succeeded' "$TMP/rc.out" && grep -qx 'Upgrade Finished' "$TMP/rc.out"
CHECK
ok "... rshimd opened boot with BOOT_RESET_SKIP again; the DPU was not reset" - <<'CHECK'
[ "$(grep -c 'boot open (BOOT_RESET_SKIP)' "$TMP/rshimd.log")" = 2 ] && [ "$(field counters.resets)" = "$resets0" ]
CHECK
ok "... its temporary flat bundle is removed" [ -z "$(ls -A "$TMP/bt")" ]
ok "... BOOT_RESET_SKIP 0 in misc, SP2 bits 2, 6 and 7 clear (bfctl reg)" defaults_back
ok "... NIC 32.43.1000 pending, 32.42.1010 running (bfctl fw query)" - <<'CHECK'
"$BFCTL" fw query sim:0 > "$TMP/q.out" &&
grep -Eq '^FW Version: +32.43.1000' "$TMP/q.out" && grep -Eq '^FW Version\(Running\): +32.42.1010' "$TMP/q.out"
CHECK
resets0=$(field counters.resets) lp0=$(field nic_live_patches)
expect_rc 0 "bfb-install -a 1 alone: the staged NIC firmware live-patched (exit 0)" "$BFBI" -r "$TMP/dev/rshim0" -a 1
ok "... as upstream says it: supported, then done" - <<'CHECK'
grep -qx 'Live Patch NIC Firmware reset is supported.' "$TMP/rc.out" &&
grep -qx 'Live Patch NIC Firmware reset done' "$TMP/rc.out"
CHECK
ok "... NIC 32.43.1000 runs, nothing pending, one live patch, no reset (bfctl fw query, bfsim status)" - <<'CHECK'
"$BFCTL" fw query sim:0 > "$TMP/q.out" && grep -Eq '^FW Version: +32.43.1000' "$TMP/q.out" &&
! grep -q 'Running' "$TMP/q.out" && [ "$(field installed.nic_fw.version)" = 32.43.1000 ] &&
[ "$(field nic_live_patches)" = $((lp0 + 1)) ] && [ "$(field counters.resets)" = "$resets0" ]
CHECK
expect_rc 0 "bfb-install -a 1 again: nothing pending, nothing patched, exit 0" "$BFBI" -r "$TMP/dev/rshim0" -a 1
ok "... the live patch count stays" [ "$(field nic_live_patches)" = $((lp0 + 1)) ]
expect_rc 255 "bfb-install -d: a NIC image that fails the device's checks: Transfer/Verify failed (255)" \
	"$BFBI" -d -b "$TMP/bad.bfb" -r "$TMP/dev/rshim0"
ok "... as upstream says it, then BlueField Update Failed; nothing activated" - <<'CHECK'
grep -qx 'Transfer/Verify failed' "$TMP/rc.out" && grep -qx 'BlueField Update Failed' "$TMP/rc.out" &&
! grep -q 'Sending ActivateFirmware' "$TMP/rc.out"
CHECK
ok "... misc and SP2 back to their defaults" defaults_back

# --- the upstream script itself, when given -------------------------------------
# BFB_INSTALL_UPSTREAM: a directory with rshim-user-space's scripts
# bfb-install, bf-reg and mlx-mkbfb (not shipped here). bf-reg opens
# /dev/rshimN/rshim: the run gets a private /dev with rshim0 bound in.
# DEV_NAME sim-0 gives the script no PCI address: it pushes the bundle as
# it is (no flint, no bfb-tool repack).
UP=${BFB_INSTALL_UPSTREAM:-}
if [ -n "$UP" ] && [ -x "$UP/bfb-install" ] && [ -x "$UP/bf-reg" ] && [ -x "$UP/mlx-mkbfb" ]; then
	expect_rc 0 "upstream bfb-install -d through rshim0 (exit 0)" unshare -m bash -c '
	mount -t tmpfs bfctl-dev /dev && mknod -m 666 /dev/null c 1 3 && mkdir /dev/rshim0 &&
	mount --bind "$0/dev/rshim0" /dev/rshim0 && PATH="$1:$PATH" bash "$1/bfb-install" -d -b "$0/n5.bfb" -r rshim0' \
		"$TMP" "$UP"
	ok "... Runtime upgrade finished, Sending ActivateFirmware, ActivateFirmware Succeeded" - <<'CHECK'
grep -q 'INFO\[MISC\]: Runtime upgrade finished' "$TMP/rc.out" && grep -qx 'Sending ActivateFirmware' "$TMP/rc.out" &&
grep -qx 'ActivateFirmware Succeeded' "$TMP/rc.out"
CHECK
	ok "... NIC 32.45.1000 pending (bfctl fw query); misc and SP2 back to their defaults" - <<'CHECK'
"$BFCTL" fw query sim:0 > "$TMP/q.out" && grep -Eq '^FW Version: +32.45.1000' "$TMP/q.out" && defaults_back
CHECK
else
	skip "upstream bfb-install -d through rshim0" "BFB_INSTALL_UPSTREAM names no directory with bfb-install, bf-reg, mlx-mkbfb"
fi

# --- staging and the live patch in one run ------------------------------------------
lp0=$(field nic_live_patches)
expect_rc 0 "bfb-install -d -a 1: staged, then live-patched (exit 0)" "$BFBI" -d -b "$TMP/n6.bfb" -r "$TMP/dev/rshim0" -a 1
ok "... Upgrade Finished, then the live patch done" - <<'CHECK'
grep -qx 'Upgrade Finished' "$TMP/rc.out" && grep -qx 'Live Patch NIC Firmware reset done' "$TMP/rc.out"
CHECK
ok "... NIC 32.46.1000 runs, nothing pending, one more live patch (bfctl fw query, bfsim status)" - <<'CHECK'
"$BFCTL" fw query sim:0 > "$TMP/q.out" && grep -Eq '^FW Version: +32.46.1000' "$TMP/q.out" &&
! grep -q 'Running' "$TMP/q.out" && [ "$(field nic_live_patches)" = $((lp0 + 1)) ] && defaults_back
CHECK
done_testing
