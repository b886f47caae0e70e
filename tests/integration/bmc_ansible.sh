#!/bin/bash
# bmc_ansible.sh - a third-party Redfish client against bfsim's simulated
# BMC, unmodified: Ansible's community.general.redfish_info reads the
# firmware inventory and redfish_command runs a SimpleUpdate that installs
# the DPU (Debian's ansible package).
. "$(dirname "$0")/bmcnet.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
COLL=/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules
if ! command -v ansible-playbook >/dev/null 2>&1 || [ ! -e "$COLL/redfish_info.py" ] || [ ! -e "$COLL/redfish_command.py" ]; then
	skip "Ansible's redfish_info and redfish_command" "ansible-playbook or community.general's redfish modules not installed (Debian package ansible)"
	done_testing
	exit
fi
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-local" ANSIBLE_REMOTE_TEMP="$TMP/ansible-remote" \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
	ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
mkdir -p "$TMP/www"
cat "$SAMPLE" "$CFG" > "$TMP/www/img.bfb"
ok "a static file server for the image" www_start "$TMP/www" 8099
ok "bfsim serve --bmc starts" bmc_start "$TMP/st"

# The password reaches the modules through the environment, not argv.
cat > "$TMP/play.yml" <<'PLAY'
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    bmc: 127.0.0.1:8443
    pw: "{{ lookup('env', 'BFCTL_BMC_PASSWORD') }}"
  tasks:
    - name: firmware inventory
      community.general.redfish_info:
        category: Update
        command: GetFirmwareInventory
        baseuri: "{{ bmc }}"
        username: root
        password: "{{ pw }}"
      register: inv
    - name: keep it
      ansible.builtin.copy:
        content: "{{ inv | to_json }}"
        dest: "{{ lookup('env', 'OUT') }}/inventory.json"
    - name: SimpleUpdate of the DPU's OS
      community.general.redfish_command:
        category: Update
        command: SimpleUpdate
        baseuri: "{{ bmc }}"
        username: root
        password: "{{ pw }}"
        update_image_uri: 127.0.0.1:8099/img.bfb
        update_protocol: HTTP
        update_targets:
          - redfish/v1/UpdateService/FirmwareInventory/DPU_OS
      register: upd
    - name: keep it
      ansible.builtin.copy:
        content: "{{ upd | to_json }}"
        dest: "{{ lookup('env', 'OUT') }}/update.json"
PLAY
# The BMC must hold the RShim for the update (bfctl does that part).
expect_rc 0 "bfctl bmc rshim bmc" "$BFCTL" bmc rshim bmc --bmc https://127.0.0.1:8443 --cacert "$BFSIM_BMC_CACERT"
expect_rc 0 "ansible-playbook runs redfish_info and redfish_command unmodified" \
	env OUT="$TMP" ansible-playbook -i localhost, "$TMP/play.yml"
ok "redfish_info lists DPU_OS, DPU_NIC, DPU_ATF, DPU_UEFI and BMC_Firmware with versions" - <<'CHECK'
jq -e '[.redfish_facts.firmware.entries[] | .Id] as $ids | (["DPU_OS","DPU_NIC","DPU_ATF","DPU_UEFI","BMC_Firmware"] - $ids | length == 0) and ([.redfish_facts.firmware.entries[] | .Version | type == "string"] | all)' "$TMP/inventory.json"
CHECK
ok "redfish_command reports the update running, with the BMC's task as its handle" - <<'CHECK'
jq -e '.changed == true and .return_values.update_status.status == "Running" and (.return_values.update_status.handle | test("^/redfish/v1/TaskService/Tasks/[0-9]+$"))' "$TMP/update.json"
CHECK
ok "and the DPU installs: BootProgress reaches OsIsRunning" - <<'CHECK'
(
for i in $(seq 600); do
	rf /Systems/Bluefield | jq -e '.BootProgress.OemLastState == "OsIsRunning"' >/dev/null && exit 0
	sleep 0.1
done
exit 1
)
CHECK
ok "the task Ansible started completed" - <<'CHECK'
rf /TaskService/Tasks/0 | jq -e '.TaskState == "Completed" and .PercentComplete == 100'
CHECK
bmc_stop
ok "bfsim status shows the bundle's OS installed" - <<'CHECK'
"$BFSIM" status --state "$TMP/st" --json | head -1 | jq -e '.installed.os.version == "22.04"'
CHECK
done_testing
