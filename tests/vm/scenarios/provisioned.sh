#!/bin/bash
# provisioned.sh - in the DPU OS of the VM test bed (dpuos.sh), run over
# SSH once bfctl provision has applied a shipped profile: its objects read
# back with independent tools (devlink -j, ip -d -j, /proc/net/bonding,
# ovs-vsctl, ovs-dpctl, virtnet list), and the bfagent provision copied
# reporting no drift against the copied profile. TAP.
# usage: provisioned.sh NAME   (ovs-switchdev, lag, sf-apps, virtio-net-hotplug;
#        the profile is /opt/bfctl/profile/NAME-vm.yaml)
: "${top_builddir:=$top_srcdir/_build}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/vm/scenarios/guest-lib.sh"
. "$top_srcdir/tests/vm/scenarios/agent-lib.sh"
# What provision set up: bfagent's default record, virtnet's default state.
unset BFAGENT_STATE
export BFSIM_VIRTNET_STATE=/run/bfsim/virtnet.json
export -f sf_active jqt netdev_by_port_name
name=${1:?usage: provisioned.sh NAME}
"verify_${name//-/_}" "$name"
check "$name: bfagent status (the copy provision made): no drift" sh -c \
	'/opt/bfctl/bin/bfagent status --json "$0" > "$1"; jq -e -s "(.[-1].event == \"result\") and ([.[] | select(.event == \"object\" and .action == \"drift\")] | length == 0)" "$1" >/dev/null || { cat "$1"; exit 1; }' \
	"/opt/bfctl/profile/$name-vm.yaml" "$TMP/status"
done_testing
