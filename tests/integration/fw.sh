#!/bin/bash
# fw.sh - bfctl fw against the simulated NIC. First in-process (sim:0
# under `bfsim run`), then through the kernel: `bfsim run --transport pci`
# serves the NIC functions 0000:03:00.0 and .1 as sysfs config files over
# FUSE, and bfctl reaches the firmware with pread/pwrite on them, as on
# hardware: query, config (the field guide's virtio-net hotplug sequence
# on both PFs), burn (pending, refused twice, running after the reset),
# wrong PSID/chip, a damaged image, a power cut in each burn phase (the old
# firmware stays, the next burn succeeds), Ctrl-C during a burn. FS4 images
# (the format of NVIDIA's fw-*.bin, from bfsim fwimage --format fs4): what
# bfctl fw image shows of them, refused for another PSID or chip or when
# damaged, burned and running after the reset.
#
# Every config-space access through FUSE is a round trip: the images are
# small (64 KB burns ~1500 accesses per KB).
. "$(dirname "$0")/lib.sh"

SPEED=${BFSIM_TEST_SPEED:-20}
IMG="$TMP/img"
mkdir -p "$IMG"

# --- images ---------------------------------------------------------------
expect_rc 0 "bfsim fwimage" "$BFSIM" fwimage -o "$IMG/new.img" --version 32.41.1000 --psid MT_0000000884 \
	--date 28.4.2024 --size 64K
ok "it says what it wrote" grep -q 'firmware 32.41.1000 for BlueField-3 (PSID MT_0000000884, 65664 bytes)' "$TMP/rc.out"
expect_rc 8 "an existing image is kept" "$BFSIM" fwimage -o "$IMG/new.img" --version 1.2.3 --psid X
expect_rc 2 "a bad version is a usage error" "$BFSIM" fwimage -o "$IMG/x.img" --version 1.2 --psid X
ok "more images: another version, another PSID, a BlueField-2 one, a big one, a damaged one" - <<'CHECK'
"$BFSIM" fwimage -o "$IMG/newer.img" --version 32.42.1010 --psid MT_0000000884 --size 16K >/dev/null &&
"$BFSIM" fwimage -o "$IMG/other.img" --version 32.41.1000 --psid MT_0000000999 --size 16K >/dev/null &&
"$BFSIM" fwimage -o "$IMG/bf2.img" --chip bf2 --version 24.41.1000 --psid MT_0000000540 --size 16K >/dev/null &&
"$BFSIM" fwimage -o "$IMG/big.img" --version 32.43.1000 --psid MT_0000000884 --size 2M >/dev/null &&
cp "$IMG/newer.img" "$IMG/bad.img" && printf 'X' | dd of="$IMG/bad.img" bs=1 seek=5000 conv=notrunc 2>/dev/null
CHECK

# --- FS4 images and bfctl fw image ---------------------------------------------
expect_rc 0 "bfsim fwimage --format fs4" "$BFSIM" fwimage -o "$IMG/fs4.bin" --format fs4 --version 32.43.1020 \
	--psid MT_0000000884 --date 2.5.2024 --size 32K
ok "it says what it wrote" grep -q 'FS4 firmware 32.43.1020 for BlueField-3 (PSID MT_0000000884, 53248 bytes)' "$TMP/rc.out"
ok "FS4 images for another PSID, for a BlueField-2, a damaged one" - <<'CHECK'
"$BFSIM" fwimage -o "$IMG/fs4-other.bin" --format fs4 --version 32.43.1020 --psid MT_0000000999 --size 8K >/dev/null &&
"$BFSIM" fwimage -o "$IMG/fs4-bf2.bin" --format fs4 --chip bf2 --version 24.43.1020 --psid MT_0000000540 --size 8K \
	>/dev/null && cp "$IMG/fs4.bin" "$IMG/fs4-bad.bin" &&
	printf 'X' | dd of="$IMG/fs4-bad.bin" bs=1 seek=$((0x4000 + 100)) conv=notrunc 2>/dev/null
CHECK
expect_rc 0 "fw image on an FS4 file" "$BFCTL" fw image "$IMG/fs4.bin"
ok "flint q's labels and the image's values" - <<'CHECK'
grep -qE '^Image type: +FS4$' "$TMP/rc.out" && grep -qE '^FW Version: +32\.43\.1020$' "$TMP/rc.out" &&
	grep -qE '^FW Release Date: +2\.5\.2024$' "$TMP/rc.out" && grep -qE '^Product Version: +32\.43\.1020$' "$TMP/rc.out" &&
	grep -qE '^Description: +UID +GuidsNumber$' "$TMP/rc.out" && grep -qE '^Base GUID: +N/A +8$' "$TMP/rc.out" &&
	grep -qE '^Image VSD: +N/A$' "$TMP/rc.out" && grep -qE '^PSID: +MT_0000000884$' "$TMP/rc.out" &&
	grep -qE '^Security Attributes: +signed-fw$' "$TMP/rc.out" && grep -qE '^Security Ver: +0$' "$TMP/rc.out" &&
	! grep -q 'Part Number' "$TMP/rc.out"
CHECK
if command -v mstflint >/dev/null; then
	cp "$TMP/rc.out" "$TMP/image.out"
	expect_rc 0 "mstflint verifies the FS4 image" mstflint -i "$IMG/fs4.bin" v
	ok "mstflint finds it valid" grep -q 'FW image verification succeeded' "$TMP/rc.out"
	expect_rc 0 "mstflint -i q" mstflint -i "$IMG/fs4.bin" q
	ok "bfctl fw image prints what mstflint prints" - <<'CHECK'
diff "$TMP/rc.out" "$TMP/image.out" >&2
CHECK
else
	skip "mstflint on the FS4 image" "no mstflint here"
fi
# Past one code section's 16 MiB the payload goes on in further sections,
# up to 63M (the image then stays under the NIC's 64 MiB component).
expect_rc 0 "an FS4 image of 20M" "$BFSIM" fwimage -o "$IMG/fs4-20m.bin" --format fs4 --version 32.43.1020 \
	--psid MT_0000000884 --size 20M
ok "it says what it wrote" grep -q '(PSID MT_0000000884, 20992000 bytes)' "$TMP/rc.out"
expect_rc 0 "fw image reads it" "$BFCTL" fw image "$IMG/fs4-20m.bin" --json
ok "MAIN_CODE and a second code section: 5 ITOC sections, every byte in the component" - <<'CHECK'
grep -q '"component_bytes":20987904,"itoc_sections":5,' "$TMP/rc.out"
CHECK
if command -v mstflint >/dev/null; then
	expect_rc 0 "mstflint verifies the 20M image" mstflint -i "$IMG/fs4-20m.bin" v
	ok "mstflint finds it valid" grep -q 'FW image verification succeeded' "$TMP/rc.out"
	rm -f "$IMG/fs4-20m.bin"
else
	skip "mstflint on the 20M FS4 image" "no mstflint here"
fi
expect_rc 0 "an FS4 image of 63M, the most" "$BFSIM" fwimage -o "$IMG/fs4-63m.bin" --format fs4 --version 32.43.1020 \
	--psid MT_0000000884 --size 63M
expect_rc 0 "fw image reads it" "$BFCTL" fw image "$IMG/fs4-63m.bin" --json
ok "four code sections" grep -q '"component_bytes":66076672,"itoc_sections":7,' "$TMP/rc.out"
rm -f "$IMG/fs4-63m.bin"
expect_rc 2 "a byte more is refused" "$BFSIM" fwimage -o "$IMG/fs4-big.bin" --format fs4 --version 32.43.1020 \
	--psid MT_0000000884 --size $(((63 << 20) + 1))
ok "saying what the limit is and why, writing nothing" - <<'CHECK'
grep -q -- '--size takes at most 63M with --format fs4 (the image must stay under the 64 MiB the NIC takes as one component)' \
	"$TMP/rc.err" && [ ! -e "$IMG/fs4-big.bin" ]
CHECK
expect_rc 2 "a BFSIMFW1 payload of 64M is refused" "$BFSIM" fwimage -o "$IMG/big64.img" --version 32.43.1020 \
	--psid MT_0000000884 --size 64M
ok "the header counts in its limit" grep -q -- 'from 1 to 64M less 128 (the header)' "$TMP/rc.err"
expect_rc 0 "fw image --full" "$BFCTL" fw image "$IMG/fs4-bf2.bin" --full
ok "q full's part number, description, update method; the chip" - <<'CHECK'
grep -qE '^Part Number: +BFSIM-FW$' "$TMP/rc.out" && grep -qE '^Description: +BlueField-2 NIC firmware \(bfsim\)$' "$TMP/rc.out" &&
	grep -qE '^Default Update Method: +fw_ctrl$' "$TMP/rc.out" && grep -qE '^Supported HW: +BlueField-2 \(HW id 0x214' "$TMP/rc.out"
CHECK
expect_rc 0 "fw image --json" "$BFCTL" fw image "$IMG/fs4.bin" --json
ok "JSON fw_image event" grep -q '"event":"fw_image".*"image_type":"FS4","fw_version":"32.43.1020".*"psid":"MT_0000000884".*"supported_hw":\[{"hw_id":540,' "$TMP/rc.out"
expect_rc 3 "fw image on a damaged FS4 file" "$BFCTL" fw image "$IMG/fs4-bad.bin"
ok "names the section and where it is" grep -q 'the ITOC section 0x03 at 0x4000 is damaged (CRC' "$TMP/rc.err"
expect_rc 3 "fw image on a file that is no image" "$BFCTL" fw image "$0"
ok "says what it is not" grep -q 'neither an FS4 image' "$TMP/rc.err"
expect_rc 0 "fw image on a simulator image" "$BFCTL" fw image "$IMG/new.img"
ok "BFSIMFW1 too" - <<'CHECK'
grep -qE '^Image type: +BFSIMFW1$' "$TMP/rc.out" && grep -qE '^FW Version: +32\.41\.1000$' "$TMP/rc.out"
CHECK

# --- in-process: sim:0 under bfsim run ----------------------------------------
ST="$TMP/state-sim"
sim() { "$BFSIM" run --state "$ST" -- "$BFCTL" "$@"; }
expect_rc 0 "fw query sim:0" sim fw query sim:0
ok "flint's labels and the simulated NIC's values" - <<'CHECK'
grep -qE '^FW Version: +32\.40\.1000$' "$TMP/rc.out" && grep -qE '^PSID: +MT_0000000884$' "$TMP/rc.out" &&
	grep -qE '^Security Attributes: +secure-fw$' "$TMP/rc.out" &&
	grep -qE '^Rom Info: +type=UEFI Virtio net version=21\.4\.13 cpu=AMD64,AARCH64$' "$TMP/rc.out" &&
	grep -qE '^Base MAC: +a088c275c110 ' "$TMP/rc.out" && ! grep -q 'Running' "$TMP/rc.out"
CHECK
expect_rc 0 "fw burn sim:0" sim fw burn sim:0 "$IMG/newer.img" -y
expect_rc 0 "fw reset sim:0" sim fw reset sim:0 -y
ok "running the new firmware after the reset" grep -q 'FW Version(Running):  32.42.1010 (was 32.40.1000)' "$TMP/rc.out"
expect_rc 0 "bfsim status after the reset" "$BFSIM" status --state "$ST"
ok "bfsim status shows what the NIC runs" grep -q 'NIC FW      32.42.1010 (PSID MT_0000000884)' "$TMP/rc.out"
expect_rc 0 "burn an FS4 image into sim:0" sim fw burn sim:0 "$IMG/fs4.bin" -y
expect_rc 0 "fw query sim:0 after it" sim fw query sim:0
ok "the FS4 image's version and date pending" - <<'CHECK'
grep -qE '^FW Version: +32\.43\.1020$' "$TMP/rc.out" && grep -qE '^FW Version\(Running\): +32\.42\.1010$' "$TMP/rc.out" &&
	grep -qE '^FW Release Date: +2\.5\.2024$' "$TMP/rc.out"
CHECK
# The device lives in bfsim, not in bfctl: as on hardware, a tool killed
# during a burn leaves the VSEC semaphore taken. The kill goes once the
# burn's progress shows bytes sent; the semaphore may have been given back
# for a moment then (between commands, or in the 2 ms a burn yields every
# 200 ms): the next query then works, and the kill is tried again, 5 times
# at most, as for the PCI device below.
expect_rc 0 "sim:0: kill -9 during a burn, then the next burn" "$BFSIM" run --state "$TMP/state-sim-kill" -- sh -c "
	n=0
	while :; do
		rm -f '$TMP/kill.json'
		'$BFCTL' fw burn sim:0 '$IMG/big.img' -y --json > '$TMP/kill.json' 2>/dev/null & p=\$!
		i=0
		while [ \$i -lt 1200 ] && ! grep -q '\"event\":\"burn\".*\"bytes\":[1-9]' '$TMP/kill.json'; do
			sleep 0.1; i=\$((i + 1))
		done
		kill -9 \$p; wait \$p; rc=\$?
		'$BFCTL' fw query sim:0 >/dev/null 2>&1; q=\$?; n=\$((n + 1))
		[ \$q = 4 ] || [ \$n -ge 5 ] && break
	done
	echo burn=\$rc query=\$q tries=\$n
	'$BFCTL' fw query sim:0 --clear-semaphore >/dev/null && '$BFCTL' fw burn sim:0 '$IMG/newer.img' -y"
check "sim:0: the semaphore stays taken (exit 4) until --clear-semaphore; then the next burn succeeds" sh -c "
	grep -q '^burn=137 query=4 tries=' '$TMP/rc.out' && grep -q 'Activating the image -   OK' '$TMP/rc.out' ||
	{ cat '$TMP/rc.out' '$TMP/rc.err'; false; }"
expect_rc 4 "sim:0.2 does not exist" sim fw query sim:0.2
ST="$TMP/state-install"
expect_rc 0 "a BFB install updates the NIC firmware" sh -c \
	"'$BFSIM' run --state '$ST' --speed 50 -- '$BFCTL' install --rshim sim:0 --bfb '$top_builddir/bfb/sample-full.bfb' >/dev/null &&
	 '$BFSIM' run --state '$ST' -- '$BFCTL' fw query sim:0"
ok "the NIC runs what the installer put there" - <<'CHECK'
grep -qE '^FW Version: +32\.41\.1000$' "$TMP/rc.out" && ! grep -q 'Running' "$TMP/rc.out"
CHECK

# --- through the kernel: --transport pci -------------------------------------
why=
if [ ! -e /dev/fuse ]; then
	why="no /dev/fuse"
elif [ "$(id -u)" != 0 ]; then
	why="needs root (FUSE mount and a private mount namespace)"
elif ! unshare -m true 2>/dev/null; then
	why="no mount namespaces here"
elif [ ! -d /sys/bus/pci/devices ]; then
	why="no /sys/bus/pci/devices to mount over"
elif ! "$BFSIM" run --transport pci -- true >"$TMP/probe.out" 2>&1; then
	why="bfsim cannot serve PCI here: $(tail -1 "$TMP/probe.out")"
fi
if [ -n "$why" ]; then
	skip "bfctl fw over bfsim --transport pci" "$why"
	done_testing
	exit
fi

ST="$TMP/state-pci"
pci() {  # pci [bfsim run options] -- COMMAND...
	"$BFSIM" run --state "$ST" --speed "$SPEED" --transport pci "$@"
}
fw() { pci -- "$BFCTL" fw "$@"; }

expect_rc 0 "query by PCI address" fw query 0000:03:00.0
ok "the NIC answers through sysfs config space" - <<'CHECK'
grep -qE '^FW Version: +32\.40\.1000$' "$TMP/rc.out" && grep -qE '^Image type: +FS4$' "$TMP/rc.out"
CHECK
expect_rc 0 "query by short address, mst names, --json" pci -- sh -c \
	"'$BFCTL' fw query 03:00.1 >/dev/null && '$BFCTL' fw query /dev/mst/mt41692_pciconf0.1 >/dev/null &&
	 '$BFCTL' fw query mt41692_pciconf0 --json"
ok "JSON fw_query event" grep -q '"event":"fw_query".*"device_type":"BlueField3".*"fw_version":"32.40.1000".*"psid":"MT_0000000884"' "$TMP/rc.out"
expect_rc 4 "an mst name with no such device" fw query mt41686_pciconf0
ok "says why" grep -q 'no device mt41686_pciconf0' "$TMP/rc.err"
expect_rc 4 "sim:0 is refused under the transport" fw query sim:0
ok "and names the PCI address to use" grep -q 'use 0000:03:00.0, not sim:0' "$TMP/rc.err"

# config: the virtio-net hotplug sequence of the field guide.
expect_rc 0 "config reset" fw config 03:00.0 reset -y
expect_rc 0 "config set on 03:00.0 (virtio-net hotplug)" fw config 03:00.0 set INTERNAL_CPU_MODEL=1 SRIOV_EN=0 \
	NUM_OF_VFS=0 NUM_OF_PF=0 PCI_SWITCH_EMULATION_ENABLE=1 PCI_SWITCH_EMULATION_NUM_PORT=32 \
	VIRTIO_NET_EMULATION_ENABLE=1 VIRTIO_NET_EMULATION_NUM_VF=0 VIRTIO_NET_EMULATION_NUM_PF=0 \
	VIRTIO_NET_EMULATION_NUM_MSIX=64 LAG_RESOURCE_ALLOCATION=1 PER_PF_NUM_SF=1 PF_TOTAL_SF=64 PF_SF_BAR_SIZE=10 -y
ok "mlxconfig's messages" - <<'CHECK'
grep -q 'Applying... Done!' "$TMP/rc.out" && grep -q 'Please reboot machine to load new configurations' "$TMP/rc.out"
CHECK
expect_rc 0 "config set on 03:00.1" fw config 03:00.1 set PER_PF_NUM_SF=1 PF_TOTAL_SF=2 PF_SF_BAR_SIZE=10 -y
expect_rc 0 "config query (next differs from current)" fw config 03:00.0 query PF_TOTAL_SF SRIOV_EN \
	VIRTIO_NET_EMULATION_NUM_MSIX LINK_TYPE_P2
ok "Default / Current / Next, '*' where next differs" - <<'CHECK'
grep -qE '^\*  PF_TOTAL_SF +0 +0 +64$' "$TMP/rc.out" && grep -qE '^\*  SRIOV_EN +True\(1\) +True\(1\) +False\(0\)$' "$TMP/rc.out" &&
	grep -qE '^   LINK_TYPE_P2 +ETH\(2\) +ETH\(2\) +ETH\(2\)$' "$TMP/rc.out"
CHECK
expect_rc 0 "config query on 03:00.1 --json" fw config 03:00.1 query PF_TOTAL_SF --json
ok "each PF has its own PF_TOTAL_SF" grep -q '"name":"PF_TOTAL_SF","supported":true,"next":"2","current":"0","default":"0"' "$TMP/rc.out"
expect_rc 2 "set without -y and without a terminal" fw config 03:00.0 set SRIOV_EN=1 </dev/null
ok "says to pass -y" grep -q 'pass -y' "$TMP/rc.err"
expect_rc 3 "an unknown parameter" fw config 03:00.0 set SRIOV_ENABLE=1 -y
ok "did you mean" grep -q 'unknown parameter SRIOV_ENABLE (did you mean SRIOV_EN?)' "$TMP/rc.err"
expect_rc 3 "a value out of the device's range" fw config 03:00.0 set NUM_OF_VFS=128 -y
ok "the range is the device's" grep -q 'NUM_OF_VFS: 128 is out of range: 03:00.0 allows 0 to 127' "$TMP/rc.err"
expect_rc 3 "a value text that contradicts its number" fw config 03:00.0 set INTERNAL_CPU_OFFLOAD_ENGINE='DISABLED(0)' -y
expect_rc 0 "upstream value texts" fw config 03:00.0 set INTERNAL_CPU_OFFLOAD_ENGINE='ENABLED(0)' UEFI_HII_EN=True \
	LINK_TYPE_P1=ETH -y

# burn: pending, refused again before the reset, running after it.
expect_rc 0 "burn" fw burn 03:00.0 "$IMG/new.img" -y
ok "flint's lines" - <<'CHECK'
grep -q 'Current FW version on flash:  32.40.1000' "$TMP/rc.out" && grep -q 'Writing Boot image component -   OK' "$TMP/rc.out"
CHECK
expect_rc 0 "query after the burn" fw query 03:00.0
ok "the new version pending, the old one running" - <<'CHECK'
grep -qE '^FW Version: +32\.41\.1000$' "$TMP/rc.out" && grep -qE '^FW Version\(Running\): +32\.40\.1000$' "$TMP/rc.out" &&
	grep -qE '^FW Release Date: +28\.4\.2024$' "$TMP/rc.out"
CHECK
expect_rc 1 "a second burn before the reset" fw burn 03:00.0 "$IMG/newer.img" -y
ok "the firmware refuses it" grep -q 'pending reset (BLOCKED_PENDING_RESET, error 0x9)' "$TMP/rc.err"
expect_rc 0 "reset --query" fw reset 03:00.0 --query
ok "mstfwreset's table" - <<'CHECK'
grep -qE '^3: Driver restart and PCI reset +-Supported +\(default\)$' "$TMP/rc.out" &&
	grep -qE '^2: NIC only reset \(for SoC devices\) +-Supported +\(default\)$' "$TMP/rc.out"
CHECK
expect_rc 1 "a reset the tool must do (sync 0) is refused" fw reset 03:00.0 --sync=0 -y
ok "says to let the driver do it" grep -q "use --sync=1 (the mlx5 driver resets the NIC)" "$TMP/rc.err"
expect_rc 0 "reset" fw reset 03:00.0 -y
ok "the new firmware runs" grep -q 'FW Version(Running):  32.41.1000 (was 32.40.1000)' "$TMP/rc.out"
expect_rc 0 "the configuration is current after the reset" fw config 03:00.0 query PF_TOTAL_SF
ok "next became current" grep -qE '^\*  PF_TOTAL_SF +0 +64 +64$' "$TMP/rc.out"

# Refusals before anything is sent.
expect_rc 3 "an image for another PSID" fw burn 03:00.0 "$IMG/other.img" -y
ok "names both PSIDs" grep -q 'the image is for PSID MT_0000000999, 03:00.0 is MT_0000000884' "$TMP/rc.err"
expect_rc 1 "--allow-psid-change: the firmware refuses it itself" fw burn 03:00.0 "$IMG/other.img" -y --allow-psid-change
ok "REJECTED_NOT_APPLICABLE" grep -q 'REJECTED_NOT_APPLICABLE' "$TMP/rc.err"
expect_rc 3 "an image for another chip" fw burn 03:00.0 "$IMG/bf2.img" -y
ok "says which" grep -q 'the image is for a BlueField-2' "$TMP/rc.err"
expect_rc 3 "a damaged image" fw burn 03:00.0 "$IMG/bad.img" -y
ok "says so" grep -q 'damaged (CRC mismatch)' "$TMP/rc.err"
expect_rc 0 "still running 32.41.1000, nothing pending" fw query 03:00.0
ok "nothing changed" - <<'CHECK'
grep -qE '^FW Version: +32\.41\.1000$' "$TMP/rc.out" && ! grep -q 'Running' "$TMP/rc.out"
CHECK

# An FS4 image, as NVIDIA ships them: the same refusals, then burned.
expect_rc 3 "an FS4 image for another PSID" fw burn 03:00.0 "$IMG/fs4-other.bin" -y
ok "names both PSIDs" grep -q 'the image is for PSID MT_0000000999, 03:00.0 is MT_0000000884' "$TMP/rc.err"
expect_rc 1 "FS4, --allow-psid-change: the firmware refuses it itself" fw burn 03:00.0 "$IMG/fs4-other.bin" -y \
	--allow-psid-change
ok "REJECTED_NOT_APPLICABLE" grep -q 'REJECTED_NOT_APPLICABLE' "$TMP/rc.err"
expect_rc 3 "an FS4 image for another chip" fw burn 03:00.0 "$IMG/fs4-bf2.bin" -y
ok "says which" grep -q 'the image is for a BlueField-2' "$TMP/rc.err"
expect_rc 3 "a damaged FS4 image" fw burn 03:00.0 "$IMG/fs4-bad.bin" -y
ok "says so" grep -q 'is damaged (CRC' "$TMP/rc.err"
expect_rc 0 "burn an FS4 image" fw burn 03:00.0 "$IMG/fs4.bin" -y
ok "flint's lines" - <<'CHECK'
grep -q 'New FW version:               32.43.1020' "$TMP/rc.out" && grep -q 'Writing Boot image component -   OK' "$TMP/rc.out"
CHECK
expect_rc 0 "reset after the FS4 burn" fw reset 03:00.0 -y
ok "the FS4 image's firmware runs" grep -q 'FW Version(Running):  32.43.1020 (was 32.41.1000)' "$TMP/rc.out"

# A power cut in each phase: the old firmware comes back; the next burn works.
for phase in lock mcda verify activate; do
	ST="$TMP/state-cut-$phase"
	expect_rc 0 "power cut during $phase" pci --fault powercut-during=$phase -- sh -c "
		'$BFCTL' fw burn 03:00.0 '$IMG/newer.img' -y; echo burn=\$?
		sleep 0.3
		'$BFCTL' fw query 03:00.0 && '$BFCTL' fw burn 03:00.0 '$IMG/newer.img' -y && '$BFCTL' fw query 03:00.0"
	ok "$phase: burn fails (exit 4), old firmware after the power returns, the next burn succeeds" - <<'CHECK'
grep -q '^burn=4$' "$TMP/rc.out" && grep -q 'stopped responding during' "$TMP/rc.err" &&
	grep -qE '^FW Version: +32\.40\.1000$' "$TMP/rc.out" && grep -qE '^FW Version: +32\.42\.1010$' "$TMP/rc.out"
CHECK
done

# Ctrl-C during the data transfer cancels the update. The signal goes once
# the burn's progress events show bytes sent (not after a fixed sleep: on a
# loaded host the burn may not have reached the transfer yet).
ST="$TMP/state-int"
expect_rc 0 "SIGINT during a burn" pci -- sh -c "
	'$BFCTL' fw burn 03:00.0 '$IMG/big.img' -y --json > '$TMP/int.json' & p=\$!
	i=0
	while [ \$i -lt 1200 ] && ! grep -q '\"event\":\"burn\".*\"bytes\":[1-9]' '$TMP/int.json'; do
		sleep 0.1; i=\$((i + 1))
	done
	kill -INT \$p; wait \$p; echo burn=\$?
	'$BFCTL' fw query 03:00.0 && '$BFCTL' fw burn 03:00.0 '$IMG/newer.img' -y"
ok "exit 130, nothing pending, the next burn succeeds" - <<'CHECK'
grep -q '^burn=130$' "$TMP/rc.out" && grep -q 'interrupted during the data transfer: the update was cancelled' "$TMP/rc.err" &&
	grep -qE '^FW Version: +32\.40\.1000$' "$TMP/rc.out" && grep -q 'Activating the image -   OK' "$TMP/rc.out"
CHECK


# kill -9 during a burn: the VSEC semaphore stays taken (bfctl holds it
# across commands during a burn; the kill waits until the config space shows
# it taken). The next command says its holder most likely died and how to
# recover; --clear-semaphore does, with a warning; then a burn takes over the
# dead PID's flash and ICMD semaphores and the update it left, and succeeds.
ST="$TMP/state-kill"
# The semaphore read taken may be given back before the kill lands (between
# commands, or in the 2 ms a burn yields every 200 ms): then it is read again
# after the kill, and the burn killed again, 5 times at most.
expect_rc 0 "kill -9 during a burn" pci -- sh -c "
	sem() { od -An -tx4 -j 204 -N4 /sys/bus/pci/devices/0000:03:00.0/config | tr -d ' '; }
	n=0
	while :; do
		'$BFCTL' fw burn 03:00.0 '$IMG/big.img' -y >/dev/null 2>&1 & p=\$!
		sleep 1; i=0
		while [ \$i -lt 500 ] && [ \"\$(sem)\" = 00000000 ]; do i=\$((i + 1)); done
		kill -9 \$p; wait \$p; rc=\$?; v=\$(sem); n=\$((n + 1))
		[ \"\$v\" != 00000000 ] || [ \$n -ge 5 ] && break
	done
	echo burn=\$rc sem=\$v tries=\$n
	'$BFCTL' fw query 03:00.0 >/dev/null; echo query=\$?
	'$BFCTL' fw query 03:00.0 --clear-semaphore && '$BFCTL' fw burn 03:00.0 '$IMG/newer.img' -y -v"
check "killed while holding the VSEC semaphore" grep -qE '^burn=137 sem=0*[1-9a-f][0-9a-f]* tries=' "$TMP/rc.out"
check "the next command: exit 4, the holder most likely died, use --clear-semaphore" sh -c "
	grep -q '^query=4$' '$TMP/rc.out' &&
	grep -q 'stayed taken with the same ticket .* most likely died holding it .* clear it with --clear-semaphore' '$TMP/rc.err'"
check "--clear-semaphore warns, and the query works" sh -c "
	grep -q 'warning: 0000:03:00.0: cleared the VSEC semaphore, which held ticket' '$TMP/rc.err' &&
	grep -qE '^FW Version: +32\.40\.1000$' '$TMP/rc.out'"
check "the next burn takes over what the dead burn held, and succeeds" sh -c "
	grep -qE 'flash semaphore held by PID [0-9]+, which is gone|releasing an update left in state' '$TMP/rc.err' &&
	grep -q 'Activating the image -   OK' '$TMP/rc.out'"
expect_rc 0 "--clear-semaphore on a free semaphore changes nothing" fw query 03:00.0 --clear-semaphore -v
check "it says there was nothing to clear" grep -q 'the VSEC semaphore was free; nothing to clear' "$TMP/rc.err"

# mstflint itself against the simulated NIC, on both chips: query, burn an FS4
# image through the component update, verify by reading the flash back
# (READ_COMPONENT + MCDA); it and bfctl agree on what the flash holds.
if command -v mstflint >/dev/null; then
	check "FS4 images for mstflint and bfctl, both chips" sh -c "
		'$BFSIM' fwimage -o '$IMG/m-bf3.bin' --format fs4 --version 32.43.2002 --psid MT_0000000884 --date 3.6.2024 \
			--size 16K && '$BFSIM' fwimage -o '$IMG/m-bf2.bin' --format fs4 --chip bf2 --version 24.43.2002 \
			--psid MT_0000000540 --date 3.6.2024 --size 16K &&
		'$BFSIM' fwimage -o '$IMG/b-bf3.bin' --format fs4 --version 32.43.3004 --psid MT_0000000884 --size 16K &&
		'$BFSIM' fwimage -o '$IMG/b-bf2.bin' --format fs4 --chip bf2 --version 24.43.3004 --psid MT_0000000540 \
			--size 16K" 
	fields='FW Version|FW Release Date|Product Version|Base GUID|Base MAC|PSID|Security Attributes'
	for chip in bf3 bf2; do
		ST="$TMP/state-mst-$chip"
		# mstflint's lock files live in /tmp/mstflint_lockfiles, shared with
		# whatever else on the host runs it: each run gets its own.
		run() { "$BFSIM" run --state "$ST" --chip $chip --speed "$SPEED" --transport pci -- sh -c \
			'mkdir -p /tmp/mstflint_lockfiles && mount -t tmpfs bfsim /tmp/mstflint_lockfiles && exec "$@"' \
			sh "$@"; }
		case $chip in bf3) fwv=32.40.1000 psid=MT_0000000884 ;; *) fwv=24.40.1000 psid=MT_0000000540 ;; esac
		maj=${fwv%%.*}
		expect_rc 0 "$chip: mstflint q" run mstflint -d 0000:03:00.0 q
		cp "$TMP/rc.out" "$TMP/mq.out"
		check "$chip: mstflint reads the running version and the PSID" sh -c \
			"grep -qE '^FW Version: +$fwv\$' '$TMP/mq.out' && grep -qE '^PSID: +$psid\$' '$TMP/mq.out'"
		expect_rc 0 "$chip: bfctl fw query" run "$BFCTL" fw query 0000:03:00.0
		check "$chip: bfctl and mstflint show the same versions, date, GUID, MAC, PSID, security" sh -c "
			grep -E '^($fields):' '$TMP/mq.out' | tr -s ' ' >'$TMP/mq.f' &&
			grep -E '^($fields):' '$TMP/rc.out' | tr -s ' ' | diff - '$TMP/mq.f' && [ \$(wc -l <'$TMP/mq.f') = 7 ]"
		check "$chip: and the same ROMs, in the same order" sh -c "
			grep -A3 '^Rom Info' '$TMP/mq.out' | tr -s ' ' >'$TMP/mq.r' &&
			grep -A3 '^Rom Info' '$TMP/rc.out' | tr -s ' ' | diff - '$TMP/mq.r' && [ \$(wc -l <'$TMP/mq.r') = 4 ]"
		expect_rc 0 "$chip: mstflint v (the factory image, read back)" run mstflint -d 0000:03:00.0 v
		check "$chip: the flash holds a valid image" grep -q 'FW image verification succeeded' "$TMP/rc.out"
		expect_rc 0 "$chip: mstflint burns an FS4 image" run mstflint -d 0000:03:00.0 -i "$IMG/m-$chip.bin" -y b
		check "$chip: mstflint's progress to OK" grep -q 'Writing Boot image component -   OK' "$TMP/rc.out"
		expect_rc 0 "$chip: bfctl sees mstflint's burn" run "$BFCTL" fw query 0000:03:00.0
		check "$chip: the new version and date pending, the old one running" sh -c "
			grep -qE '^FW Version: +$maj\.43\.2002\$' '$TMP/rc.out' &&
			grep -qE '^FW Version\(Running\): +$fwv\$' '$TMP/rc.out' &&
			grep -qE '^FW Release Date: +3\.6\.2024\$' '$TMP/rc.out'"
		expect_rc 0 "$chip: mstflint v reads back what it burned" run mstflint -d 0000:03:00.0 v
		check "$chip: verified" grep -q 'FW image verification succeeded' "$TMP/rc.out"
		expect_rc 0 "$chip: reset, bfctl burns, mstflint queries and verifies" run sh -c "
			'$BFCTL' fw reset 0000:03:00.0 -y >/dev/null && '$BFCTL' fw burn 0000:03:00.0 '$IMG/b-$chip.bin' -y >/dev/null &&
			mstflint -d 0000:03:00.0 q && mstflint -d 0000:03:00.0 v"
		check "$chip: mstflint sees bfctl's burn pending and verifies it" sh -c "
			grep -qE '^FW Version: +$maj\.43\.3004\$' '$TMP/rc.out' &&
			grep -qE '^FW Version\(Running\): +$maj\.43\.2002\$' '$TMP/rc.out' &&
			grep -q 'FW image verification succeeded' '$TMP/rc.out'"
	done
else
	skip "mstflint against the simulated NIC" "no mstflint here"
fi
done_testing
