/* upgrade.c - the plan of a firmware upgrade: bundle inventory, running
 * versions, version order, the action per component; history records. */
#include "config.h"
#include "upgrade.h"
#include "bfb_info.h"
#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

static const char *const names[BF_UPG_NCOMP] = { "ATF", "UEFI", "BSP", "NIC", "BMC", "CEC", "DOCA" };
static const char *const keys[BF_UPG_NCOMP] = { "atf", "uefi", "bsp", "nic", "bmc", "cec", "doca" };
/* The inventory member after the chip prefix ("BF3_" + this). */
static const char *const members[BF_UPG_NCOMP] = { "ATF", "UEFI", "BSP", "NIC_FW", "BMC_FW", "CEC_FW", NULL };

const char *bf_upgrade_comp_name(enum bf_upgrade_comp c)
{
	return (unsigned)c < BF_UPG_NCOMP ? names[c] : "?";
}

const char *bf_upgrade_comp_key(enum bf_upgrade_comp c)
{
	return (unsigned)c < BF_UPG_NCOMP ? keys[c] : "?";
}

const char *bf_upgrade_action_name(enum bf_upgrade_action a)
{
	static const char *const n[] = {
		[BF_UPG_ABSENT] = "absent", [BF_UPG_SAME] = "skip", [BF_UPG_UPGRADE] = "upgrade",
		[BF_UPG_DOWNGRADE] = "downgrade", [BF_UPG_APPLY] = "apply", [BF_UPG_UNCHECKED] = "unchecked",
		[BF_UPG_IGNORED] = "ignored",
	};

	return (unsigned)a < sizeof(n) / sizeof(n[0]) ? n[a] : "?";
}

int bf_upgrade_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a && !isalnum((unsigned char)*a))
			a++;
		while (*b && !isalnum((unsigned char)*b))
			b++;
		if (!*a || !*b)
			return (*a != 0) - (*b != 0);
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t la, lb;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (la = 0; isdigit((unsigned char)a[la]); la++)
				;
			for (lb = 0; isdigit((unsigned char)b[lb]); lb++)
				;
			if (la != lb)
				return la < lb ? -1 : 1;
			if (strncmp(a, b, la))
				return strncmp(a, b, la) < 0 ? -1 : 1;
			a += la;
			b += lb;
		} else {
			size_t la, lb, n;
			int c;

			for (la = 0; isalnum((unsigned char)a[la]) && !isdigit((unsigned char)a[la]); la++)
				;
			for (lb = 0; isalnum((unsigned char)b[lb]) && !isdigit((unsigned char)b[lb]); lb++)
				;
			if (!la || !lb)   /* a number against text: the number is newer */
				return la ? -1 : 1;
			n = la < lb ? la : lb;
			if ((c = strncmp(a, b, n)) || la != lb)
				return c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : 1);
			a += la;
			b += lb;
		}
	}
	return 0;
}

void bf_upgrade_plan_init(struct bf_upgrade_plan *p)
{
	memset(p, 0, sizeof(*p));
}

int bf_upgrade_inventory(const char *json, size_t len, enum bf_chip_ver chip,
			 struct bf_upgrade_plan *p, const char **why)
{
	struct bf_bfb_component *c = calloc(BF_BFB_INFO_MAX_COMPS, sizeof(*c));
	char want[32];
	size_t n = 0, i, k;
	int r;

	if (!c)
		return -ENOMEM;
	r = bf_bfb_info_components(json, len, c, BF_BFB_INFO_MAX_COMPS, &n, why);
	for (i = 0; r == 0 && i < n; i++)
		for (k = 0; k < BF_UPG_NCOMP; k++) {
			if (members[k])
				snprintf(want, sizeof(want), "BF%d_%s", (int)chip, members[k]);
			else
				snprintf(want, sizeof(want), "%s", names[k]);
			if (strcmp(c[i].name, want) || !c[i].version[0])
				continue;
			snprintf(p->it[k].bundle, sizeof(p->it[k].bundle), "%s", c[i].version);
			if (k == BF_UPG_NIC)
				snprintf(p->bundle_psid, sizeof(p->bundle_psid), "%s", c[i].psid);
		}
	free(c);
	return r;
}

/* "KEY=VALUE" with a bounded, printable value. */
static void take(const char *s, const char *key, char *out, size_t cap)
{
	const char *v = strstr(s, key);
	size_t i;

	if (!v || (v > s && v[-1] != ' '))
		return;
	v += strlen(key);
	for (i = 0; i + 1 < cap && v[i] > ' ' && v[i] < 0x7f; i++)
		out[i] = v[i];
	out[i] = '\0';
	if (!strcmp(out, "unknown"))
		out[0] = '\0';
}

bool bf_upgrade_running_line(const char *text, struct bf_upgrade_plan *p)
{
	static const char head[] = "Running versions: ";
	const char *s = strstr(text, head);

	if (!s)
		return false;
	s += sizeof(head) - 1;
	take(s, "ATF=", p->it[BF_UPG_ATF].running, sizeof(p->it[0].running));
	take(s, "UEFI=", p->it[BF_UPG_UEFI].running, sizeof(p->it[0].running));
	take(s, "BSP=", p->it[BF_UPG_BSP].running, sizeof(p->it[0].running));
	return true;
}

void bf_upgrade_bmc_version(const char *redfish, char *out, size_t cap)
{
	size_t i = 0;

	if (!cap)
		return;
	if (!strncmp(redfish, "BF-", 3))
		redfish += 3;
	/* The ERoT's build suffix ("_n02") is not in the inventory. */
	for (; i + 1 < cap && redfish[i] > ' ' && redfish[i] < 0x7f && redfish[i] != '_'; i++)
		out[i] = redfish[i];
	out[i] = '\0';
	if (!strcmp(out, "N/A"))
		out[0] = '\0';
}

void bf_upgrade_decide(struct bf_upgrade_plan *p)
{
	unsigned k;

	for (k = 0; k < BF_UPG_NCOMP; k++) {
		struct bf_upgrade_item *it = &p->it[k];
		int c;

		if (!it->bundle[0])
			it->action = BF_UPG_ABSENT;
		else if (k == BF_UPG_DOCA)
			it->action = BF_UPG_IGNORED;
		else if (!it->running[0])
			it->action = k == BF_UPG_BMC || k == BF_UPG_CEC ? BF_UPG_UNCHECKED : BF_UPG_APPLY;
		else if ((c = bf_upgrade_vercmp(it->bundle, it->running)) == 0)
			it->action = BF_UPG_SAME;
		else
			it->action = c > 0 ? BF_UPG_UPGRADE : BF_UPG_DOWNGRADE;
	}
}

unsigned bf_upgrade_changes(const struct bf_upgrade_plan *p, unsigned *downgrades)
{
	unsigned k, n = 0, d = 0;

	for (k = 0; k < BF_UPG_NCOMP; k++) {
		enum bf_upgrade_action a = p->it[k].action;

		n += a == BF_UPG_UPGRADE || a == BF_UPG_DOWNGRADE || a == BF_UPG_APPLY;
		d += a == BF_UPG_DOWNGRADE;
	}
	if (downgrades)
		*downgrades = d;
	return n;
}

static void get(json_object *o, const char *k, char *out, size_t cap)
{
	json_object *v;
	size_t i;
	const char *s;

	out[0] = '\0';
	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return;
	s = json_object_get_string(v);
	for (i = 0; i + 1 < cap && s[i]; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

bool bf_upgrade_record_parse(const char *line, size_t len, struct bf_upgrade_record *rec)
{
	struct json_tokener *tok;
	json_object *o, *comps = NULL;
	unsigned k;

	memset(rec, 0, sizeof(*rec));
	if (len > 16384 || !(tok = json_tokener_new_ex(16)))
		return false;
	o = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return false;
	}
	get(o, "time", rec->time, sizeof(rec->time));
	get(o, "device", rec->device, sizeof(rec->device));
	get(o, "op", rec->op, sizeof(rec->op));
	get(o, "result", rec->result, sizeof(rec->result));
	get(o, "level", rec->level, sizeof(rec->level));
	json_object_object_get_ex(o, "components", &comps);
	for (k = 0; k < BF_UPG_NCOMP && comps && json_object_is_type(comps, json_type_object); k++) {
		json_object *c;

		if (!json_object_object_get_ex(comps, keys[k], &c) || !json_object_is_type(c, json_type_object))
			continue;
		get(c, "from", rec->c[k].from, sizeof(rec->c[k].from));
		get(c, "to", rec->c[k].to, sizeof(rec->c[k].to));
	}
	json_object_put(o);
	return rec->time[0] && rec->op[0];
}
