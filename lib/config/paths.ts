/** Every key path of the config schema (`pools[].autoscaling.maxReplicas`, `quotas` …), for the documentation check. */
import { CONFIG_SCHEMA } from "./schema";

interface SchemaNode {
    properties?: Record<string, SchemaNode>;
    items?: SchemaNode;
    additionalProperties?: SchemaNode | boolean;
}

export function configKeyPaths(schema: SchemaNode = CONFIG_SCHEMA as SchemaNode, prefix = ""): string[] {
    const paths: string[] = [];
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
        const path = prefix ? `${prefix}.${key}` : key;
        paths.push(path, ...configKeyPaths(child, path));
    }
    if (schema.items) paths.push(...configKeyPaths(schema.items, `${prefix}[]`));
    if (typeof schema.additionalProperties === "object") paths.push(...configKeyPaths(schema.additionalProperties, `${prefix}.<key>`));
    return paths;
}
