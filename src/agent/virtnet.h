/* virtnet.h - virtio-net devices through the controller's documented
 * command line, `virtnet` (list, hotplug, unplug), and its JSON answers
 * (bf_agent_virtnet_*). The program is run directly (no shell) with a
 * bounded time and a bounded answer. */
#ifndef BF_AGENT_VIRTNET_H
#define BF_AGENT_VIRTNET_H

#include <stddef.h>

#include "model.h"

#define BF_VIRTNET_MAX_OUTPUT (1u << 20)
#define BF_VIRTNET_TIMEOUT_S 30

/* Fill o->vdevs from `virtnet list` (have_virtio set). */
int bf_agent_virtnet_list(const char *prog, struct bf_agent_obs *o);
/* Hot-plug one device; 0 or -errno with the controller's sentence. */
int bf_agent_virtnet_hotplug(const char *prog, const char *ib_device, const struct bf_profile_virtio *v);
int bf_agent_virtnet_unplug(const char *prog, const char *vuid);

/* Parse a `virtnet list` answer (fuzzable): leading non-JSON lines (an
 * argument echo) are skipped. */
int bf_agent_virtnet_parse_list(const char *buf, size_t len, struct bf_agent_obs *o);

#endif
