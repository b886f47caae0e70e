/* redfish.h - what bfctl reads from a BMC's Redfish answers (bf_redfish_*):
 * each parser takes a buffer and its length (hostile input: bounded,
 * copied into fixed fields, never used as a format) and fills a struct.
 * The resources and their meaning: doc/bmc.md. */
#ifndef BF_REDFISH_H
#define BF_REDFISH_H

#include <stdbool.h>
#include <stddef.h>

#define BF_REDFISH_MAX_BODY (1u << 20)   /* larger answers are refused */
#define BF_REDFISH_TEXT 256
#define BF_REDFISH_MAX_MEMBERS 64

/* A task (TaskService/Tasks/N). */
struct bf_redfish_task {
	char id[64];
	char state[32];              /* Running, Completed, Exception, ... */
	char status[32];             /* OK, Warning, Critical */
	int percent;                 /* -1: not given */
	char message_id[96];         /* of the last message */
	char message[BF_REDFISH_TEXT];
	char resolution[BF_REDFISH_TEXT];
	bool identical;              /* a message says "Component image is identical" */
};

/* The error of a failed request ({"error": ...}), or of the first
 * @Message.ExtendedInfo. */
struct bf_redfish_error {
	char message_id[96];
	char message[BF_REDFISH_TEXT];
	bool password_change;        /* PasswordChangeRequired */
	bool busy;                   /* "An update is in progress" */
};

struct bf_redfish_system {
	char oem_last_state[32];     /* BootProgress.OemLastState */
	char last_state[64];         /* BootProgress.LastState */
	char power_state[32];
};

struct bf_redfish_update_service {
	char state[32];              /* Status.State */
	char target[256];            /* SimpleUpdate's target URI */
	char protocols[8][16];       /* TransferProtocol@Redfish.AllowableValues */
	unsigned nprotocols;
};

struct bf_redfish_members {
	char id[BF_REDFISH_MAX_MEMBERS][256];   /* @odata.id of each member */
	unsigned n;
	unsigned total;              /* Members@odata.count, or n */
};

struct bf_redfish_inventory {
	char id[96];
	char name[128];
	char version[128];
	bool updateable;
};

/* Each returns 0, or -EBADMSG (not a JSON object, or too big) / -EPROTO
 * (a field the caller needs is missing) with a sentence. */
int bf_redfish_parse_task(const char *buf, size_t len, struct bf_redfish_task *t);
/* Never fails: an answer with no error in it leaves e empty. */
void bf_redfish_parse_error(const char *buf, size_t len, struct bf_redfish_error *e);
int bf_redfish_parse_system(const char *buf, size_t len, struct bf_redfish_system *s);
int bf_redfish_parse_update_service(const char *buf, size_t len, struct bf_redfish_update_service *u);
int bf_redfish_parse_members(const char *buf, size_t len, struct bf_redfish_members *m);
int bf_redfish_parse_inventory(const char *buf, size_t len, struct bf_redfish_inventory *v);
/* A string at a path of object keys ("Oem", "Nvidia", "Mode", NULL) into
 * out; -ENOENT when absent or not a string. */
int bf_redfish_get_string(const char *buf, size_t len, char *out, size_t cap, ...)
	__attribute__((sentinel));
/* A boolean at a path of keys; -ENOENT when absent or not a boolean. */
int bf_redfish_get_bool(const char *buf, size_t len, bool *out, ...) __attribute__((sentinel));

#endif
