/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-state.h"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

/* Parses json into a root object; returns NULL when it is not a JSON object. */
static JsonParser *parse_object(const char *json, size_t len, JsonObject **ret_obj)
{
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        JsonNode *root;

        if (!json_parser_load_from_data(parser, json, (gssize)len, NULL))
                return NULL;
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return NULL;
        *ret_obj = json_node_get_object(root);
        return g_steal_pointer(&parser);
}

/* The string member name of obj, or NULL when absent or not a string. */
static const char *get_string(JsonObject *obj, const char *name)
{
        JsonNode *node = json_object_get_member(obj, name);

        if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
            json_node_get_value_type(node) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(node);
}

int pv_oci_parse_state(const char *json, size_t len, char **ret_id, char **ret_bundle)
{
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *obj = NULL;
        const char *bundle, *id;

        parser = parse_object(json, len, &obj);
        if (!parser)
                return -EINVAL;

        bundle = get_string(obj, "bundle");
        if (!bundle)
                bundle = get_string(obj, "bundlePath");
        if (!bundle || !*bundle)
                return -EINVAL;
        id = get_string(obj, "id");

        *ret_id = g_strdup(id ? id : "");
        *ret_bundle = g_strdup(bundle);
        return 0;
}

int pv_oci_parse_config(const char *json, size_t len, const char *bundle, char **ret_rootfs,
                        bool *ret_disabled)
{
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *obj = NULL, *root, *annotations;
        const char *path, *disable = NULL;
        JsonNode *node;

        parser = parse_object(json, len, &obj);
        if (!parser)
                return -EINVAL;

        node = json_object_get_member(obj, "root");
        if (!node || !JSON_NODE_HOLDS_OBJECT(node))
                return -EINVAL;
        root = json_node_get_object(node);
        path = get_string(root, "path");
        if (!path || !*path)
                return -EINVAL;

        node = json_object_get_member(obj, "annotations");
        if (node && JSON_NODE_HOLDS_OBJECT(node)) {
                annotations = json_node_get_object(node);
                disable = get_string(annotations, PV_OCI_ANNOTATION_DISABLE);
        }

        /* runtime-spec config.md: root.path is relative to the bundle unless absolute. */
        *ret_rootfs =
            g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(bundle, path, NULL);
        *ret_disabled = disable && strcmp(disable, "true") == 0;
        return 0;
}
