#!/bin/bash
# vm_provision_rshimd.sh - vm_provision.sh through rshimd: the DPU's OS a
# VM, rshimd serving the simulated device as rshim0 and making the host's
# tmfifo_net0; lag from a blank DPU (the plain run starts with
# ovs-switchdev), then sf-apps after the DPU's networking was emptied.
VM_PROVISION_RSHIMD=1 VM_PROVISION_PROFILES="lag sf-apps" exec bash "$(dirname "$0")/vm_provision.sh"
