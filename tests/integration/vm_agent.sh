#!/bin/bash
# vm_agent.sh - bfagent on a real kernel: in the dpu-vm guest, each shipped
# profile applied to netdevsim (BlueField layout), bonding, Open vSwitch and
# the simulated virtio-net controller, read back with independent tools;
# the second apply changes nothing; drift is reported (doc/testbed.md).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/vm/vmtest.sh"
if [ ! -x "$top_builddir/src/agent/bfagent" ]; then
	skip "bfagent in the dpu-vm guest" "this build has no src/agent/bfagent"
	done_testing; exit
fi
vm_prereq "bfagent in the dpu-vm guest"
vm_run "$top_srcdir/tests/vm/scenarios/agent.sh" 900
