/* ovsdb_txn.c - reading OVSDB rows into the observed state, and the one
 * transaction that applies a plan's OVS actions (see ovsdb.h). */
#include "config.h"
#include "ovsdb.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The rows of the i-th operation's result: [{"rows": [...]}, ...]. */
static struct json_object *rows_of(struct json_object *res, size_t i)
{
	struct json_object *r = json_object_array_get_idx(res, i), *rows;

	if (!r || !json_object_is_type(r, json_type_object) || !json_object_object_get_ex(r, "rows", &rows) ||
	    !json_object_is_type(rows, json_type_array))
		return NULL;
	return rows;
}

static const char *col_str(struct json_object *row, const char *col)
{
	struct json_object *v;

	if (!json_object_object_get_ex(row, col, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* ["uuid", "..."] -> the string. */
static const char *uuid_str(struct json_object *v)
{
	struct json_object *tag, *u;

	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) != 2)
		return NULL;
	tag = json_object_array_get_idx(v, 0);
	u = json_object_array_get_idx(v, 1);
	if (!json_object_is_type(tag, json_type_string) || strcmp(json_object_get_string(tag), "uuid") ||
	    !json_object_is_type(u, json_type_string) || json_object_get_string_len(u) >= 40)
		return NULL;
	return json_object_get_string(u);
}

/* A set column: a single atom, or ["set", [atoms]]. Calls fn per atom. */
static size_t set_items(struct json_object *v, struct json_object **out, size_t max)
{
	struct json_object *tag, *items;
	size_t i, n = 0;

	if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 2 &&
	    json_object_is_type((tag = json_object_array_get_idx(v, 0)), json_type_string) &&
	    !strcmp(json_object_get_string(tag), "set")) {
		items = json_object_array_get_idx(v, 1);
		if (!json_object_is_type(items, json_type_array))
			return 0;
		for (i = 0; i < json_object_array_length(items) && n < max; i++)
			out[n++] = json_object_array_get_idx(items, i);
		return n;
	}
	if (max)
		out[n++] = v;
	return n;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

int bf_agent_ovsdb_parse_state(struct json_object *res, struct bf_agent_obs *o)
{
	struct json_object *ovs, *brs, *ports, *row, *map, *pairs, *items[BF_AGENT_MAX_PORTS];
	size_t i, j, k, n;

	o->nother = 0;
	o->nbridges = 0;
	if (!json_object_is_type(res, json_type_array) || !(ovs = rows_of(res, 0)) || !(brs = rows_of(res, 1)) ||
	    !(ports = rows_of(res, 2)))
		return bf_error_ret(EBADMSG, "ovsdb-server's answer to the select has an unexpected shape");
	row = json_object_array_get_idx(ovs, 0);
	if (row && json_object_object_get_ex(row, "other_config", &map) && json_object_is_type(map, json_type_array) &&
	    json_object_array_length(map) == 2 && json_object_is_type((pairs = json_object_array_get_idx(map, 1)),
								       json_type_array)) {
		for (i = 0; i < json_object_array_length(pairs) && o->nother < BF_AGENT_MAX_KV; i++) {
			struct json_object *pr = json_object_array_get_idx(pairs, i), *k0, *v0;

			if (!json_object_is_type(pr, json_type_array) || json_object_array_length(pr) != 2)
				continue;
			k0 = json_object_array_get_idx(pr, 0);
			v0 = json_object_array_get_idx(pr, 1);
			if (!json_object_is_type(k0, json_type_string) || !json_object_is_type(v0, json_type_string) ||
			    json_object_get_string_len(k0) >= 65 || json_object_get_string_len(v0) >= 256)
				continue;
			copy(o->other[o->nother].key, sizeof(o->other[0].key), json_object_get_string(k0));
			copy(o->other[o->nother].value, sizeof(o->other[0].value), json_object_get_string(v0));
			o->nother++;
		}
	}
	for (i = 0; i < json_object_array_length(brs) && o->nbridges < BF_AGENT_MAX_BRIDGES; i++) {
		struct bf_agent_obs_bridge *b = &o->bridges[o->nbridges];
		struct json_object *v;
		const char *name, *u;

		row = json_object_array_get_idx(brs, i);
		if (!json_object_is_type(row, json_type_object) || !(name = col_str(row, "name")) ||
		    strlen(name) >= BF_IFNAME || !json_object_object_get_ex(row, "_uuid", &v) || !(u = uuid_str(v)))
			continue;
		memset(b, 0, sizeof(*b));
		copy(b->name, sizeof(b->name), name);
		copy(b->uuid, sizeof(b->uuid), u);
		copy(b->datapath_type, sizeof(b->datapath_type), col_str(row, "datapath_type"));
		n = json_object_object_get_ex(row, "ports", &v) ? set_items(v, items, BF_AGENT_MAX_PORTS) : 0;
		for (j = 0; j < n; j++) {
			const char *pu = uuid_str(items[j]), *pname = NULL;

			for (k = 0; pu && k < json_object_array_length(ports); k++) {
				struct json_object *pr = json_object_array_get_idx(ports, k), *pv;

				if (json_object_is_type(pr, json_type_object) &&
				    json_object_object_get_ex(pr, "_uuid", &pv) && uuid_str(pv) &&
				    !strcmp(uuid_str(pv), pu)) {
					pname = col_str(pr, "name");
					break;
				}
			}
			/* The bridge's own internal port is not a profile port. */
			if (!pname || strlen(pname) >= BF_IFNAME || !strcmp(pname, b->name))
				continue;
			copy(b->ports[b->nports], BF_IFNAME, pname);
			copy(b->port_uuids[b->nports], 40, pu);
			b->nports++;
		}
		o->nbridges++;
	}
	o->have_ovs = true;
	return 0;
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

/* [tag, value] pairs: ["named-uuid", n], ["uuid", u], ["set", [...]]. */
static struct json_object *pair(const char *tag, struct json_object *v)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, jstr(tag));
	json_object_array_add(a, v);
	return a;
}

static struct json_object *set1(struct json_object *atom)
{
	struct json_object *l = json_object_new_array();

	json_object_array_add(l, atom);
	return pair("set", l);
}

/* [["name", "==", name]] */
static struct json_object *where_name(const char *name)
{
	struct json_object *w = json_object_new_array(), *c = json_object_new_array();

	json_object_array_add(c, jstr("name"));
	json_object_array_add(c, jstr("=="));
	json_object_array_add(c, jstr(name));
	json_object_array_add(w, c);
	return w;
}

static struct json_object *op(const char *kind, const char *table)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "op", jstr(kind));
	json_object_object_add(o, "table", jstr(table));
	return o;
}

/* mutate table where [col mutator value] */
static struct json_object *mutate(const char *table, struct json_object *where, const char *col, const char *mutator,
				  struct json_object *value)
{
	struct json_object *o = op("mutate", table), *ms = json_object_new_array(), *m = json_object_new_array();

	json_object_object_add(o, "where", where);
	json_object_array_add(m, jstr(col));
	json_object_array_add(m, jstr(mutator));
	json_object_array_add(m, value);
	json_object_array_add(ms, m);
	json_object_object_add(o, "mutations", ms);
	return o;
}

static unsigned uid;

/* Insert Interface + Port named name (type: "" or "internal"); returns the
 * Port's named-uuid in pname. */
static void insert_port(struct json_object *ops, const char *name, const char *type, char *pname, size_t cap)
{
	struct json_object *i = op("insert", "Interface"), *row = json_object_new_object();
	struct json_object *p = op("insert", "Port"), *prow = json_object_new_object();
	char iname[32];

	snprintf(iname, sizeof(iname), "i%u", ++uid);
	snprintf(pname, cap, "p%u", uid);
	json_object_object_add(row, "name", jstr(name));
	if (*type)
		json_object_object_add(row, "type", jstr(type));
	json_object_object_add(i, "row", row);
	json_object_object_add(i, "uuid-name", jstr(iname));
	json_object_array_add(ops, i);
	json_object_object_add(prow, "name", jstr(name));
	json_object_object_add(prow, "interfaces", set1(pair("named-uuid", jstr(iname))));
	json_object_object_add(p, "row", prow);
	json_object_object_add(p, "uuid-name", jstr(pname));
	json_object_array_add(ops, p);
}

/* Append the operations of one action; false when it cannot be expressed. */
static bool add_ops(struct json_object *ops, const struct bf_agent_obs *o, const struct bf_agent_action *a)
{
	char br[BF_IFNAME], port[BF_IFNAME], pn[32];
	const struct bf_agent_obs_bridge *ob;
	const char *slash;
	size_t i;

	switch (a->kind) {
	case BF_AK_OVS_CONFIG: {
		struct json_object *keys = json_object_new_array(), *m, *kv;

		json_object_array_add(keys, jstr(a->id));
		json_object_array_add(ops, mutate("Open_vSwitch", json_object_new_array(), "other_config", "delete",
						  pair("set", keys)));
		if (a->op == BF_AOP_REMOVE)
			return true;
		m = json_object_new_array();
		kv = json_object_new_array();
		json_object_array_add(kv, jstr(a->id));
		json_object_array_add(kv, jstr(a->detail));
		json_object_array_add(m, kv);
		json_object_array_add(ops, mutate("Open_vSwitch", json_object_new_array(), "other_config", "insert",
						  pair("map", m)));
		return true;
	}
	case BF_AK_BRIDGE:
		if (a->op == BF_AOP_CREATE) {
			struct json_object *b = op("insert", "Bridge"), *row = json_object_new_object();
			char bname[32];

			insert_port(ops, a->id, "internal", pn, sizeof(pn));
			snprintf(bname, sizeof(bname), "b%u", ++uid);
			json_object_object_add(row, "name", jstr(a->id));
			json_object_object_add(row, "ports", set1(pair("named-uuid", jstr(pn))));
			if (a->detail[0] && strcmp(a->detail, "system"))
				json_object_object_add(row, "datapath_type", jstr(a->detail));
			json_object_object_add(b, "row", row);
			json_object_object_add(b, "uuid-name", jstr(bname));
			json_object_array_add(ops, b);
			json_object_array_add(ops, mutate("Open_vSwitch", json_object_new_array(), "bridges", "insert",
							  set1(pair("named-uuid", jstr(bname)))));
			return true;
		}
		if (a->op == BF_AOP_CHANGE) {
			struct json_object *u = op("update", "Bridge"), *row = json_object_new_object();

			json_object_object_add(u, "where", where_name(a->id));
			json_object_object_add(row, "datapath_type",
					       jstr(strcmp(a->detail, "system") ? a->detail : ""));
			json_object_object_add(u, "row", row);
			json_object_array_add(ops, u);
			return true;
		}
		if (a->op == BF_AOP_REMOVE && (ob = bf_agent_obs_bridge(o, a->id))) {
			/* Bridge, Port and Interface are not root tables: once
			 * Open_vSwitch no longer refers to the bridge, it goes
			 * with its ports. */
			json_object_array_add(ops, mutate("Open_vSwitch", json_object_new_array(), "bridges", "delete",
							  set1(pair("uuid", jstr(ob->uuid)))));
			return true;
		}
		return false;
	case BF_AK_PORT:
		slash = strchr(a->id, '/');
		if (!slash || (size_t)(slash - a->id) >= sizeof(br) || strlen(slash + 1) >= sizeof(port))
			return false;
		snprintf(br, sizeof(br), "%.*s", (int)(slash - a->id), a->id);
		snprintf(port, sizeof(port), "%s", slash + 1);
		if (a->op == BF_AOP_CREATE) {
			insert_port(ops, port, "", pn, sizeof(pn));
			json_object_array_add(ops, mutate("Bridge", where_name(br), "ports", "insert",
							  set1(pair("named-uuid", jstr(pn)))));
			return true;
		}
		if (a->op == BF_AOP_REMOVE && (ob = bf_agent_obs_bridge(o, br))) {
			for (i = 0; i < ob->nports; i++)
				if (!strcmp(ob->ports[i], port)) {
					json_object_array_add(ops, mutate("Bridge", where_name(br), "ports", "delete",
									  set1(pair("uuid", jstr(ob->port_uuids[i])))));
					return true;
				}
		}
		return false;
	default:
		return false;
	}
}

static bool is_ovs(const struct bf_agent_action *a)
{
	return a->kind == BF_AK_OVS_CONFIG || a->kind == BF_AK_BRIDGE || a->kind == BF_AK_PORT;
}

static void record(struct bf_agent_record *rec, const struct bf_agent_action *a)
{
	const char *k = a->kind == BF_AK_OVS_CONFIG ? "other_config" : a->kind == BF_AK_BRIDGE ? "bridge" : "port";
	size_t i;

	if (a->op == BF_AOP_CREATE) {
		bf_agent_record_add(rec, k, a->id);
	} else if (a->op == BF_AOP_REMOVE) {
		bf_agent_record_del(rec, k, a->id);
		if (a->kind == BF_AK_BRIDGE)    /* its ports went with it */
			for (i = rec->n; i-- > 0;)
				if (!strncmp(rec->items[i], "port:", 5) && !strncmp(rec->items[i] + 5, a->id, strlen(a->id)) &&
				    rec->items[i][5 + strlen(a->id)] == '/')
					bf_agent_record_del(rec, "port", rec->items[i] + 5);
	}
}

int bf_agent_ovsdb_apply(struct bf_agent_ovsdb *db, const struct bf_agent_obs *o, struct bf_agent_plan *plan,
			 struct bf_agent_record *rec)
{
	struct json_object *params = json_object_new_array(), *res = NULL, *cm;
	size_t i, nops = 0;
	int r;

	json_object_array_add(params, jstr("Open_vSwitch"));
	for (i = 0; i < plan->n; i++) {
		struct bf_agent_action *a = &plan->a[i];

		if (!is_ovs(a) || a->op == BF_AOP_NONE || a->op == BF_AOP_FAIL)
			continue;
		if (!add_ops(params, o, a)) {
			a->verdict = BF_AV_FAILED;
			snprintf(a->reason, sizeof(a->reason), "no such object in OVSDB any more");
			continue;
		}
		nops++;
	}
	if (!nops) {
		json_object_put(params);
		return 0;
	}
	cm = op("comment", "");
	json_object_object_del(cm, "table");
	json_object_object_add(cm, "comment", jstr("bfagent apply"));
	json_object_array_add(params, cm);
	db->txns++;
	r = bf_agent_ovsdb_call(db, "transact", params, &res);
	if (r == 0) {
		/* Any operation error aborts the whole transaction: the result
		 * then holds an {"error": ...} object. */
		for (i = 0; i < json_object_array_length(res); i++) {
			struct json_object *e = json_object_array_get_idx(res, i), *err, *det;

			if (json_object_is_type(e, json_type_object) && json_object_object_get_ex(e, "error", &err)) {
				bf_error_set("the OVSDB transaction failed: %.80s%s%.120s", json_object_get_string(err),
					     json_object_object_get_ex(e, "details", &det) ? ": " : "",
					     json_object_object_get_ex(e, "details", &det) ? json_object_get_string(det)
											    : "");
				r = -EPROTO;
				break;
			}
		}
	}
	json_object_put(res);
	for (i = 0; i < plan->n; i++) {
		struct bf_agent_action *a = &plan->a[i];

		if (!is_ovs(a) || a->op == BF_AOP_NONE || a->op == BF_AOP_FAIL || a->verdict == BF_AV_FAILED)
			continue;
		if (r < 0) {
			a->verdict = BF_AV_FAILED;
			snprintf(a->reason, sizeof(a->reason), "%s", bf_error_or("transaction failed"));
			continue;
		}
		a->verdict = a->op == BF_AOP_CREATE ? BF_AV_CREATED : a->op == BF_AOP_REMOVE ? BF_AV_REMOVED : BF_AV_CHANGED;
		record(rec, a);
	}
	return r;
}
