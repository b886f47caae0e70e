/* install_bmc.c - bfctl install --bmc: the BFB (+ bf.cfg appended on the
 * fly) installed through the DPU's BMC: guards, RShim ownership,
 * SimpleUpdate of an image bfctl serves itself (or --image-uri), the task's
 * progress as the push progress, the boot progress as log-like events, the
 * verdict. The flow and its sources: doc/bmc.md. */
#include "config.h"
#include "bmc_cli.h"
#include "cli.h"
#include "error.h"
#include "event.h"
#include "imgserve.h"
#include "log.h"
#include "print.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYS "/redfish/v1/Systems/Bluefield"
#define POLL_NS 500000000ull    /* task and boot progress polling */
#define TARGET "redfish/v1/UpdateService/FirmwareInventory/DPU_OS"

/* Before anything changes: the ERoT is done copying, the update service
 * is enabled and takes HTTP, no task runs. 0 or the exit code. */
static int guards(struct bf_bmc_cli *b, char *target, size_t cap)
{
	struct bf_redfish_update_service us;
	struct bf_redfish_members m;
	struct bf_rfresp r;
	char copy[64];
	unsigned i;
	int ret;

	ret = bf_rfclient_request(&b->rf, "GET", "/redfish/v1/Chassis/Bluefield_ERoT", NULL, &r, &b->dl);
	if (ret == 0 && r.status == 200 &&
	    bf_redfish_get_string(r.body, r.len, copy, sizeof(copy), "Oem", "Nvidia", "BackgroundCopyStatus",
				  (char *)NULL) == 0 && strcmp(copy, "Completed")) {
		bf_rfresp_free(&r);
		return bf_cli_fail(BF_EXIT_DEVICE, 0, "wait for it to end and retry",
				   "the BMC at %s is still copying firmware in the background (ERoT BackgroundCopyStatus %s): nothing was sent",
				   b->rf.host, copy);
	}
	if (ret == 0 && r.status != 200 && r.status != 404) {
		ret = bf_bmc_cli_fail_status(b, &r, "reading the BMC's ERoT");
		bf_rfresp_free(&r);
		return ret;
	}
	if (ret == 0)
		bf_rfresp_free(&r);
	else if ((ret = bf_bmc_cli_call(b, "GET", "/redfish/v1/Chassis/Bluefield_ERoT", NULL, &r,
					"reading the BMC's ERoT")))
		return ret;
	if ((ret = bf_bmc_cli_call(b, "GET", "/redfish/v1/UpdateService", NULL, &r, "reading the BMC's update service")))
		return ret;
	ret = bf_redfish_parse_update_service(r.body, r.len, &us);
	bf_rfresp_free(&r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "the BMC at %s cannot install a BFB", b->rf.host);
	if (us.state[0] && strcmp(us.state, "Enabled"))
		return bf_cli_fail(BF_EXIT_DEVICE, 0, NULL, "the BMC's update service is %s, not Enabled", us.state);
	for (i = 0; i < us.nprotocols && strcmp(us.protocols[i], "HTTP"); i++)
		;
	if (us.nprotocols && i == us.nprotocols)
		return bf_cli_fail(BF_EXIT_DEVICE, 0, NULL, "the BMC at %s does not pull images over HTTP", b->rf.host);
	snprintf(target, cap, "%s", us.target);
	if ((ret = bf_bmc_cli_call(b, "GET", "/redfish/v1/TaskService/Tasks", NULL, &r, "reading the BMC's tasks")))
		return ret;
	ret = bf_redfish_parse_members(r.body, r.len, &m);
	bf_rfresp_free(&r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "reading the BMC's tasks");
	for (i = m.n > 8 ? m.n - 8 : 0; i < m.n; i++) {   /* the latest ones */
		struct bf_redfish_task t;

		if ((ret = bf_bmc_cli_call(b, "GET", m.id[i], NULL, &r, "reading a BMC task")))
			return ret;
		ret = bf_redfish_parse_task(r.body, r.len, &t);
		bf_rfresp_free(&r);
		if (ret == 0 && !strcmp(t.state, "Running"))
			return bf_cli_fail(BF_EXIT_DEVICE, 0, "wait for it to end and retry",
					   "the BMC at %s is busy: its task %s is still running", b->rf.host, m.id[i]);
	}
	return 0;
}

/* POST SimpleUpdate; the task's path into task. 0 or the exit code. */
static int start_update(struct bf_bmc_cli *b, const char *action, const char *uri, bool https, char *task,
			size_t cap)
{
	json_object *body = json_object_new_object(), *targets = json_object_new_array();
	struct bf_rfresp r;
	char id[256] = "";
	int ret;

	json_object_object_add(body, "TransferProtocol", json_object_new_string(https ? "HTTPS" : "HTTP"));
	json_object_object_add(body, "ImageURI", json_object_new_string(uri));
	json_object_array_add(targets, json_object_new_string(TARGET));
	json_object_object_add(body, "Targets", targets);
	ret = bf_bmc_cli_call(b, "POST", action,
			      json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			      &r, "starting the transfer (SimpleUpdate)");
	json_object_put(body);
	if (ret)
		return ret;
	if (r.location[0] == '/')
		snprintf(id, sizeof(id), "%s", r.location);
	else
		bf_redfish_get_string(r.body, r.len, id, sizeof(id), "@odata.id", (char *)NULL);
	bf_rfresp_free(&r);
	if (strncmp(id, "/redfish/v1/TaskService/Tasks/", 30))
		return bf_cli_fail(BF_EXIT_DEVICE, 0, NULL, "the BMC at %s accepted the update but named no task",
				   b->rf.host);
	snprintf(task, cap, "%s", id);
	return 0;
}

enum xfer { XFER_DONE, XFER_SKIPPED };

/* Follow the task to its end, as the push progress. XFER_* or the exit
 * code (as a negative number). */
static int follow_task(struct bf_bmc_cli *b, const char *task, uint64_t size)
{
	struct bf_progress prog;
	bool seen_done = false;
	int last = -1, ret;

	bf_progress_begin(&prog, "push", size);
	for (;;) {
		struct bf_redfish_task t;
		struct bf_rfresp r;

		ret = bf_rfclient_request(&b->rf, "GET", task, NULL, &r, &b->dl);
		if (ret == 0 && r.status == 404) {
			bf_rfresp_free(&r);
			bf_event_progress_clear();
			/* A BMC that restarted forgets its tasks. */
			if (seen_done)
				return XFER_DONE;
			return -bf_cli_fail(BF_EXIT_PUSH, 0, "run the install again",
					    "the BMC at %s restarted during the transfer and forgot its task: the DPU did not get the whole image",
					    b->rf.host);
		}
		if (ret == 0 && (r.status < 200 || r.status >= 300)) {
			ret = bf_bmc_cli_fail_status(b, &r, "following the transfer");
			bf_rfresp_free(&r);
			return -ret;
		}
		if (ret < 0) {
			bf_event_progress_clear();
			if (ret == -EINTR)
				return -bf_cli_fail(BF_EXIT_INTERRUPTED, ret, "the BMC goes on with the transfer",
						    "stopped following the transfer");
			return -bf_cli_fail(bf_deadline_passed(&b->dl) ? BF_EXIT_TIMEOUT : BF_EXIT_DEVICE, ret,
					    NULL, "following the transfer");
		}
		ret = bf_redfish_parse_task(r.body, r.len, &t);
		bf_rfresp_free(&r);
		if (ret < 0)
			return -bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "following the transfer");
		if (t.percent >= 0 && t.percent != last) {
			last = t.percent;
			bf_progress_update(&prog, size * (uint64_t)t.percent / 100);
		}
		if (t.identical) {
			bf_progress_end(&prog);
			bf_print_line("the BMC says: %s", t.message);
			return XFER_SKIPPED;
		}
		if (!strcmp(t.state, "Completed")) {
			seen_done = true;
			bf_progress_update(&prog, size);
			bf_progress_end(&prog);
			return XFER_DONE;
		}
		if (strcmp(t.state, "Running") && strcmp(t.state, "New") && strcmp(t.state, "Starting") &&
		    strcmp(t.state, "Pending")) {
			bf_event_progress_clear();
			bf_error_clear();
			bf_error_set("the BMC reported: %s%s%s", t.message[0] ? t.message : t.state,
				     t.resolution[0] && strcmp(t.resolution, "None.") ? " " : "",
				     t.resolution[0] && strcmp(t.resolution, "None.") ? t.resolution : "");
			return -bf_cli_fail(BF_EXIT_BOOT, -EIO, "the DPU did not install",
					    "transfer through the BMC at %s (task %s)", b->rf.host, t.state);
		}
		if (bf_deadline_passed(&b->dl)) {
			bf_event_progress_clear();
			return -bf_cli_fail(BF_EXIT_TIMEOUT, -ETIMEDOUT, "raise --timeout",
					    "the transfer through the BMC at %s did not end (%d %%)", b->rf.host, last);
		}
		if (bf_stop_requested())
			return -bf_cli_fail(BF_EXIT_INTERRUPTED, -EINTR, "the BMC goes on with the transfer",
					    "stopped following the transfer");
		bf_clock_sleep_ns(POLL_NS);
	}
}

/* BootProgress to the verdict: OsIsRunning in DPU mode, UEFI in NIC mode.
 * 0 or the exit code. */
static int follow_boot(struct bf_bmc_cli *b)
{
	char mode[32] = "", last[32] = "";
	struct bf_rfresp r;
	bool nic;
	int ret;

	if ((ret = bf_bmc_cli_call(b, "GET", SYS "/Oem/Nvidia", NULL, &r, "reading the DPU's mode")))
		return ret;
	bf_redfish_get_string(r.body, r.len, mode, sizeof(mode), "Mode", (char *)NULL);
	bf_rfresp_free(&r);
	nic = !strcmp(mode, "NicMode");
	bf_print_line("Collecting BlueField booting status from the BMC. Press Ctrl+C to stop...");
	for (;;) {
		struct bf_redfish_system s;

		if ((ret = bf_bmc_cli_call(b, "GET", SYS, NULL, &r, "following the DPU's boot")))
			return ret;
		ret = bf_redfish_parse_system(r.body, r.len, &s);
		bf_rfresp_free(&r);
		if (ret < 0)
			return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "following the DPU's boot");
		if (strcmp(s.oem_last_state, last)) {
			snprintf(last, sizeof(last), "%s", s.oem_last_state);
			bf_print_begin("boot_progress");
			bf_print_string(BF_PRINT_ANY, "state", " BMC: BootProgress %s\n", s.oem_last_state);
			bf_print_string(BF_PRINT_JSON, "last_state", NULL, s.last_state);
			bf_print_end();
		}
		if (!strcmp(s.oem_last_state, nic ? "UEFI" : "OsIsRunning")) {
			bf_print_line("%s: install complete through its BMC (%s)", b->rf.host, s.oem_last_state);
			return 0;
		}
		if (bf_deadline_passed(&b->dl))
			return bf_cli_fail(BF_EXIT_TIMEOUT, -ETIMEDOUT, "check the console or raise --timeout",
					   "the DPU behind the BMC at %s did not reach %s (last BootProgress %s)",
					   b->rf.host, nic ? "UEFI" : "OsIsRunning", last);
		if (bf_stop_requested())
			return bf_cli_fail(BF_EXIT_INTERRUPTED, -EINTR, NULL, "stopped watching (the install goes on)");
		bf_clock_sleep_ns(POLL_NS);
	}
}

int bf_bmc_install_run(const struct bf_bmc_install *in)
{
	struct bf_imgserve *srv = NULL;
	struct bf_bmc_cli b;
	char action[256], task[256], uri[1024];
	uint64_t size = 0;
	bool https = false;
	int ret;

	if (in->serve && bf_imgserve_check(in->serve) < 0)
		bf_cli_usage_error("%s", bf_error_get());
	if ((ret = bf_bmc_cli_open(&b, in->url, in->password_file, in->cacert, in->insecure, in->timeout_s)))
		return ret;
	if ((ret = guards(&b, action, sizeof(action))))
		goto out;
	bf_print_line("BMC at %s: ready (no update running, ERoT copy complete)", b.rf.host);
	if ((ret = bf_bmc_cli_rshim_set(&b, true)))
		goto out;
	bf_print_line("BMC at %s: holds the DPU's RShim (host RShim disabled)", b.rf.host);
	if (in->image_uri) {
		const char *u = in->image_uri;

		https = !strncmp(u, "https://", 8);
		u += !strncmp(u, "https://", 8) ? 8 : !strncmp(u, "http://", 7) ? 7 : 0;
		snprintf(uri, sizeof(uri), "%s", u);
	} else {
		if ((ret = bf_imgserve_start(in->serve, in->paths, in->npaths, &srv)) < 0) {
			ret = bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was sent", "cannot serve the image");
			goto out;
		}
		snprintf(uri, sizeof(uri), "%s", bf_imgserve_uri(srv));
		size = bf_imgserve_size(srv);
		bf_info("serving the image (%llu bytes) to the BMC for this transfer only", (unsigned long long)size);
	}
	bf_print_line("Pushing %s%s through the BMC at %s", in->image_uri ? in->image_uri : in->paths[0],
		      in->image_uri ? "" : in->npaths > 1 ? " + bf.cfg" : "", b.rf.host);
	if ((ret = start_update(&b, action, uri, https, task, sizeof(task))))
		goto out;
	ret = follow_task(&b, task, size ? size : 100);
	bf_imgserve_stop(srv);   /* only for the transfer */
	srv = NULL;
	if (ret < 0) {
		ret = -ret;
		goto out;
	}
	if (ret == XFER_SKIPPED) {
		ret = bf_cli_ok_status("skipped", "Component image is identical");
		goto out;
	}
	ret = follow_boot(&b);
	if (ret == 0)
		ret = bf_cli_ok();
out:
	bf_imgserve_stop(srv);
	bf_bmc_cli_close(&b);
	return ret;
}
