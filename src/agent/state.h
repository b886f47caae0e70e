/* state.h - the agent's record of what it created (bf_agent_state_*): a
 * small JSON file, /var/lib/bfagent/state.json by default, replaced
 * atomically (a new file made with O_EXCL|O_NOFOLLOW, mode 0600, then
 * renamed over the old one). */
#ifndef BF_AGENT_STATE_H
#define BF_AGENT_STATE_H

#include <stddef.h>

#include "model.h"

#define BF_AGENT_STATE_DEFAULT "/var/lib/bfagent/state.json"
#define BF_AGENT_STATE_MAX (1u << 20)

/* Load path into rec (empty when the file does not exist). 0 or -errno
 * with a sentence (a damaged file is an error: it is not overwritten). */
int bf_agent_state_load(const char *path, struct bf_agent_record *rec);
/* Parse a state file's text (fuzzable). */
int bf_agent_state_parse(const char *buf, size_t len, struct bf_agent_record *rec);
/* Write rec to path atomically. 0 or -errno with a sentence. */
int bf_agent_state_save(const char *path, const struct bf_agent_record *rec, const char *profile);

#endif
