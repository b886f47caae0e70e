/* redfish.c - parsing a BMC's Redfish answers (json-c), bounded. */
#include "config.h"
#include "redfish.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

/* The answer as a JSON object, or NULL. */
static json_object *parse(const char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *o;

	if (!buf || len == 0 || len > BF_REDFISH_MAX_BODY)
		return NULL;
	if (!(tok = json_tokener_new_ex(32)))
		return NULL;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int not_json(void)
{
	return bf_error_ret(EBADMSG, "the BMC's answer is not a JSON object");
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* The string at o[k] into out (cut to cap, without control characters). */
static bool str(json_object *o, const char *k, char *out, size_t cap)
{
	json_object *v = get(o, k);
	const char *s;
	size_t i, n = 0;

	if (cap)
		out[0] = '\0';
	if (!v || !json_object_is_type(v, json_type_string) || !cap)
		return false;
	s = json_object_get_string(v);
	for (i = 0; s[i] && n + 1 < cap; i++)
		out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	/* never end inside a UTF-8 sequence */
	while (n && s[i] && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
		n--;
	if (n && s[i] && ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
		n--;
	out[n] = '\0';
	return true;
}

int bf_redfish_parse_task(const char *buf, size_t len, struct bf_redfish_task *t)
{
	json_object *o = parse(buf, len), *msgs, *m, *pc;
	size_t i, n;

	memset(t, 0, sizeof(*t));
	t->percent = -1;
	if (!o)
		return not_json();
	str(o, "Id", t->id, sizeof(t->id));
	if (!str(o, "TaskState", t->state, sizeof(t->state))) {
		json_object_put(o);
		return bf_error_ret(EPROTO, "the BMC's task has no TaskState");
	}
	str(o, "TaskStatus", t->status, sizeof(t->status));
	if ((pc = get(o, "PercentComplete")) && json_object_is_type(pc, json_type_int)) {
		int64_t v = json_object_get_int64(pc);

		t->percent = v < 0 ? 0 : v > 100 ? 100 : (int)v;
	}
	if ((msgs = get(o, "Messages")) && json_object_is_type(msgs, json_type_array)) {
		n = json_object_array_length(msgs);
		for (i = 0; i < n && i < 1024; i++) {
			char text[BF_REDFISH_TEXT];

			m = json_object_array_get_idx(msgs, i);
			if (!str(m, "Message", text, sizeof(text)))
				continue;
			if (strstr(text, "Component image is identical"))
				t->identical = true;
			snprintf(t->message, sizeof(t->message), "%s", text);
			str(m, "MessageId", t->message_id, sizeof(t->message_id));
			str(m, "Resolution", t->resolution, sizeof(t->resolution));
		}
	}
	json_object_put(o);
	return 0;
}

void bf_redfish_parse_error(const char *buf, size_t len, struct bf_redfish_error *e)
{
	json_object *o = parse(buf, len), *err, *info, *m;
	size_t i, n;

	memset(e, 0, sizeof(*e));
	if (!o)
		return;
	err = get(o, "error");
	info = get(err ? err : o, "@Message.ExtendedInfo");
	if (err) {
		str(err, "code", e->message_id, sizeof(e->message_id));
		str(err, "message", e->message, sizeof(e->message));
	}
	if (info && json_object_is_type(info, json_type_array)) {
		n = json_object_array_length(info);
		for (i = 0; i < n && i < 64; i++) {
			char id[96], text[BF_REDFISH_TEXT];

			m = json_object_array_get_idx(info, i);
			str(m, "MessageId", id, sizeof(id));
			str(m, "Message", text, sizeof(text));
			if (strstr(id, "PasswordChangeRequired"))
				e->password_change = true;
			if (strstr(text, "An update is in progress"))
				e->busy = true;
			if (i == 0 || strstr(id, "PasswordChangeRequired")) {
				snprintf(e->message_id, sizeof(e->message_id), "%s", id);
				if (text[0])
					snprintf(e->message, sizeof(e->message), "%s", text);
			}
		}
	}
	if (strstr(e->message_id, "PasswordChangeRequired"))
		e->password_change = true;
	if (strstr(e->message, "An update is in progress"))
		e->busy = true;
	json_object_put(o);
}

int bf_redfish_parse_system(const char *buf, size_t len, struct bf_redfish_system *s)
{
	json_object *o = parse(buf, len), *bp;

	memset(s, 0, sizeof(*s));
	if (!o)
		return not_json();
	bp = get(o, "BootProgress");
	str(bp, "OemLastState", s->oem_last_state, sizeof(s->oem_last_state));
	str(bp, "LastState", s->last_state, sizeof(s->last_state));
	str(o, "PowerState", s->power_state, sizeof(s->power_state));
	json_object_put(o);
	if (!s->oem_last_state[0] && !s->last_state[0])
		return bf_error_ret(EPROTO, "the BMC's system has no BootProgress");
	return 0;
}

int bf_redfish_parse_update_service(const char *buf, size_t len, struct bf_redfish_update_service *u)
{
	json_object *o = parse(buf, len), *act, *pv;
	size_t i, n;

	memset(u, 0, sizeof(*u));
	if (!o)
		return not_json();
	str(get(o, "Status"), "State", u->state, sizeof(u->state));
	act = get(get(o, "Actions"), "#UpdateService.SimpleUpdate");
	if (!act || !str(act, "target", u->target, sizeof(u->target)) || u->target[0] != '/') {
		json_object_put(o);
		return bf_error_ret(EPROTO, "the BMC's UpdateService offers no SimpleUpdate");
	}
	if ((pv = get(act, "TransferProtocol@Redfish.AllowableValues")) && json_object_is_type(pv, json_type_array)) {
		n = json_object_array_length(pv);
		for (i = 0; i < n && u->nprotocols < 8; i++) {
			json_object *e = json_object_array_get_idx(pv, i);

			if (json_object_is_type(e, json_type_string) &&
			    strlen(json_object_get_string(e)) < sizeof(u->protocols[0]))
				snprintf(u->protocols[u->nprotocols++], sizeof(u->protocols[0]), "%s",
					 json_object_get_string(e));
		}
	}
	json_object_put(o);
	return 0;
}

int bf_redfish_parse_members(const char *buf, size_t len, struct bf_redfish_members *m)
{
	json_object *o = parse(buf, len), *a, *c;
	size_t i, n;

	memset(m, 0, sizeof(*m));
	if (!o)
		return not_json();
	if (!(a = get(o, "Members")) || !json_object_is_type(a, json_type_array)) {
		json_object_put(o);
		return bf_error_ret(EPROTO, "the BMC's collection has no Members");
	}
	n = json_object_array_length(a);
	for (i = 0; i < n && m->n < BF_REDFISH_MAX_MEMBERS; i++)
		if (str(json_object_array_get_idx(a, i), "@odata.id", m->id[m->n], sizeof(m->id[0])) &&
		    m->id[m->n][0] == '/')
			m->n++;
	m->total = m->n;
	if ((c = get(o, "Members@odata.count")) && json_object_is_type(c, json_type_int) &&
	    json_object_get_int64(c) >= 0 && json_object_get_int64(c) < 1000000)
		m->total = (unsigned)json_object_get_int64(c);
	json_object_put(o);
	return 0;
}

int bf_redfish_parse_inventory(const char *buf, size_t len, struct bf_redfish_inventory *v)
{
	json_object *o = parse(buf, len), *u;

	memset(v, 0, sizeof(*v));
	if (!o)
		return not_json();
	str(o, "Id", v->id, sizeof(v->id));
	str(o, "Name", v->name, sizeof(v->name));
	str(o, "Version", v->version, sizeof(v->version));
	if ((u = get(o, "Updateable")) && json_object_is_type(u, json_type_boolean))
		v->updateable = json_object_get_boolean(u);
	json_object_put(o);
	if (!v->id[0])
		return bf_error_ret(EPROTO, "the BMC's inventory item has no Id");
	return 0;
}

/* The value at the path of keys in ap (NULL-terminated), or NULL. */
static json_object *walk(json_object *o, va_list ap)
{
	const char *k;

	while (o && (k = va_arg(ap, const char *)))
		o = get(o, k);
	return o;
}

int bf_redfish_get_string(const char *buf, size_t len, char *out, size_t cap, ...)
{
	json_object *o = parse(buf, len), *v, *holder;
	va_list ap;
	int r = -ENOENT;

	if (cap)
		out[0] = '\0';
	if (!o)
		return not_json();
	va_start(ap, cap);
	v = walk(o, ap);
	va_end(ap);
	if (v && json_object_is_type(v, json_type_string)) {
		holder = json_object_new_object();
		json_object_object_add(holder, "v", json_object_get(v));
		str(holder, "v", out, cap);
		json_object_put(holder);
		r = 0;
	}
	json_object_put(o);
	return r;
}

int bf_redfish_get_bool(const char *buf, size_t len, bool *out, ...)
{
	json_object *o = parse(buf, len), *v;
	va_list ap;
	int r = -ENOENT;

	*out = false;
	if (!o)
		return not_json();
	va_start(ap, out);
	v = walk(o, ap);
	va_end(ap);
	if (v && json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		r = 0;
	}
	json_object_put(o);
	return r;
}
