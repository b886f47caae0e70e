/* bmc_int.h - internals of the simulated BMC shared by bmc*.c. */
#ifndef BF_SIM_BMC_INT_H
#define BF_SIM_BMC_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "bmc.h"

#define BMC_MAX_TASKS      32
#define BMC_TEXT           256
#define BMC_SAMPLE_S       30.0    /* BootProgress is sampled this often (simulated s) */
#define BMC_BODY_MAX       65536   /* request bodies */

struct bmc_task {
	unsigned id;
	char state[16];            /* "Running", "Completed", "Exception" */
	char status[16];           /* "OK", "Warning", "Critical" */
	unsigned percent;
	char message_id[64];
	char message[BMC_TEXT];
	char resolution[BMC_TEXT];
	char target[128];          /* Payload.TargetUri */
	char start[32], end[32];   /* ISO 8601 */
};

struct bmc_update {            /* a SimpleUpdate in progress */
	char uri[1024];            /* what the BMC pulls (with its scheme) */
	char target[64];           /* "DPU_OS", "BMC_Firmware", ... */
	unsigned task;             /* its task's id */
};

struct bf_sim_bmc {
	struct bf_sim_host *h;
	unsigned index;
	struct bf_sim_bmc_opts o;
	unsigned short port[BF_SIM_BMC_MAX_LISTEN];
	bool tls[BF_SIM_BMC_MAX_LISTEN];
	char addr[BF_SIM_BMC_MAX_LISTEN][64];
	struct MHD_Daemon *d[BF_SIM_BMC_MAX_LISTEN];
	char *cert_pem, *key_pem;

	pthread_mutex_t mu;        /* everything below (never held while h->lock is taken? see bmc.c) */
	struct bmc_task tasks[BMC_MAX_TASKS];
	unsigned ntasks, next_id;
	bool updating;             /* a worker runs */
	struct bmc_update up;
	bool worker_running;       /* a detached worker still uses this struct */
	pthread_cond_t worker_cv;
	bool abort_xfer;           /* the worker stops pulling (BMC reboot) */
	bool xfer_done;            /* the last transfer completed (for the boot-reboot fault) */
	bool done_seen;            /* ... and a client has read its task as Completed */
	bool reboot_fault_done;
	/* BootProgress as last sampled */
	char last_state[32];
	double sample_t;           /* simulated time of the sample */
	/* reboot */
	bool reboot_req;
	bool down;
	unsigned boots;
	pthread_t monitor;
	volatile bool stop;
};

/* bmc_tls.c: a self-signed certificate and its key (PEM, malloc'd). */
int bf_sim_bmc_tls_make(const char *cn, char **cert_pem, char **key_pem);

/* bmc_res.c: the answer to one request. *status is the HTTP status; the
 * JSON is returned (caller frees); *location non-empty for a 202 with a
 * task. Called with b->mu not held. */
json_object *bf_sim_bmc_handle(struct bf_sim_bmc *b, const char *method, const char *url,
			       const char *body, size_t len, unsigned *status, char *location, size_t loccap);
/* A Redfish error body. */
json_object *bf_sim_bmc_error(const char *id, const char *msg, const char *resolution);

/* bmc_update.c */
/* Start a SimpleUpdate (b->mu held). 0 and the task index, or an HTTP
 * status with *err set. */
int bf_sim_bmc_update_start(struct bf_sim_bmc *b, const char *uri, const char *proto, const char *target,
			    unsigned *task, json_object **err);
/* Device helpers, each taking h->lock. */
const char *bf_sim_bmc_phase_state(struct bf_sim_bmc *b);   /* OemLastState of the device now */
bool bf_sim_bmc_nic_mode(struct bf_sim_bmc *b);
void bf_sim_bmc_set_mode(struct bf_sim_bmc *b, bool nic);
int bf_sim_bmc_arm_reset(struct bf_sim_bmc *b);
/* The installed version of a component ("os", "nic_fw", "atf", "uefi",
 * "bmc_fw", "cec_fw", "bsp") into out ("" unknown). */
void bf_sim_bmc_version(struct bf_sim_bmc *b, const char *key, char *out, size_t cap);
double bf_sim_bmc_now(struct bf_sim_bmc *b);
void bf_sim_bmc_iso_time(char *out, size_t cap);
struct bmc_task *bf_sim_bmc_task_new(struct bf_sim_bmc *b);
struct bmc_task *bf_sim_bmc_task_find(struct bf_sim_bmc *b, unsigned id);

#endif
