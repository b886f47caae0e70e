#!/bin/bash
# vm_provision_rshimd.sh - vm_provision.sh through rshimd: the DPU's OS a
# VM, rshimd serving the simulated device as rshim0 and making the host's
# tmfifo_net0; every shipped profile from a blank DPU: lag first, then
# each of the others after a new install (--reinstall: the DPU's root file
# system laid out again, the VM booted again).
VM_PROVISION_RSHIMD=1 VM_PROVISION_PROFILES="lag sf-apps ovs-switchdev virtio-net-hotplug" exec bash "$(dirname "$0")/vm_provision.sh"
