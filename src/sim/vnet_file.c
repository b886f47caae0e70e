/* vnet_file.c - the simulated virtio-net controller's state file (JSON):
 * read from a buffer with every length, type and range checked, written in
 * the same shape. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "vnet.h"

static int get_uint(json_object *o, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		    const char *where)
{
	json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return bf_error_ret(EINVAL, "%s: %s is missing or not an integer", where, key);
	n = json_object_get_int64(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return bf_error_ret(EINVAL, "%s: %s out of range %" PRIu64 "..%" PRIu64, where, key, min, max);
	*out = (uint64_t)n;
	return 0;
}

static int get_str(json_object *o, const char *key, char *buf, size_t len, const char *where)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return bf_error_ret(EINVAL, "%s: %s is missing or not a string", where, key);
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= len || strlen(s) != (size_t)json_object_get_string_len(v))
		return bf_error_ret(EINVAL, "%s: %s is too long or holds a NUL", where, key);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int parse_ctrl(json_object *o, struct bf_vnet_ctrl *c)
{
	uint64_t v[5];
	json_object *b;
	int err;

	if (!json_object_is_type(o, json_type_object))
		return bf_error_ret(EINVAL, "controller is not an object");
	if ((err = get_str(o, "emulation_manager", c->emulation_manager, sizeof(c->emulation_manager),
			   "controller")) ||
	    (err = get_str(o, "pf_bdf", c->pf_bdf, sizeof(c->pf_bdf), "controller")) ||
	    (err = get_uint(o, "max_hotplug_devices", 0, UINT32_MAX, &v[0], "controller")) ||
	    (err = get_uint(o, "max_virt_queues", 0, UINT32_MAX, &v[1], "controller")) ||
	    (err = get_uint(o, "num_msix", 0, UINT32_MAX, &v[2], "controller")) ||
	    (err = get_uint(o, "sf_budget", 0, UINT32_MAX, &v[3], "controller")))
		return err;
	c->max_hotplug = (unsigned)v[0];
	c->max_virt_queues = (unsigned)v[1];
	c->num_msix = (unsigned)v[2];
	c->sf_budget = (unsigned)v[3];
	c->rep_netdevs = 0;
	if (json_object_object_get_ex(o, "rep_netdevs", &b)) {
		if (!json_object_is_type(b, json_type_boolean))
			return bf_error_ret(EINVAL, "controller: rep_netdevs is not true or false");
		c->rep_netdevs = json_object_get_boolean(b);
	}
	return bf_vnet_ctrl_check(c);
}

static int parse_dev(json_object *o, struct bf_vnet_dev *d, size_t i)
{
	char where[32], mac[24], feat[24];
	uint64_t v[7];
	int err;

	snprintf(where, sizeof(where), "devices[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return bf_error_ret(EINVAL, "%s is not an object", where);
	if ((err = get_uint(o, "pf_id", 0, BF_VNET_MAX_HOTPLUG - 1, &v[0], where)) ||
	    (err = get_uint(o, "sf_num", BF_VNET_SF_MIN, 65535, &v[1], where)) ||
	    (err = get_uint(o, "mtu", BF_VNET_MTU_MIN, BF_VNET_MTU_MAX, &v[2], where)) ||
	    (err = get_uint(o, "max_queues", 1, 256, &v[3], where)) ||
	    (err = get_uint(o, "max_queue_size", 2, BF_VNET_QSIZE_MAX, &v[4], where)) ||
	    (err = get_uint(o, "transitional", 0, 1, &v[5], where)) ||
	    (err = get_str(o, "mac", mac, sizeof(mac), where)) ||
	    (err = get_str(o, "features", feat, sizeof(feat), where)))
		return err;
	if (bf_vnet_mac_parse(mac, d->mac))
		return bf_error_ret(EINVAL, "%s: mac is not aa:bb:cc:dd:ee:ff", where);
	if (bf_vnet_num_parse(feat, 0, UINT64_MAX, &v[6]) || (v[6] & ~BF_VNET_FEATURES_SUPPORTED))
		return bf_error_ret(EINVAL, "%s: features is not a supported hex feature set", where);
	d->pf_id = (unsigned)v[0];
	d->sf_num = (unsigned)v[1];
	d->mtu = (unsigned)v[2];
	d->queues = (unsigned)v[3];
	d->queue_size = (unsigned)v[4];
	d->transitional = (int)v[5];
	d->features = v[6];
	return 0;
}

static int parse_devs(json_object *a, struct bf_vnet_state *s)
{
	size_t i, j, n;
	int err;

	if (!json_object_is_type(a, json_type_array))
		return bf_error_ret(EINVAL, "devices is not an array");
	n = json_object_array_length(a);
	if (n > s->ctrl.max_hotplug)
		return bf_error_ret(EINVAL, "%zu devices, more than max_hotplug_devices", n);
	for (i = 0; i < n; i++) {
		if ((err = parse_dev(json_object_array_get_idx(a, i), &s->dev[i], i)))
			return err;
		for (j = 0; j < i; j++)
			if (s->dev[j].pf_id == s->dev[i].pf_id || s->dev[j].sf_num == s->dev[i].sf_num)
				return bf_error_ret(EINVAL, "devices[%zu] repeats a pf_id or sf_num", i);
	}
	s->ndev = n;
	return 0;
}

static int only_space(const char *p, size_t n)
{
	while (n--)
		if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
			return 0;
		else
			p++;
	return 1;
}

int bf_vnet_state_parse(const char *buf, size_t len, struct bf_vnet_state *s)
{
	struct json_tokener *tok;
	json_object *root, *c, *d;
	int err;

	memset(s, 0, sizeof(*s));
	if (len > BF_VNET_STATE_MAX)
		return bf_error_ret(EINVAL, "larger than %d bytes", BF_VNET_STATE_MAX);
	if (memchr(buf, 0, len))
		return bf_error_ret(EINVAL, "holds a NUL byte");
	tok = json_tokener_new_ex(8);
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    !only_space(buf + json_tokener_get_parse_end(tok), len - json_tokener_get_parse_end(tok))) {
		json_object_put(root);
		json_tokener_free(tok);
		return bf_error_ret(EINVAL, "is not one JSON object");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "controller", &c) ||
	    !json_object_object_get_ex(root, "devices", &d))
		err = bf_error_ret(EINVAL, "needs a controller object and a devices array");
	else if (!(err = parse_ctrl(c, &s->ctrl)))
		err = parse_devs(d, s);
	json_object_put(root);
	if (err)
		memset(s, 0, sizeof(*s));
	return err;
}

char *bf_vnet_state_format(const struct bf_vnet_state *s)
{
	json_object *root = json_object_new_object(), *c = json_object_new_object();
	json_object *a = json_object_new_array();
	char mac[24], feat[24];
	char *text;
	size_t i;

	json_object_object_add(c, "emulation_manager", json_object_new_string(s->ctrl.emulation_manager));
	json_object_object_add(c, "pf_bdf", json_object_new_string(s->ctrl.pf_bdf));
	json_object_object_add(c, "max_hotplug_devices", json_object_new_int64(s->ctrl.max_hotplug));
	json_object_object_add(c, "max_virt_queues", json_object_new_int64(s->ctrl.max_virt_queues));
	json_object_object_add(c, "num_msix", json_object_new_int64(s->ctrl.num_msix));
	json_object_object_add(c, "sf_budget", json_object_new_int64(s->ctrl.sf_budget));
	json_object_object_add(c, "rep_netdevs", json_object_new_boolean(s->ctrl.rep_netdevs));
	for (i = 0; i < s->ndev; i++) {
		const struct bf_vnet_dev *d = &s->dev[i];
		json_object *o = json_object_new_object();

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0], d->mac[1], d->mac[2],
			 d->mac[3], d->mac[4], d->mac[5]);
		snprintf(feat, sizeof(feat), "0x%" PRIx64, d->features);
		json_object_object_add(o, "pf_id", json_object_new_int64(d->pf_id));
		json_object_object_add(o, "sf_num", json_object_new_int64(d->sf_num));
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "mtu", json_object_new_int64(d->mtu));
		json_object_object_add(o, "max_queues", json_object_new_int64(d->queues));
		json_object_object_add(o, "max_queue_size", json_object_new_int64(d->queue_size));
		json_object_object_add(o, "features", json_object_new_string(feat));
		json_object_object_add(o, "transitional", json_object_new_int64(d->transitional));
		json_object_array_add(a, o);
	}
	json_object_object_add(root, "controller", c);
	json_object_object_add(root, "devices", a);
	text = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return text;
}
