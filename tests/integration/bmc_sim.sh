#!/bin/bash
# bmc_sim.sh - bfsim's simulated BMC seen with curl and jq only: every
# Redfish resource is valid JSON with @odata.id/@odata.type; Basic auth;
# the RShim has one owner (host backends or the BMC); a SimpleUpdate pulls
# the image and installs it through the RShim with the same log lines and
# the same final state as a host install; the BMC's faults.
. "$(dirname "$0")/bmcnet.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=${BFSIM_TEST_SPEED:-50}
mkdir -p "$TMP/www"
cat "$SAMPLE" "$CFG" > "$TMP/www/img.bfb"
ok "a static file server for the image" www_start "$TMP/www" 8099

ok "bfsim serve --bmc starts (HTTPS and HTTP, password from a file)" bmc_start "$TMP/st-bmc"
ok "the password is not on bfsim's command line" not grep -q "$BFCTL_BMC_PASSWORD" "/proc/$SERVE_PID/cmdline"

# --- every resource is JSON, shaped as Redfish ----------------------------
ok "the service root needs no credentials and verifies against the BMC's certificate" - <<'CHECK'
curl -sf --cacert "$BFSIM_BMC_CACERT" https://127.0.0.1:8443/redfish/v1 | jq -e '."@odata.id" == "/redfish/v1" and .UpdateService."@odata.id"'
CHECK
ok "the same over plain HTTP" - <<'CHECK'
curl -sf http://127.0.0.1:8080/redfish/v1/ | jq -e '.RedfishVersion'
CHECK
ok "every resource reached from the root is valid JSON with @odata.id and @odata.type" - <<'CHECK'
(
seen=" "; queue="/redfish/v1"; n=0
while [ -n "$queue" ]; do
	set -- $queue; u=$1; shift; queue="$*"
	case "$seen" in *" $u "*) continue;; esac
	seen="$seen$u "; n=$((n + 1))
	rf "${u#/redfish/v1}" > "$TMP/res.json"
	jq -e --arg u "$u" '."@odata.id" == $u and (."@odata.type" | startswith("#"))' "$TMP/res.json" >/dev/null || { echo "bad: $u"; cat "$TMP/res.json"; exit 1; }
	for l in $(jq -r '.. | objects | ."@odata.id"? // empty' "$TMP/res.json"); do
		case "$l" in */Monitor) ;; *) queue="$queue $l";; esac
	done
done
echo "$n resources"; [ "$n" -ge 15 ]
)
CHECK
ok "collections list Members with a count" - <<'CHECK'
rf /UpdateService/FirmwareInventory | jq -e '(.Members | length) == ."Members@odata.count" and ([.Members[]."@odata.id"] | index("/redfish/v1/UpdateService/FirmwareInventory/DPU_OS") != null)'
CHECK
ok "inventory names DPU_OS, DPU_NIC, DPU_ATF, DPU_UEFI, BMC_Firmware" - <<'CHECK'
(
for m in DPU_OS DPU_NIC DPU_ATF DPU_UEFI BMC_Firmware; do rf /UpdateService/FirmwareInventory/$m | jq -e --arg m "$m" '.Id == $m and (.Version | type == "string")' || exit 1; done
)
CHECK
ok "UpdateService offers SimpleUpdate with its transfer protocols" - <<'CHECK'
rf /UpdateService | jq -e '.Actions."#UpdateService.SimpleUpdate"."TransferProtocol@Redfish.AllowableValues" | index("HTTP") != null'
CHECK
ok "the ERoT's background copy is Completed" - <<'CHECK'
rf /Chassis/Bluefield_ERoT | jq -e '.Oem.Nvidia.BackgroundCopyStatus == "Completed"'
CHECK
ok "an unknown resource: 404 with a Redfish error" - <<'CHECK'
[ "$(rf -o "$TMP/e.json" -w '%{http_code}' /Nothing/Here)" = 404 ] && jq -e '.error."@Message.ExtendedInfo"[0].MessageId | endswith("ResourceNotFound")' "$TMP/e.json"
CHECK
ok "a wrong password: 401 with WWW-Authenticate, body JSON" - <<'CHECK'
printf 'user = "root:wrong"\n' > "$TMP/bad.cfg"
curl -s -D "$TMP/h.txt" -o "$TMP/e.json" --cacert "$BFSIM_BMC_CACERT" -K "$TMP/bad.cfg" "$RF/Systems/Bluefield" &&
grep -q '^HTTP/1.1 401' "$TMP/h.txt" && grep -qi '^WWW-Authenticate: Basic' "$TMP/h.txt" && jq -e .error "$TMP/e.json"
CHECK
ok "malformed JSON in a POST: 400 MalformedJSON" - <<'CHECK'
rf -X POST -d '{nope' /Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set | jq -e '.error.code | endswith("MalformedJSON")'
CHECK

# --- RShim ownership -------------------------------------------------------
# A host backend holds the RShim: the BMC cannot take it (read back false).
"$BFCTL" log -r sim:0 --follow >"$TMP/follow.out" 2>&1 </dev/null & HOLD=$!
for i in $(seq 300); do   # connected once it has shown the new device's line
	grep -q 'no bootable OS' "$TMP/follow.out" && break
	sleep 0.1
done
ok "while 'bfctl log --follow' holds the RShim, BmcRShimEnabled reads back false" - <<'CHECK'
rf -X PATCH -d '{"BmcRShim":{"BmcRShimEnabled":true}}' /Managers/Bluefield_BMC/Oem/Nvidia >/dev/null &&
rf /Managers/Bluefield_BMC/Oem/Nvidia | jq -e '.BmcRShim.BmcRShimEnabled == false'
CHECK
kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null
ok "host RShim disabled through the BMC: reads back Disabled" - <<'CHECK'
rf -X POST -d '{"HostRshim":"Disabled"}' /Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set >/dev/null &&
rf /Systems/Bluefield/Oem/Nvidia | jq -e '.HostRshim == "Disabled"'
CHECK
expect_rc 4 "then a host backend cannot open the RShim (exit 4)" "$BFCTL" log -r sim:0
ok "and is told why" grep -q 'disabled through its BMC' "$TMP/rc.err"
ok "the host let go: the BMC takes the RShim (read back true)" - <<'CHECK'
(
for i in $(seq 100); do
	rf -X PATCH -d '{"BmcRShim":{"BmcRShimEnabled":true}}' /Managers/Bluefield_BMC/Oem/Nvidia >/dev/null
	rf /Managers/Bluefield_BMC/Oem/Nvidia | jq -e '.BmcRShim.BmcRShimEnabled' >/dev/null && exit 0
	sleep 0.1
done
exit 1
)
CHECK

# --- an install through the BMC ------------------------------------------
ok "SimpleUpdate: 202 with a task in Location" - <<'CHECK'
rf -D "$TMP/h.txt" -o "$TMP/t.json" -X POST \
	-d '{"TransferProtocol":"HTTP","ImageURI":"127.0.0.1:8099/img.bfb","Targets":["redfish/v1/UpdateService/FirmwareInventory/DPU_OS"]}' \
	/UpdateService/Actions/UpdateService.SimpleUpdate &&
grep -q '^HTTP/1.1 202' "$TMP/h.txt" && grep -q '^Location: /redfish/v1/TaskService/Tasks/' "$TMP/h.txt" &&
jq -e '.TaskState == "Running"' "$TMP/t.json"
CHECK
TASK=$(sed -n 's/^Location: \(.*\)\r$/\1/p' "$TMP/h.txt")
ok "the task completes at 100 %" - <<'CHECK'
for i in $(seq 600); do
	rf "${TASK#/redfish/v1}" > "$TMP/t.json"
	jq -e '.TaskState != "Running"' "$TMP/t.json" >/dev/null && break
	sleep 0.1
done
jq -e '.TaskState == "Completed" and .PercentComplete == 100 and .TaskStatus == "OK"' "$TMP/t.json"
CHECK
ok "BootProgress reaches OsIsRunning" - <<'CHECK'
(
for i in $(seq 600); do
	rf /Systems/Bluefield | jq -e '.BootProgress.OemLastState == "OsIsRunning"' >/dev/null && exit 0
	sleep 0.1
done
exit 1
)
CHECK
ok "the RShim back to the host" - <<'CHECK'
rf -X PATCH -d '{"BmcRShim":{"BmcRShimEnabled":false}}' /Managers/Bluefield_BMC/Oem/Nvidia >/dev/null &&
rf -X POST -d '{"HostRshim":"Enabled"}' /Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set >/dev/null
CHECK
"$BFCTL" log -r sim:0 > "$TMP/bmc-log.txt" 2>&1
ok "the inventory shows the NIC firmware the bundle carried" - <<'CHECK'
v=$(rf /UpdateService/FirmwareInventory/DPU_NIC | jq -r .Version); echo "$v"; [ -n "$v" ] && [ "$v" != N/A ]
CHECK
bmc_stop
"$BFSIM" status --state "$TMP/st-bmc" --json | head -1 | jq -S '.installed' > "$TMP/bmc-installed.json"

# The same bundle and bf.cfg installed from the host on a new device.
"$BFSIM" run --state "$TMP/st-host" --speed "$SPEED" -- \
	"$BFCTL" install -r sim:0 -b "$SAMPLE" -c "$CFG" --timeout 120 > "$TMP/host-install.txt" 2>&1
"$BFSIM" status --state "$TMP/st-host" --json | head -1 | jq -S '.installed' > "$TMP/host-installed.json"
ok "the BMC install ends in the same installed state as the host install" - <<'CHECK'
grep -q os "$TMP/host-installed.json" && diff "$TMP/host-installed.json" "$TMP/bmc-installed.json"
CHECK
ok "and the device logged the same lines" - <<'CHECK'
grep -E '^ (INFO|WARN|ERR)\[' "$TMP/host-install.txt" > "$TMP/host-lines.txt"
grep -E '^ (INFO|WARN|ERR)\[' "$TMP/bmc-log.txt" | grep -v 'no bootable OS on eMMC' > "$TMP/bmc-lines.txt"
[ -s "$TMP/host-lines.txt" ] && diff "$TMP/host-lines.txt" "$TMP/bmc-lines.txt"
CHECK

# --- faults ----------------------------------------------------------------
ok "bmc-pull-fail: bfsim starts" bmc_start "$TMP/st-f1" --fault bmc-pull-fail
ok "bmc-pull-fail: the task ends in Exception naming the download" - <<'CHECK'
rf -X POST -d '{"HostRshim":"Disabled"}' /Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set >/dev/null
rf -X PATCH -d '{"BmcRShim":{"BmcRShimEnabled":true}}' /Managers/Bluefield_BMC/Oem/Nvidia >/dev/null
t=$(rf -X POST -d '{"TransferProtocol":"HTTP","ImageURI":"127.0.0.1:8099/img.bfb"}' /UpdateService/Actions/UpdateService.SimpleUpdate | jq -r '."@odata.id"')
for i in $(seq 300); do rf "${t#/redfish/v1}" > "$TMP/t.json"; jq -e '.TaskState != "Running"' "$TMP/t.json" >/dev/null && break; sleep 0.1; done
jq -e '.TaskState == "Exception" and (.Messages[0].Message | test("download failed"))' "$TMP/t.json"
CHECK
bmc_stop
ok "bmc-busy: bfsim starts" bmc_start "$TMP/st-f2" --fault bmc-busy
ok "bmc-busy: SimpleUpdate answers 400 An update is in progress" - <<'CHECK'
[ "$(rf -o "$TMP/e.json" -w '%{http_code}' -X POST -d '{"ImageURI":"127.0.0.1:8099/img.bfb"}' /UpdateService/Actions/UpdateService.SimpleUpdate)" = 400 ] &&
jq -e '.error."@Message.ExtendedInfo"[0].Message | test("An update is in progress")' "$TMP/e.json"
CHECK
bmc_stop
ok "bmc-auth: bfsim starts" bmc_start "$TMP/st-f3" --fault bmc-auth
ok "bmc-auth: the right password gets 401" - <<'CHECK'
[ "$(rf -o /dev/null -w '%{http_code}' /Systems/Bluefield)" = 401 ]
CHECK
bmc_stop
ok "bmc-reboot-during=transfer: bfsim starts" bmc_start "$TMP/st-f4" --fault bmc-reboot-during=transfer
ok "bmc-reboot-during=transfer: the BMC refuses connections, comes back, the task is gone" - <<'CHECK'
(
rf -X POST -d '{"HostRshim":"Disabled"}' /Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set >/dev/null
rf -X PATCH -d '{"BmcRShim":{"BmcRShimEnabled":true}}' /Managers/Bluefield_BMC/Oem/Nvidia >/dev/null
t=$(rf -X POST -d '{"ImageURI":"127.0.0.1:8099/img.bfb"}' /UpdateService/Actions/UpdateService.SimpleUpdate | jq -r '."@odata.id"')
down=0
for i in $(seq 600); do
	c=$(rf -o /dev/null -w '%{http_code}' "${t#/redfish/v1}"); [ "$c" = 000 ] && down=1
	[ "$down" = 1 ] && [ "$c" = 404 ] && exit 0
	sleep 0.1
done
echo "down=$down last=$c"; exit 1
)
CHECK
bmc_stop
done_testing
