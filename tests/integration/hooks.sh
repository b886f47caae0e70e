#!/bin/bash
# hooks.sh - bfsim runs the bf.cfg hooks of a pushed stream as the DPU's
# installer does (bash, the new OS at /mnt, bfrshlog to the RShim log), in
# a sandbox: the bf.cfg comes from whoever pushed the stream, and what it
# does must not reach the host. Each probe below is something a hostile
# hook tries; the host is read back from outside.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! unshare -m -p -n -f true 2>/dev/null; then
	skip "bf.cfg hooks in their sandbox" "needs root (mount, PID and network namespaces)"
	done_testing
	exit
fi

PROOF="/var/tmp/bfctl-hooks-test.$$"
HOSTFILE="$TMP/host-visible"
echo "host data" > "$HOSTFILE"
trap 'rm -rf "$TMP" "$PROOF"' EXIT
cat > "$TMP/probe.cfg" <<CFG
bfb_modify_os()
{
	echo "uid=\$(id -u) hostname=\$(hostname)"
	echo pwned > $PROOF || echo "host /var/tmp: not writable"
	cat $HOSTFILE || echo "host state: not visible"
	echo "shadow=\$(wc -c < /etc/shadow)"
	echo "links=\$(ip -o link | awk -F': ' '{print \$2}' | tr '\n' ' ')"
	echo "processes=\$(ls /proc | grep -c '^[0-9]')"
	mount -t tmpfs x /etc 2>/dev/null || echo "mount: refused"
	echo "disks=\$(ls /dev | grep -c -E '^(sd|vd|nvme|mem|kmem)')"
	mkdir -p /mnt/root/.ssh && echo key > /mnt/root/.ssh/authorized_keys &&
		chown 1000:1000 /mnt/root/.ssh && chmod 0600 /mnt/root/.ssh/authorized_keys && echo "rootfs: written"
	bfrshlog "INFO hook says hello"
}
CFG

expect_rc 0 "an install whose bf.cfg probes the host completes" \
	timeout 120 "$BFSIM" run --state "$TMP/st" --speed 50 -- "$BFCTL" install -r sim:0 \
	-b "$top_builddir/bfb/sample-full.bfb" -c "$TMP/probe.cfg"
ok "bfrshlog from inside the sandbox reached the RShim log the install showed" grep -q 'hook says hello' "$TMP/rc.out"
L="$TMP/st/hooks.log"
sed 's/^/# hooks.log: /' "$L"
ok "the hook ran as root on a host named dpu" grep -qx 'uid=0 hostname=dpu' "$L"
ok "it could not write the host's /var/tmp" not test -e "$PROOF"
ok "the host's files outside the sandbox are not visible to it" grep -qx 'host state: not visible' "$L"
ok "the host's /etc/shadow reads empty" grep -qx 'shadow=0' "$L"
ok "its network has only lo" grep -qx 'links=lo ' "$L"
ok "it sees only its own processes (no host PIDs)" - <<'CHECK'
n=$(sed -n 's/^processes=//p' "$L"); [ -n "$n" ] && [ "$n" -lt 10 ]
CHECK
ok "mounting is refused" grep -qx 'mount: refused' "$L"
ok "no disk or memory devices in its /dev" grep -qx 'disks=0' "$L"
ok "it wrote the DPU root file system at /mnt, with chown and chmod" grep -qx 'rootfs: written' "$L"
ok "the file landed in the simulated DPU's rootfs, owned as the hook said" - <<'CHECK'
[ "$(stat -c '%u %a' "$TMP/st/rootfs/root/.ssh/authorized_keys")" = "0 600" ] &&
[ "$(stat -c '%u' "$TMP/st/rootfs/root/.ssh")" = 1000 ]
CHECK

done_testing
