/* bmc_res.c - the simulated BMC's Redfish resources: ServiceRoot, the
 * system "Bluefield" (BootProgress, reset, NVIDIA OEM mode and host RShim),
 * the manager "Bluefield_BMC" (its RShim), the ERoT chassis, UpdateService
 * with SimpleUpdate and FirmwareInventory, TaskService. Shapes: DMTF
 * Redfish schemas; the NVIDIA parts: doc/bmc.md. */
#include "config.h"
#include "bmc_int.h"
#include "log.h"
#include "sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R "/redfish/v1"

static json_object *res(const char *id, const char *type, const char *name)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "@odata.id", json_object_new_string(id));
	json_object_object_add(o, "@odata.type", json_object_new_string(type));
	if (name) {
		const char *slash = strrchr(id, '/');

		json_object_object_add(o, "Id", json_object_new_string(slash ? slash + 1 : id));
		json_object_object_add(o, "Name", json_object_new_string(name));
	}
	return o;
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static json_object *link(const char *uri)
{
	json_object *o = json_object_new_object();

	add_str(o, "@odata.id", uri);
	return o;
}

static json_object *status_ok(void)
{
	json_object *o = json_object_new_object();

	add_str(o, "State", "Enabled");
	add_str(o, "Health", "OK");
	return o;
}

static json_object *strings(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *action(const char *target, const char *param, const char *const *allowed, size_t n)
{
	json_object *o = json_object_new_object();
	char key[96];

	add_str(o, "target", target);
	if (param) {
		snprintf(key, sizeof(key), "%s@Redfish.AllowableValues", param);
		json_object_object_add(o, key, strings(allowed, n));
	}
	return o;
}

static json_object *collection(const char *id, const char *type, const char *name, const char *const *members,
			       size_t n)
{
	json_object *o = res(id, type, NULL), *a = json_object_new_array();
	char uri[256];
	size_t i;

	add_str(o, "Name", name);
	for (i = 0; i < n; i++) {
		snprintf(uri, sizeof(uri), "%s/%s", id, members[i]);
		json_object_array_add(a, link(uri));
	}
	json_object_object_add(o, "Members", a);
	json_object_object_add(o, "Members@odata.count", json_object_new_int((int)n));
	return o;
}

json_object *bf_sim_bmc_error(const char *id, const char *msg, const char *resolution)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object(), *a = json_object_new_array(),
		    *m = json_object_new_object();

	add_str(m, "@odata.type", "#Message.v1_1_1.Message");
	add_str(m, "MessageId", id);
	add_str(m, "Message", msg);
	json_object_object_add(m, "MessageArgs", json_object_new_array());
	add_str(m, "MessageSeverity", "Critical");
	add_str(m, "Resolution", resolution);
	json_object_array_add(a, m);
	add_str(e, "code", id);
	add_str(e, "message", msg);
	json_object_object_add(e, "@Message.ExtendedInfo", a);
	json_object_object_add(o, "error", e);
	return o;
}

/* What follows prefix in u, or NULL. */
static const char *after(const char *u, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(u, prefix, n) ? NULL : u + n;
}

/* Resources. --------------------------------------------------------------- */

static json_object *service_root(void)
{
	json_object *o = res(R, "#ServiceRoot.v1_15_0.ServiceRoot", "Root Service");

	json_object_object_add(o, "Id", json_object_new_string("RootService"));
	add_str(o, "RedfishVersion", "1.17.0");
	add_str(o, "UUID", "7a0c5f5e-bf51-4d2e-9b1f-5dbf51a0b001");
	json_object_object_add(o, "Systems", link(R "/Systems"));
	json_object_object_add(o, "Managers", link(R "/Managers"));
	json_object_object_add(o, "Chassis", link(R "/Chassis"));
	json_object_object_add(o, "UpdateService", link(R "/UpdateService"));
	json_object_object_add(o, "TaskService", link(R "/TaskService"));
	return o;
}

/* BootProgress as the BMC knows it: sampled at most every BMC_SAMPLE_S. */
static void boot_progress(struct bf_sim_bmc *b, char *out, size_t cap)
{
	double now = bf_sim_bmc_now(b);

	pthread_mutex_lock(&b->mu);
	if (!b->last_state[0] || now - b->sample_t >= BMC_SAMPLE_S || now < b->sample_t) {
		snprintf(b->last_state, sizeof(b->last_state), "%s", bf_sim_bmc_phase_state(b));
		b->sample_t = now;
	}
	snprintf(out, cap, "%s", b->last_state);
	pthread_mutex_unlock(&b->mu);
}

static const char *std_state(const char *oem)
{
	if (!strcmp(oem, "OsIsRunning"))
		return "OSRunning";
	if (!strcmp(oem, "OsStarting"))
		return "OSBootStarted";
	if (!strcmp(oem, "UEFI"))
		return "SystemHardwareInitializationComplete";
	if (!strcmp(oem, "Invalid"))
		return "None";
	return "PrimaryProcessorInitializationStarted";
}

static json_object *system_res(struct bf_sim_bmc *b)
{
	static const char *const resets[] = { "GracefulRestart", "ForceRestart", "GracefulShutdown", "On" };
	json_object *o = res(R "/Systems/Bluefield", "#ComputerSystem.v1_17_0.ComputerSystem", "Bluefield"),
		    *bp = json_object_new_object(), *acts = json_object_new_object(),
		    *oem = json_object_new_object();
	char st[32];

	boot_progress(b, st, sizeof(st));
	add_str(o, "Description", "BlueField DPU Arm system");
	add_str(o, "PowerState", "On");
	json_object_object_add(o, "Status", status_ok());
	add_str(bp, "LastState", st[0] && strcmp(st, "OsIsRunning") && strcmp(st, "OsStarting") &&
		strcmp(st, "UEFI") ? "OEM" : std_state(st));
	add_str(bp, "OemLastState", st);
	json_object_object_add(o, "BootProgress", bp);
	json_object_object_add(acts, "#ComputerSystem.Reset",
			       action(R "/Systems/Bluefield/Actions/ComputerSystem.Reset", "ResetType", resets, 4));
	json_object_object_add(o, "Actions", acts);
	json_object_object_add(oem, "Nvidia", link(R "/Systems/Bluefield/Oem/Nvidia"));
	json_object_object_add(o, "Oem", oem);
	return o;
}

static json_object *system_oem(struct bf_sim_bmc *b)
{
	static const char *const modes[] = { "DpuMode", "NicMode" }, *const onoff[] = { "Enabled", "Disabled" };
	json_object *o = res(R "/Systems/Bluefield/Oem/Nvidia", "#NvidiaComputerSystem.v1_0_0.NvidiaComputerSystem",
			     NULL), *acts = json_object_new_object();
	bool disabled;

	add_str(o, "Mode", bf_sim_bmc_nic_mode(b) ? "NicMode" : "DpuMode");
	pthread_mutex_lock(&b->h->lock);
	disabled = b->h->rshim_host_disabled;
	pthread_mutex_unlock(&b->h->lock);
	add_str(o, "HostRshim", disabled ? "Disabled" : "Enabled");
	json_object_object_add(acts, "#HostRshim.Set",
			       action(R "/Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set", "HostRshim", onoff, 2));
	json_object_object_add(acts, "#Mode.Set",
			       action(R "/Systems/Bluefield/Oem/Nvidia/Actions/Mode.Set", "Mode", modes, 2));
	json_object_object_add(o, "Actions", acts);
	return o;
}

static json_object *manager(struct bf_sim_bmc *b)
{
	static const char *const resets[] = { "GracefulRestart", "ForceRestart" };
	json_object *o = res(R "/Managers/Bluefield_BMC", "#Manager.v1_14_0.Manager", "OpenBmc Manager"),
		    *acts = json_object_new_object(), *oem = json_object_new_object();
	char ver[64];

	bf_sim_bmc_version(b, "bmc_fw", ver, sizeof(ver));
	add_str(o, "ManagerType", "BMC");
	add_str(o, "FirmwareVersion", ver[0] ? ver : SIM_BMC_FW_DEFAULT);
	json_object_object_add(o, "Status", status_ok());
	json_object_object_add(acts, "#Manager.Reset",
			       action(R "/Managers/Bluefield_BMC/Actions/Manager.Reset", "ResetType", resets, 2));
	json_object_object_add(o, "Actions", acts);
	json_object_object_add(oem, "Nvidia", link(R "/Managers/Bluefield_BMC/Oem/Nvidia"));
	json_object_object_add(o, "Oem", oem);
	return o;
}

static json_object *manager_oem(struct bf_sim_bmc *b)
{
	json_object *o = res(R "/Managers/Bluefield_BMC/Oem/Nvidia", "#NvidiaManager.v1_0_0.NvidiaManager", NULL),
		    *rs = json_object_new_object();
	bool on;

	pthread_mutex_lock(&b->h->lock);
	on = b->h->rshim_bmc;
	pthread_mutex_unlock(&b->h->lock);
	json_object_object_add(rs, "BmcRShimEnabled", json_object_new_boolean(on));
	json_object_object_add(o, "BmcRShim", rs);
	return o;
}

static json_object *erot(void)
{
	json_object *o = res(R "/Chassis/Bluefield_ERoT", "#Chassis.v1_21_0.Chassis", "Bluefield_ERoT"),
		    *oem = json_object_new_object(), *nv = json_object_new_object();

	add_str(o, "ChassisType", "Component");
	json_object_object_add(o, "Status", status_ok());
	add_str(nv, "@odata.type", "#NvidiaChassis.v1_0_0.NvidiaChassis");
	add_str(nv, "BackgroundCopyStatus", "Completed");
	json_object_object_add(oem, "Nvidia", nv);
	json_object_object_add(o, "Oem", oem);
	return o;
}

/* The firmware inventory: member, what the device's state calls it. */
static const struct { const char *id, *key, *fallback; bool updateable; } inventory[] = {
	{ "BMC_Firmware", "bmc_fw", SIM_BMC_FW_DEFAULT, true },
	{ "Bluefield_FW_ERoT", "cec_fw", SIM_CEC_FW_DEFAULT, true },
	{ "DPU_ATF", "atf", "", false },
	{ "DPU_BSP", "bsp", "", false },
	{ "DPU_NIC", "nic_fw", "", false },
	{ "DPU_OS", "os", "", true },
	{ "DPU_UEFI", "uefi", "", false },
};
#define N_INV (sizeof(inventory) / sizeof(inventory[0]))

static json_object *update_service(void)
{
	static const char *const protos[] = { "SCP", "HTTP", "HTTPS" };
	json_object *o = res(R "/UpdateService", "#UpdateService.v1_11_0.UpdateService", "Update Service"),
		    *acts = json_object_new_object();

	add_str(o, "Description", "Service for Software Update");
	json_object_object_add(o, "ServiceEnabled", json_object_new_boolean(1));
	json_object_object_add(o, "Status", status_ok());
	add_str(o, "HttpPushUri", R "/UpdateService/update");
	add_str(o, "MultipartHttpPushUri", R "/UpdateService/update-multipart");
	json_object_object_add(o, "FirmwareInventory", link(R "/UpdateService/FirmwareInventory"));
	json_object_object_add(acts, "#UpdateService.SimpleUpdate",
			       action(R "/UpdateService/Actions/UpdateService.SimpleUpdate", "TransferProtocol",
				      protos, 3));
	json_object_object_add(o, "Actions", acts);
	return o;
}

static json_object *inventory_coll(void)
{
	const char *ids[N_INV];
	size_t i;

	for (i = 0; i < N_INV; i++)
		ids[i] = inventory[i].id;
	return collection(R "/UpdateService/FirmwareInventory", "#SoftwareInventoryCollection.SoftwareInventoryCollection",
			  "Software Inventory Collection", ids, N_INV);
}

static json_object *inventory_item(struct bf_sim_bmc *b, const char *id)
{
	char uri[160], ver[128];
	json_object *o;
	size_t i;

	for (i = 0; i < N_INV && strcmp(inventory[i].id, id); i++)
		;
	if (i == N_INV)
		return NULL;
	snprintf(uri, sizeof(uri), R "/UpdateService/FirmwareInventory/%s", inventory[i].id);
	o = res(uri, "#SoftwareInventory.v1_4_0.SoftwareInventory", "Software Inventory");
	bf_sim_bmc_version(b, inventory[i].key, ver, sizeof(ver));
	add_str(o, "Version", ver[0] ? ver : inventory[i].fallback[0] ? inventory[i].fallback : "N/A");
	json_object_object_add(o, "Updateable", json_object_new_boolean(inventory[i].updateable));
	add_str(o, "SoftwareId", "");
	add_str(o, "Manufacturer", "NVIDIA");
	json_object_object_add(o, "Status", status_ok());
	return o;
}

static json_object *task_res(const struct bmc_task *t)
{
	char uri[96];
	json_object *o, *m, *a = json_object_new_array(), *pl = json_object_new_object(), *args;

	snprintf(uri, sizeof(uri), R "/TaskService/Tasks/%u", t->id);
	o = res(uri, "#Task.v1_4_3.Task", "Task");
	snprintf(uri, sizeof(uri), "Task %u", t->id);
	add_str(o, "Name", uri);
	add_str(o, "TaskState", t->state);
	add_str(o, "TaskStatus", t->status);
	json_object_object_add(o, "PercentComplete", json_object_new_int((int)t->percent));
	add_str(o, "StartTime", t->start);
	if (t->end[0])
		add_str(o, "EndTime", t->end);
	snprintf(uri, sizeof(uri), R "/TaskService/Tasks/%u/Monitor", t->id);
	add_str(o, "TaskMonitor", uri);
	if (t->message[0]) {
		m = json_object_new_object();
		add_str(m, "@odata.type", "#Message.v1_1_1.Message");
		add_str(m, "MessageId", t->message_id);
		add_str(m, "Message", t->message);
		args = json_object_new_array();
		json_object_object_add(m, "MessageArgs", args);
		add_str(m, "MessageSeverity", !strcmp(t->status, "OK") ? "OK" : t->status);
		add_str(m, "Resolution", t->resolution[0] ? t->resolution : "None.");
		json_object_array_add(a, m);
	}
	json_object_object_add(o, "Messages", a);
	add_str(pl, "TargetUri", R "/UpdateService/Actions/UpdateService.SimpleUpdate");
	add_str(pl, "HttpOperation", "POST");
	json_object_object_add(pl, "HttpHeaders", json_object_new_array());
	add_str(pl, "JsonBody", "");
	json_object_object_add(o, "Payload", pl);
	return o;
}

static json_object *tasks_coll(struct bf_sim_bmc *b)
{
	json_object *o = res(R "/TaskService/Tasks", "#TaskCollection.TaskCollection", NULL),
		    *a = json_object_new_array();
	char uri[96];
	unsigned i;

	add_str(o, "Name", "Task Collection");
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < b->ntasks; i++) {
		snprintf(uri, sizeof(uri), R "/TaskService/Tasks/%u", b->tasks[i].id);
		json_object_array_add(a, link(uri));
	}
	pthread_mutex_unlock(&b->mu);
	json_object_object_add(o, "Members@odata.count", json_object_new_int((int)json_object_array_length(a)));
	json_object_object_add(o, "Members", a);
	return o;
}

static json_object *task_service(void)
{
	json_object *o = res(R "/TaskService", "#TaskService.v1_2_0.TaskService", "Task Service");

	json_object_object_add(o, "ServiceEnabled", json_object_new_boolean(1));
	add_str(o, "CompletedTaskOverWritePolicy", "Oldest");
	json_object_object_add(o, "Status", status_ok());
	json_object_object_add(o, "Tasks", link(R "/TaskService/Tasks"));
	return o;
}

static json_object *get(struct bf_sim_bmc *b, const char *u)
{
	const char *rest;
	static const char *const sys[] = { "Bluefield" }, *const mgr[] = { "Bluefield_BMC" },
			       *const chassis[] = { "Bluefield_ERoT" };
	unsigned long id;
	char *end;

	if (!strcmp(u, R) || !strcmp(u, "/redfish"))
		return service_root();
	if (!strcmp(u, R "/Systems"))
		return collection(u, "#ComputerSystemCollection.ComputerSystemCollection", "Computer System Collection",
				  sys, 1);
	if (!strcmp(u, R "/Systems/Bluefield"))
		return system_res(b);
	if (!strcmp(u, R "/Systems/Bluefield/Oem/Nvidia"))
		return system_oem(b);
	if (!strcmp(u, R "/Managers"))
		return collection(u, "#ManagerCollection.ManagerCollection", "Manager Collection", mgr, 1);
	if (!strcmp(u, R "/Managers/Bluefield_BMC"))
		return manager(b);
	if (!strcmp(u, R "/Managers/Bluefield_BMC/Oem/Nvidia"))
		return manager_oem(b);
	if (!strcmp(u, R "/Chassis"))
		return collection(u, "#ChassisCollection.ChassisCollection", "Chassis Collection", chassis, 1);
	if (!strcmp(u, R "/Chassis/Bluefield_ERoT"))
		return erot();
	if (!strcmp(u, R "/UpdateService"))
		return update_service();
	if (!strcmp(u, R "/UpdateService/FirmwareInventory"))
		return inventory_coll();
	if ((rest = after(u, R "/UpdateService/FirmwareInventory/")))
		return inventory_item(b, rest);
	if (!strcmp(u, R "/TaskService"))
		return task_service();
	if (!strcmp(u, R "/TaskService/Tasks"))
		return tasks_coll(b);
	if ((rest = after(u, R "/TaskService/Tasks/")) && *rest >= '0' && *rest <= '9') {
		struct bmc_task *t;
		json_object *o = NULL;

		id = strtoul(rest, &end, 10);
		if (*end || id > 0xffffffffu)
			return NULL;
		pthread_mutex_lock(&b->mu);
		if ((t = bf_sim_bmc_task_find(b, (unsigned)id)))
			o = task_res(t);
		if (t && t->id == b->up.task && !strcmp(t->state, "Completed"))
			b->done_seen = true;
		pthread_mutex_unlock(&b->mu);
		return o;
	}
	return NULL;
}

/* Actions. ----------------------------------------------------------------- */

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : NULL;
}

static json_object *bad_value(const char *prop, unsigned *status)
{
	char msg[160];

	*status = 400;
	snprintf(msg, sizeof(msg), "The value for the property %s is missing or not in the list of acceptable values.",
		 prop);
	return bf_sim_bmc_error("Base.1.15.0.PropertyValueNotInList", msg, "Choose a value from the enumeration list and resubmit the request.");
}

static json_object *success(void)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array(), *m = json_object_new_object();

	add_str(m, "@odata.type", "#Message.v1_1_1.Message");
	add_str(m, "MessageId", "Base.1.15.0.Success");
	add_str(m, "Message", "The request completed successfully.");
	json_object_object_add(m, "MessageArgs", json_object_new_array());
	add_str(m, "MessageSeverity", "OK");
	add_str(m, "Resolution", "None");
	json_object_array_add(a, m);
	json_object_object_add(o, "@Message.ExtendedInfo", a);
	return o;
}

/* Targets name a FirmwareInventory member, with or without the leading
 * slash; none means the DPU's OS. "" when unknown. */
static const char *update_target(json_object *body, unsigned *status, json_object **err)
{
	json_object *t, *e;
	const char *s, *slash;
	size_t i;

	if (!json_object_object_get_ex(body, "Targets", &t) || json_object_array_length(t) == 0)
		return "DPU_OS";
	if (!json_object_is_type(t, json_type_array) || json_object_array_length(t) != 1 ||
	    !(e = json_object_array_get_idx(t, 0)) || !json_object_is_type(e, json_type_string)) {
		*err = bad_value("Targets", status);
		return NULL;
	}
	s = json_object_get_string(e);
	if (*s == '/')
		s++;
	if (!after(s, "redfish/v1/UpdateService/FirmwareInventory/") || !(slash = strrchr(s, '/'))) {
		*err = bad_value("Targets", status);
		return NULL;
	}
	for (i = 0; i < N_INV; i++)
		if (!strcmp(slash + 1, inventory[i].id) && inventory[i].updateable)
			return inventory[i].id;
	*err = bad_value("Targets", status);
	return NULL;
}

static json_object *simple_update(struct bf_sim_bmc *b, json_object *body, unsigned *status, char *loc,
				  size_t loccap)
{
	const char *uri = jstr(body, "ImageURI"), *proto = jstr(body, "TransferProtocol"), *target;
	json_object *err = NULL, *o;
	unsigned id;
	int r;

	if (!uri || !*uri || strlen(uri) > 900)
		return bad_value("ImageURI", status);
	if (!proto)
		proto = "HTTP";
	if (strcmp(proto, "HTTP") && strcmp(proto, "HTTPS") && strcmp(proto, "SCP"))
		return bad_value("TransferProtocol", status);
	if (!strcmp(proto, "SCP")) {
		*status = 400;
		return bf_sim_bmc_error("Base.1.15.0.ActionParameterNotSupported",
					"Please provide server's public key using PublicKeyExchange (SCP is not modelled by this BMC).",
					"Use HTTP or HTTPS.");
	}
	if (strstr(uri, "://")) {
		*status = 400;
		return bf_sim_bmc_error("Base.1.15.0.PropertyValueFormatError",
					"The value for the property ImageURI is of a different format than the property can accept: give HOST[:PORT]/PATH without a scheme.",
					"Correct the value for the property in the request body and resubmit the request.");
	}
	if (!(target = update_target(body, status, &err)))
		return err;
	pthread_mutex_lock(&b->mu);
	r = bf_sim_bmc_update_start(b, uri, proto, target, &id, &err);
	pthread_mutex_unlock(&b->mu);
	*status = (unsigned)r;
	if (r != 202)
		return err;
	snprintf(loc, loccap, R "/TaskService/Tasks/%u", id);
	bf_info("bfsim: BMC of sim:%u: SimpleUpdate of %s (task %u)", b->index, target, id);
	pthread_mutex_lock(&b->mu);
	o = task_res(bf_sim_bmc_task_find(b, id));
	pthread_mutex_unlock(&b->mu);
	return o;
}

static json_object *host_rshim_set(struct bf_sim_bmc *b, json_object *body, unsigned *status)
{
	const char *v = jstr(body, "HostRshim");

	if (!v || (strcmp(v, "Enabled") && strcmp(v, "Disabled")))
		return bad_value("HostRshim", status);
	pthread_mutex_lock(&b->h->lock);
	b->h->rshim_host_disabled = !strcmp(v, "Disabled");
	pthread_mutex_unlock(&b->h->lock);
	return success();
}

/* The BMC takes the RShim only when no host backend holds it; the
 * request is accepted either way, and a read-back tells. */
static json_object *manager_patch(struct bf_sim_bmc *b, json_object *body, unsigned *status)
{
	json_object *rs, *en;
	bool on, held;

	if (!json_object_object_get_ex(body, "BmcRShim", &rs) || !json_object_object_get_ex(rs, "BmcRShimEnabled", &en) ||
	    !json_object_is_type(en, json_type_boolean))
		return bad_value("BmcRShim/BmcRShimEnabled", status);
	on = json_object_get_boolean(en);
	pthread_mutex_lock(&b->h->lock);
	held = b->h->rshim_host_users > 0;
	if (!on)
		b->h->rshim_bmc = false;
	else if (!held)
		b->h->rshim_bmc = true;
	pthread_mutex_unlock(&b->h->lock);
	if (on && held)
		bf_info("bfsim: BMC of sim:%u cannot take the RShim: a host backend holds it", b->index);
	return success();
}

static json_object *post(struct bf_sim_bmc *b, const char *u, json_object *body, unsigned *status, char *loc,
			 size_t loccap)
{
	const char *v;

	if (!strcmp(u, R "/UpdateService/Actions/UpdateService.SimpleUpdate"))
		return simple_update(b, body, status, loc, loccap);
	if (!strcmp(u, R "/Systems/Bluefield/Oem/Nvidia/Actions/HostRshim.Set"))
		return host_rshim_set(b, body, status);
	if (!strcmp(u, R "/Systems/Bluefield/Oem/Nvidia/Actions/Mode.Set")) {
		if (!(v = jstr(body, "Mode")) || (strcmp(v, "DpuMode") && strcmp(v, "NicMode")))
			return bad_value("Mode", status);
		bf_sim_bmc_set_mode(b, !strcmp(v, "NicMode"));
		return success();
	}
	if (!strcmp(u, R "/Systems/Bluefield/Actions/ComputerSystem.Reset")) {
		v = jstr(body, "ResetType");
		if (!v || (strcmp(v, "GracefulRestart") && strcmp(v, "ForceRestart") && strcmp(v, "On") &&
			   strcmp(v, "GracefulShutdown")))
			return bad_value("ResetType", status);
		if (strcmp(v, "On") && strcmp(v, "GracefulShutdown") && bf_sim_bmc_arm_reset(b) < 0) {
			*status = 500;
			return bf_sim_bmc_error("Base.1.15.0.InternalError", "The Arm reset failed.", "Retry.");
		}
		{
			double now = bf_sim_bmc_now(b);

			pthread_mutex_lock(&b->mu);
			snprintf(b->last_state, sizeof(b->last_state), "BootRom");
			b->sample_t = now;
			pthread_mutex_unlock(&b->mu);
		}
		return success();
	}
	if (!strcmp(u, R "/Managers/Bluefield_BMC/Actions/Manager.Reset")) {
		v = jstr(body, "ResetType");
		if (!v || (strcmp(v, "GracefulRestart") && strcmp(v, "ForceRestart")))
			return bad_value("ResetType", status);
		pthread_mutex_lock(&b->mu);
		b->reboot_req = true;
		pthread_mutex_unlock(&b->mu);
		return success();
	}
	return NULL;
}

json_object *bf_sim_bmc_handle(struct bf_sim_bmc *b, const char *method, const char *url, const char *body,
			       size_t len, unsigned *status, char *location, size_t loccap)
{
	char u[512];
	size_t n = strlen(url);
	json_object *in = NULL, *out = NULL;
	bool known;

	*status = 200;
	location[0] = '\0';
	if (n >= sizeof(u)) {
		*status = 404;
		return bf_sim_bmc_error("Base.1.15.0.ResourceNotFound", "The requested resource was not found.", "None.");
	}
	memcpy(u, url, n + 1);
	while (n > 1 && u[n - 1] == '/')
		u[--n] = '\0';
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
		if ((out = get(b, u)))
			return out;
		*status = 404;
		return bf_sim_bmc_error("Base.1.15.0.ResourceNotFound", "The requested resource was not found.", "None.");
	}
	/* a resource that exists refuses other methods with 405 */
	out = get(b, u);
	known = out != NULL;
	json_object_put(out);
	out = NULL;
	if (!strcmp(method, "POST") || !strcmp(method, "PATCH")) {
		enum json_tokener_error je;

		in = len ? json_tokener_parse_verbose(body, &je) : json_object_new_object();
		if (!in || !json_object_is_type(in, json_type_object)) {
			json_object_put(in);
			*status = 400;
			return bf_sim_bmc_error("Base.1.15.0.MalformedJSON",
						"The request body submitted was malformed JSON and could not be parsed by the receiving service.",
						"Ensure that the request body is valid JSON and resubmit the request.");
		}
		if (!strcmp(method, "POST"))
			out = post(b, u, in, status, location, loccap);
		else if (!strcmp(u, R "/Managers/Bluefield_BMC/Oem/Nvidia"))
			out = manager_patch(b, in, status);
		json_object_put(in);
		if (out)
			return out;
	}
	*status = known ? 405 : 404;
	return known ? bf_sim_bmc_error("Base.1.15.0.OperationNotAllowed", "The HTTP method is not allowed on this resource.", "None.")
		     : bf_sim_bmc_error("Base.1.15.0.ResourceNotFound", "The requested resource was not found.", "None.");
}
