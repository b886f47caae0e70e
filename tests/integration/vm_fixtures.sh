#!/bin/bash
# vm_fixtures.sh - in the dpu-vm guest: SF ports of the test bed's patched
# netdevsim through devlink, and the simulated virtio-net controller with
# its SF representors joining an OVS bridge (doc/testbed.md).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/vm/vmtest.sh"
vm_prereq "dpu-vm fixtures scenario"
vm_run "$top_srcdir/tests/vm/scenarios/fixtures.sh" 300
