/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pure parsers of the two documents an OCI hook needs: the container state
 * the runtime writes to the hook's stdin, and the bundle's config.json.
 * No I/O: the caller reads the files.
 */

#include <stdbool.h>
#include <stddef.h>

/* config.json annotation that turns the hook off for one container when set to "true". */
#define PV_OCI_ANNOTATION_DISABLE "io.procview.disable"

/*
 * Parses an OCI state document (runtime-spec "State"): json is len bytes, not
 * necessarily NUL-terminated. *ret_bundle receives the bundle directory
 * ("bundle", or "bundlePath" of runtimes older than spec 1.0), *ret_id the
 * container id ("" when absent), both newly allocated, free with g_free().
 * Returns 0, or -EINVAL when json is not an object or has no bundle; the
 * out-parameters are untouched on failure.
 */
int pv_oci_parse_state(const char *json, size_t len, char **ret_id, char **ret_bundle);

/*
 * Parses a bundle's config.json (len bytes). *ret_rootfs receives root.path
 * made absolute against bundle when it is relative (as the spec defines it),
 * newly allocated (g_free()); *ret_disabled is true when the annotation
 * PV_OCI_ANNOTATION_DISABLE is "true".
 * Returns 0, or -EINVAL when json is not an object, or root.path is missing
 * or empty; the out-parameters are untouched on failure.
 */
int pv_oci_parse_config(const char *json, size_t len, const char *bundle, char **ret_rootfs,
                        bool *ret_disabled);
