/* provision_print.c - one way to show the events of a provision run, for
 * one device (bfctl provision, bfctl agent) and for each device of a fleet.
 * A step's start and its end are both `step` events: the start with status
 * "started", the end with its status (done, unchanged, skipped, failed) and
 * seconds. In a fleet every event already names its device (the thread's
 * event context), so the device is printed only outside one. */
#include "config.h"
#include "provision.h"
#include "event.h"
#include "print.h"

static void device_field(const char *device, const char *fmt)
{
	if (!bf_event_device())
		bf_print_string(BF_PRINT_ANY, "device", fmt, device);
}

static void print_step(const struct bf_provision_event *ev, const char *step)
{
	bf_print_begin("step");
	device_field(ev->device, "%s: ");
	if (ev->kind == BF_PROV_EV_BEGIN) {
		bf_print_string(BF_PRINT_ANY, "step", "%s ...\n", step);
		bf_print_string(BF_PRINT_JSON, "status", NULL, "started");
	} else {
		bf_print_string(BF_PRINT_ANY, "step", "%s ", step);
		bf_print_string(BF_PRINT_ANY, "status", "%s", bf_provision_status_name(ev->status));
		bf_print_double(BF_PRINT_ANY, "seconds", " (%.1f s)\n", ev->seconds);
		if (ev->status == BF_PROV_FAILED)
			bf_print_uint(BF_PRINT_JSON, "exit_code", NULL, (unsigned)ev->exit_code);
	}
	bf_print_end();
}

void bf_provision_print_event(const struct bf_provision_event *ev)
{
	const char *step = bf_provision_step_name(ev->step);

	switch (ev->kind) {
	case BF_PROV_EV_BEGIN:
	case BF_PROV_EV_END:
		print_step(ev, step);
		break;
	case BF_PROV_EV_INFO:
	case BF_PROV_EV_LOG:
		bf_print_begin(ev->kind == BF_PROV_EV_INFO ? "info" : "log");
		device_field(ev->device, ev->kind == BF_PROV_EV_INFO ? "%s: " : "%s:");
		bf_print_string(BF_PRINT_JSON, "step", NULL, step);
		if (ev->kind == BF_PROV_EV_INFO)
			bf_print_string(BF_PRINT_ANY, "message", "%s\n", ev->text);
		else
			bf_print_string(BF_PRINT_ANY, "line", "%s\n", ev->text);
		bf_print_end();
		break;
	case BF_PROV_EV_PROGRESS:
		break;
	case BF_PROV_EV_AGENT:
		bf_provision_agent_emit(ev->device, ev->text);
		break;
	}
}
