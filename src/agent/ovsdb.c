/* ovsdb.c - the OVSDB JSON-RPC client (see ovsdb.h). Facts: RFC 7047
 * (transact, select, insert, mutate, update; "named-uuid"; non-root tables
 * are garbage-collected when unreferenced) and the Open_vSwitch schema
 * (vswitch.ovsschema: Open_vSwitch.bridges, Bridge.ports, Port.interfaces,
 * Interface.type "internal" for a bridge's own port). */
#include "config.h"
#include "ovsdb.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int bf_agent_ovsdb_open(struct bf_agent_ovsdb *db, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(db, 0, sizeof(*db));
	db->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return bf_error_ret(ENAMETOOLONG, "the OVSDB socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	db->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (db->fd < 0)
		return bf_error_ret(errno, "cannot make a socket: %s", strerror(errno));
	if (connect(db->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(db->fd);
		db->fd = -1;
		return bf_error_ret(e, "cannot connect to ovsdb-server at %s: %s (is openvswitch-switch running?)", path,
				    strerror(e));
	}
	return 0;
}

void bf_agent_ovsdb_close(struct bf_agent_ovsdb *db)
{
	if (db->fd >= 0)
		close(db->fd);
	free(db->buf);
	memset(db, 0, sizeof(*db));
	db->fd = -1;
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int bf_agent_ovsdb_parse_reply(const char *buf, size_t len, unsigned id, struct json_object **result)
{
	struct json_tokener *tok;
	struct json_object *msg, *jid, *err, *res;
	int r = -EBADMSG;

	*result = NULL;
	if (len > BF_OVSDB_MAX_REPLY || len > INT32_MAX)
		return bf_error_ret(EBADMSG, "an OVSDB reply of %zu bytes is too large", len);
	tok = json_tokener_new_ex(64);
	if (!tok)
		return -ENOMEM;
	msg = json_tokener_parse_ex(tok, buf, (int)len);
	if (!msg || !json_object_is_type(msg, json_type_object)) {
		bf_error_set("ovsdb-server sent something that is not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(msg, "id", &jid) || !json_object_is_type(jid, json_type_int) ||
	    json_object_get_int64(jid) != id) {
		bf_error_set("ovsdb-server answered another request");
		goto out;
	}
	if (json_object_object_get_ex(msg, "error", &err) && !json_object_is_type(err, json_type_null)) {
		bf_error_set("ovsdb-server: %.200s", json_object_to_json_string(err));
		r = -EPROTO;
		goto out;
	}
	if (!json_object_object_get_ex(msg, "result", &res)) {
		bf_error_set("an OVSDB reply without result");
		goto out;
	}
	*result = json_object_get(res);
	r = 0;
out:
	json_object_put(msg);
	json_tokener_free(tok);
	return r;
}

/* Wait for the next complete message (a JSON object) from the server. */
static int read_message(struct bf_agent_ovsdb *db, char **msg, size_t *mlen)
{
	for (;;) {
		/* A message ends where the braces balance outside strings. */
		size_t i, depth = 0;
		bool str = false, esc = false;
		struct pollfd pfd = { db->fd, POLLIN, 0 };
		char chunk[65536];
		ssize_t n;
		char *nb;

		for (i = 0; i < db->len; i++) {
			char c = db->buf[i];

			if (str) {
				if (esc)
					esc = false;
				else if (c == '\\')
					esc = true;
				else if (c == '"')
					str = false;
			} else if (c == '"') {
				str = true;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if ((c == '}' || c == ']') && depth && !--depth) {
				*msg = db->buf;
				*mlen = i + 1;
				return 0;
			}
		}
		if (db->len >= BF_OVSDB_MAX_REPLY)
			return bf_error_ret(EMSGSIZE, "an OVSDB message over %u bytes", BF_OVSDB_MAX_REPLY);
		if (poll(&pfd, 1, BF_OVSDB_TIMEOUT_MS) == 0)
			return bf_error_ret(ETIMEDOUT, "ovsdb-server did not answer within %d s", BF_OVSDB_TIMEOUT_MS / 1000);
		n = recv(db->fd, chunk, sizeof(chunk), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bf_error_ret(n ? errno : ECONNRESET, "the connection to ovsdb-server broke");
		nb = realloc(db->buf, db->len + (size_t)n + 1);
		if (!nb)
			return -ENOMEM;
		db->buf = nb;
		memcpy(db->buf + db->len, chunk, (size_t)n);
		db->len += (size_t)n;
	}
}

static void consume(struct bf_agent_ovsdb *db, size_t n)
{
	memmove(db->buf, db->buf + n, db->len - n);
	db->len -= n;
}

/* Send method(params) and wait for its result; answers the server's
 * echo requests meanwhile. Takes params. */
int bf_agent_ovsdb_call(struct bf_agent_ovsdb *db, const char *method, struct json_object *params,
		       struct json_object **result)
{
	struct json_object *req = json_object_new_object();
	unsigned id = ++db->next_id;
	const char *s;
	int r;

	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	s = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	bf_debug("ovsdb > %.300s", s);
	r = send_all(db->fd, s, strlen(s));
	json_object_put(req);
	if (r < 0)
		return bf_error_ret(-r, "cannot write to ovsdb-server: %s", strerror(-r));
	for (;;) {
		char *m;
		size_t n;

		if ((r = read_message(db, &m, &n)) < 0)
			return r;
		if (n > 8 && memmem(m, n, "\"method\"", 8)) {
			/* A request from the server: answer "echo" with the same
			 * id, ignore notifications. */
			struct json_tokener *tok = json_tokener_new_ex(64);
			struct json_object *e = tok ? json_tokener_parse_ex(tok, m, (int)n) : NULL, *eid, *meth, *rep;

			if (e && json_object_object_get_ex(e, "method", &meth) &&
			    json_object_object_get_ex(e, "id", &eid)) {
				if (json_object_is_type(meth, json_type_string) &&
				    !strcmp(json_object_get_string(meth), "echo")) {
					rep = json_object_new_object();
					json_object_object_add(rep, "result", json_object_new_array());
					json_object_object_add(rep, "error", NULL);
					json_object_object_add(rep, "id", json_object_get(eid));
					s = json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN);
					send_all(db->fd, s, strlen(s));
					json_object_put(rep);
				}
				json_object_put(e);
				if (tok)
					json_tokener_free(tok);
				consume(db, n);
				continue;
			}
			json_object_put(e);
			if (tok)
				json_tokener_free(tok);
		}
		r = bf_agent_ovsdb_parse_reply(m, n, id, result);
		consume(db, n);
		if (r == -EBADMSG && bf_error_get() && strstr(bf_error_get(), "another request"))
			continue;     /* a notification or a stale answer */
		return r;
	}
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

/* ["table", [where], columns] select operation. */
static struct json_object *op_select(const char *table, const char *const *cols)
{
	struct json_object *op = json_object_new_object(), *c = json_object_new_array();

	json_object_object_add(op, "op", jstr("select"));
	json_object_object_add(op, "table", jstr(table));
	json_object_object_add(op, "where", json_object_new_array());
	for (; *cols; cols++)
		json_object_array_add(c, jstr(*cols));
	json_object_object_add(op, "columns", c);
	return op;
}

int bf_agent_ovsdb_observe(struct bf_agent_ovsdb *db, struct bf_agent_obs *o)
{
	static const char *const ovs_cols[] = { "_uuid", "other_config", NULL };
	static const char *const br_cols[] = { "_uuid", "name", "ports", "datapath_type", NULL };
	static const char *const port_cols[] = { "_uuid", "name", NULL };
	struct json_object *params = json_object_new_array(), *res = NULL;
	int r;

	json_object_array_add(params, jstr("Open_vSwitch"));
	json_object_array_add(params, op_select("Open_vSwitch", ovs_cols));
	json_object_array_add(params, op_select("Bridge", br_cols));
	json_object_array_add(params, op_select("Port", port_cols));
	r = bf_agent_ovsdb_call(db, "transact", params, &res);
	if (r < 0)
		return r;
	r = bf_agent_ovsdb_parse_state(res, o);
	json_object_put(res);
	return r;
}
