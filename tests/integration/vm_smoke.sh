#!/bin/bash
# vm_smoke.sh - the DPU-side test bed works: Debian's kernel boots under
# QEMU and the smoke scenario (netdevsim switchdev and VF representors,
# bonding 802.3ad and failover, Open vSwitch with the kernel datapath, sshd)
# passes in the guest. See doc/testbed.md.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/vm/vmtest.sh"
vm_prereq "dpu-vm smoke scenario"
vm_run "$top_srcdir/tests/vm/scenarios/smoke.sh" 300
