/* yamlnode.h - reading a libyaml document tree (bf_yaml_*): shared by the
 * data-file loaders (bfcfg/keys.yaml, firmware/params.yaml). */
#ifndef BF_YAMLNODE_H
#define BF_YAMLNODE_H

#include <yaml.h>

/* The text of a scalar node; NULL for anything else (or NULL). */
const char *bf_yaml_scalar(yaml_node_t *n);
/* The value of key in a mapping node; NULL when absent or not a mapping. */
yaml_node_t *bf_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key);

#endif
