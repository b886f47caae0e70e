/* bmc.c - the simulated BMC's HTTP side: listeners (HTTP and HTTPS through
 * libmicrohttpd), Basic authentication of "root", the JSON answers of
 * bmc_res.c, and the BMC's own life: its reboots (connections refused for
 * a while, tasks forgotten) and its faults. */
#include "config.h"
#include "bmc_int.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "sim_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int bf_sim_bmc_add_fault(struct bf_sim_bmc_opts *o, const char *spec)
{
	static const struct { const char *name; unsigned bit; } f[] = {
		{ "bmc-auth", BF_SIM_BMC_FAULT_AUTH },
		{ "bmc-auth=password-change", BF_SIM_BMC_FAULT_PWCHANGE },
		{ "bmc-busy", BF_SIM_BMC_FAULT_BUSY },
		{ "bmc-reboot-during=transfer", BF_SIM_BMC_FAULT_REBOOT_XFER },
		{ "bmc-reboot-during=boot", BF_SIM_BMC_FAULT_REBOOT_BOOT },
		{ "bmc-pull-fail", BF_SIM_BMC_FAULT_PULL_FAIL },
		{ "bmc-identical", BF_SIM_BMC_FAULT_IDENTICAL },
		{ "bmc-no-return", BF_SIM_BMC_FAULT_NO_RETURN },
	};
	size_t i;

	if (strncmp(spec, "bmc-", 4))
		return 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!strcmp(spec, f[i].name)) {
			o->faults |= f[i].bit;
			return 1;
		}
	return bf_error_ret(EINVAL, "unknown BMC fault '%s' (bmc-auth[=password-change], bmc-busy, "
			    "bmc-reboot-during=transfer|boot, bmc-pull-fail, bmc-identical, bmc-no-return)", spec);
}

/* "https://ADDR:PORT", "http://[::1]:PORT", "ADDR:PORT" (HTTPS). */
static int parse_listen(const char *spec, bool *tls, char *addr, size_t cap, unsigned short *port)
{
	const char *p = spec, *colon;
	unsigned long v;
	char *end;
	size_t n;

	*tls = true;
	if (!strncmp(p, "https://", 8))
		p += 8;
	else if (!strncmp(p, "http://", 7)) {
		p += 7;
		*tls = false;
	}
	if (*p == '[') {
		colon = strchr(p, ']');
		if (!colon || colon[1] != ':')
			return -EINVAL;
		n = (size_t)(colon - p - 1);
		p++;
		colon++;
	} else {
		colon = strrchr(p, ':');
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - p);
	}
	if (!n || n >= cap)
		return -EINVAL;
	memcpy(addr, p, n);
	addr[n] = '\0';
	v = strtoul(colon + 1, &end, 10);
	if (*end || !colon[1] || v == 0 || v > 65535)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

/* Requests. ---------------------------------------------------------------- */

struct req {
	char *body;
	size_t len;
	bool too_big;
};

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_object *j, const char *location,
				 bool auth_fail)
{
	const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(s), (void *)s, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "OData-Version", "4.0");
	if (location && *location)
		MHD_add_response_header(r, "Location", location);
	if (auth_fail)
		ret = MHD_queue_basic_auth_fail_response(c, "Redfish", r);
	else
		ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Constant-time comparison of what was sent with what is expected. */
static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static bool open_resource(const char *method, const char *url)
{
	return !strcmp(method, "GET") && (!strcmp(url, "/redfish/v1") || !strcmp(url, "/redfish/v1/") ||
					  !strcmp(url, "/redfish") || !strcmp(url, "/redfish/"));
}

/* The installer asked for a reboot the monitor has not begun yet, or the
 * listeners are closing: the BMC no longer answers. */
static bool going_down(struct bf_sim_bmc *b)
{
	bool down;

	pthread_mutex_lock(&b->h->lock);
	down = b->h->sim->bmc_reboot_req;
	pthread_mutex_unlock(&b->h->lock);
	pthread_mutex_lock(&b->mu);
	down = down || b->down;
	pthread_mutex_unlock(&b->mu);
	return down;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *data_size, void **con_cls)
{
	struct bf_sim_bmc *b = cls;
	struct req *rq = *con_cls;
	char location[128] = "";
	unsigned status = 200;
	enum MHD_Result ret;
	json_object *j;

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		*con_cls = rq;
		return MHD_YES;
	}
	if (*data_size) {
		if (!rq->too_big && rq->len + *data_size <= BMC_BODY_MAX) {
			char *nb = realloc(rq->body, rq->len + *data_size + 1);

			if (!nb)
				return MHD_NO;
			rq->body = nb;
			memcpy(rq->body + rq->len, data, *data_size);
			rq->len += *data_size;
			rq->body[rq->len] = '\0';
		} else {
			rq->too_big = true;
		}
		*data_size = 0;
		return MHD_YES;
	}
	if (going_down(b))
		return MHD_NO;   /* the connection drops, as when it reboots */
	if (!open_resource(method, url)) {
		char *pass = NULL, *user = MHD_basic_auth_get_username_password(c, &pass);
		bool good = user && pass && same(user, "root") && same(pass, b->o.password);

		if (pass) {
			memset(pass, 0, strlen(pass));
			MHD_free(pass);
		}
		if (user)
			MHD_free(user);
		if (!good || (b->o.faults & BF_SIM_BMC_FAULT_AUTH)) {
			j = bf_sim_bmc_error("Base.1.15.0.InsufficientPrivilege",
					     "There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.",
					     "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.");
			ret = send_json(c, 401, j, NULL, true);
			json_object_put(j);
			return ret;
		}
		if (b->o.faults & BF_SIM_BMC_FAULT_PWCHANGE) {
			j = bf_sim_bmc_error("Base.1.15.0.PasswordChangeRequired",
					     "The password provided for this account must be changed before access is granted.  PATCH the Password property for this account located at the target URI '/redfish/v1/AccountService/Accounts/root' to complete this process.",
					     "Change the password for this account using a PATCH to the Password property at the URI provided.");
			ret = send_json(c, 403, j, NULL, false);
			json_object_put(j);
			return ret;
		}
	}
	if (rq->too_big) {
		status = 413;
		j = bf_sim_bmc_error("Base.1.15.0.GeneralError", "The request body is too large.", "None.");
	} else {
		j = bf_sim_bmc_handle(b, method, url, rq->body ? rq->body : "", rq->len, &status, location,
				      sizeof(location));
	}
	if (!j)
		return MHD_NO;
	ret = send_json(c, status, j, location, false);
	json_object_put(j);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

/* Listeners. -------------------------------------------------------------- */

static int listen_one(struct bf_sim_bmc *b, unsigned i)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *ai = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	char port[8];
	int r;

	snprintf(port, sizeof(port), "%u", b->port[i]);
	if ((r = getaddrinfo(b->addr[i], port, &hints, &ai)) != 0)
		return bf_error_ret(EINVAL, "BMC address %s: %s", b->addr[i], gai_strerror(r));
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (b->tls[i])
		flags |= MHD_USE_TLS;
	if (b->tls[i])
		b->d[i] = MHD_start_daemon(flags, 0, NULL, NULL, answer, b,
					   MHD_OPTION_SOCK_ADDR, ai->ai_addr,
					   MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
					   MHD_OPTION_NOTIFY_COMPLETED, completed, b,
					   MHD_OPTION_CONNECTION_TIMEOUT, 60u,
					   MHD_OPTION_HTTPS_MEM_KEY, b->key_pem,
					   MHD_OPTION_HTTPS_MEM_CERT, b->cert_pem,
					   MHD_OPTION_END);
	else
		b->d[i] = MHD_start_daemon(flags, 0, NULL, NULL, answer, b,
					   MHD_OPTION_SOCK_ADDR, ai->ai_addr,
					   MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
					   MHD_OPTION_NOTIFY_COMPLETED, completed, b,
					   MHD_OPTION_CONNECTION_TIMEOUT, 60u,
					   MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!b->d[i])
		return bf_error_ret(EADDRINUSE, "cannot serve the BMC on %s:%u (%s): address in use or not local?",
				    b->addr[i], b->port[i], b->tls[i] ? "HTTPS" : "HTTP");
	return 0;
}

static int listen_all(struct bf_sim_bmc *b)
{
	unsigned i;
	int r;

	for (i = 0; i < b->o.nlisten; i++)
		if ((r = listen_one(b, i)) < 0)
			return r;
	return 0;
}

static void unlisten_all(struct bf_sim_bmc *b)
{
	unsigned i;

	for (i = 0; i < b->o.nlisten; i++)
		if (b->d[i]) {
			MHD_stop_daemon(b->d[i]);
			b->d[i] = NULL;
		}
}

/* The BMC's life. --------------------------------------------------------- */

/* The transfer worker has let go of b (after abort_xfer). */
static void wait_worker(struct bf_sim_bmc *b)
{
	pthread_mutex_lock(&b->mu);
	while (b->worker_running)
		pthread_cond_wait(&b->worker_cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

static void reboot(struct bf_sim_bmc *b)
{
	double speed = b->h->sim->cfg.speed > 0 ? b->h->sim->cfg.speed : 1;
	double secs = SIM_BMC_REBOOT_S / speed;
	uint64_t until;

	bf_info("bfsim: BMC of sim:%u reboots (about %.0f simulated seconds)", b->index, SIM_BMC_REBOOT_S);
	pthread_mutex_lock(&b->mu);
	b->down = true;
	b->abort_xfer = b->updating;
	pthread_mutex_unlock(&b->mu);
	/* Whatever asked, this reboot is the one the installer wanted. */
	pthread_mutex_lock(&b->h->lock);
	b->h->sim->bmc_reboot_req = false;
	pthread_mutex_unlock(&b->h->lock);
	unlisten_all(b);
	wait_worker(b);
	if (secs < 0.5)
		secs = 0.5;
	until = bf_clock_ns() + (uint64_t)(secs * 1e9);
	while ((bf_clock_ns() < until || (b->o.faults & BF_SIM_BMC_FAULT_NO_RETURN)) && !b->stop)
		bf_clock_sleep_ns(20000000ull);
	/* Firmware the installer staged runs from this boot on (unless the
	 * device takes no update: --fault no-activate). */
	pthread_mutex_lock(&b->h->lock);
	if (!b->h->sim->cfg.fault_no_activate)
		bf_sim_bmc_fw_activate(b->h->sim, "bmc_fw");
	pthread_mutex_unlock(&b->h->lock);
	pthread_mutex_lock(&b->mu);
	b->ntasks = 0;           /* tasks live in the BMC's memory */
	b->updating = false;
	b->abort_xfer = false;
	b->reboot_req = false;
	b->boots++;
	b->last_state[0] = '\0'; /* sampled afresh when asked */
	pthread_mutex_unlock(&b->mu);
	if (!b->stop && listen_all(b) < 0)
		bf_warn("bfsim: BMC of sim:%u did not come back: %s", b->index, bf_error_get());
	pthread_mutex_lock(&b->mu);
	b->down = false;
	pthread_mutex_unlock(&b->mu);
}

static void *monitor(void *arg)
{
	struct bf_sim_bmc *b = arg;

	while (!b->stop) {
		bool go;
		const char *st;

		bf_clock_sleep_ns(20000000ull);
		pthread_mutex_lock(&b->mu);
		go = b->reboot_req;
		pthread_mutex_unlock(&b->mu);
		if (!go) {
			/* The installer asked for a reboot ("Rebooting BMC..."):
			 * its firmware update takes effect. */
			pthread_mutex_lock(&b->h->lock);
			go = b->h->sim->bmc_reboot_req;   /* cleared by reboot() once down */
			pthread_mutex_unlock(&b->h->lock);
			st = bf_sim_bmc_phase_state(b);
			pthread_mutex_lock(&b->mu);
			if ((b->o.faults & BF_SIM_BMC_FAULT_REBOOT_BOOT) && b->xfer_done && b->done_seen &&
			    !b->reboot_fault_done &&
			    strcmp(st, "BootRom")) {
				b->reboot_fault_done = true;
				go = true;
			}
			pthread_mutex_unlock(&b->mu);
		}
		if (go)
			reboot(b);
	}
	return NULL;
}

static int write_cert(const struct bf_sim_bmc *b)
{
	char path[PATH_MAX + 32];
	int fd;
	ssize_t n;

	if (!b->o.cert_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/bmc%u-cert.pem", b->o.cert_dir, b->index);
	if ((fd = bf_file_create(path, 0644, true)) < 0)
		return fd;
	n = bf_file_write_all(fd, b->cert_pem, strlen(b->cert_pem));
	close(fd);
	return n == 0 ? 0 : bf_error_ret(EIO, "cannot write %s", path);
}

int bf_sim_bmc_start(struct bf_sim_host *h, unsigned index, const struct bf_sim_bmc_opts *o,
		     struct bf_sim_bmc **out)
{
	struct bf_sim_bmc *b = calloc(1, sizeof(*b));
	bool any_tls = false;
	unsigned i;
	int r;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->h = h;
	b->index = index;
	b->o = *o;
	b->next_id = 0;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->worker_cv, NULL);
	for (i = 0; i < o->nlisten; i++) {
		if (parse_listen(o->listen[i], &b->tls[i], b->addr[i], sizeof(b->addr[i]), &b->port[i]) < 0) {
			free(b);
			return bf_error_ret(EINVAL, "--bmc takes [http://|https://]ADDR:PORT, not '%s'", o->listen[i]);
		}
		if (b->port[i] + index > 65535) {
			r = bf_error_ret(EINVAL, "--bmc port %u + device %u is out of range", b->port[i], index);
			free(b);
			return r;
		}
		b->port[i] = (unsigned short)(b->port[i] + index);
		any_tls |= b->tls[i];
	}
	if (any_tls && ((r = bf_sim_bmc_tls_make(b->addr[0], &b->cert_pem, &b->key_pem)) < 0 ||
			(r = write_cert(b)) < 0))
		goto fail;
	if ((r = listen_all(b)) < 0)
		goto fail;
	if ((r = pthread_create(&b->monitor, NULL, monitor, b)) != 0) {
		r = bf_error_ret(r, "cannot start the BMC: %s", strerror(r));
		goto fail;
	}
	for (i = 0; i < o->nlisten; i++)
		bf_info("bfsim: BMC of sim:%u on %s://%s:%u", index, b->tls[i] ? "https" : "http", b->addr[i],
			b->port[i]);
	/* The installer logs in with the BMC's password (installer.c). */
	pthread_mutex_lock(&h->lock);
	h->sim->bmc_password = b->o.password;
	pthread_mutex_unlock(&h->lock);
	*out = b;
	return 0;
fail:
	unlisten_all(b);
	free(b->cert_pem);
	free(b->key_pem);
	free(b);
	return r;
}

void bf_sim_bmc_stop(struct bf_sim_bmc *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->h->lock);
	b->h->sim->bmc_password = NULL;
	pthread_mutex_unlock(&b->h->lock);
	b->stop = true;
	pthread_join(b->monitor, NULL);
	pthread_mutex_lock(&b->mu);
	b->abort_xfer = true;
	pthread_mutex_unlock(&b->mu);
	unlisten_all(b);
	wait_worker(b);
	free(b->cert_pem);
	if (b->key_pem)
		memset(b->key_pem, 0, strlen(b->key_pem));
	free(b->key_pem);
	memset(b->o.password, 0, sizeof(b->o.password));
	free(b);
}
