/* obs.c - lookups in what the agent observed on the DPU (bf_agent_obs_*). */
#include "config.h"
#include "model.h"

#include <string.h>

const struct bf_agent_obs_bridge *bf_agent_obs_bridge(const struct bf_agent_obs *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nbridges; i++)
		if (!strcmp(o->bridges[i].name, name))
			return &o->bridges[i];
	return NULL;
}

const struct bf_agent_obs_bridge *bf_agent_obs_bridge_of(const struct bf_agent_obs *o, const char *port)
{
	size_t i, j;

	for (i = 0; i < o->nbridges; i++)
		for (j = 0; j < o->bridges[i].nports; j++)
			if (!strcmp(o->bridges[i].ports[j], port))
				return &o->bridges[i];
	return NULL;
}

const struct bf_agent_dev *bf_agent_obs_dev(const struct bf_agent_obs *o, const char *handle)
{
	size_t i;

	for (i = 0; i < o->ndevs; i++)
		if (!strcmp(o->devs[i].handle, handle))
			return &o->devs[i];
	return NULL;
}

const struct bf_agent_vdev *bf_agent_obs_vdev(const struct bf_agent_obs *o, const char *mac)
{
	size_t i;

	for (i = 0; i < o->nvdevs; i++)
		if (!strcmp(o->vdevs[i].mac, mac))
			return &o->vdevs[i];
	return NULL;
}

const struct bf_agent_sfport *bf_agent_obs_sfport(const struct bf_agent_obs *o, const char *handle, unsigned sfnum)
{
	size_t i;

	for (i = 0; i < o->nsfports; i++)
		if (o->sfports[i].sfnum == sfnum && !strcmp(o->sfports[i].handle, handle))
			return &o->sfports[i];
	return NULL;
}
