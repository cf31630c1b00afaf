/** The one place that reads `pulumi.Config`: every `cluster-capacity:` key, once. */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, problem } from "../errors";
import { CONFIG_SCHEMA } from "./schema";
import type { CapacityConfig } from "./types";
import { parseConfig } from "./validate";

const STRING_KEYS = new Set(
    Object.entries(CONFIG_SCHEMA.properties)
        .filter(([, schema]) => "enum" in schema || ("type" in schema && schema.type === "string"))
        .map(([key]) => key),
);

/**
 * Raw values of the project's config keys from a flat `namespace:key` map, objects and arrays
 * parsed from their JSON form. Unknown `cluster-capacity:` keys are kept so validation names them.
 */
export function rawConfigFrom(all: Readonly<Record<string, string>>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const problems = [];
    for (const [fullKey, text] of Object.entries(all)) {
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        if (STRING_KEYS.has(key)) {
            raw[key] = text;
            continue;
        }
        try {
            raw[key] = JSON.parse(text);
        } catch {
            problems.push(problem([key], text, "a structured YAML value (object or list) in the stack file"));
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return raw;
}

/** Reads and validates the stack configuration; throws ConfigError (no stack trace) when it is bad. */
export function loadConfig(): CapacityConfig {
    const all = pulumi.runtime.allConfig();
    return parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] });
}
