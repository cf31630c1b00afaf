/** The one place that reads `pulumi.Config`: every `cluster-capacity:` key, once. */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, hide, problem } from "../errors";
import { CONFIG_SCHEMA } from "./schema";
import type { CapacityConfig } from "./types";
import { parseConfig } from "./validate";

const STRING_KEYS = new Set(
    Object.entries(CONFIG_SCHEMA.properties)
        .filter(([, schema]) => "enum" in schema || ("type" in schema && schema.type === "string"))
        .map(([key]) => key),
);

/** Flattens stack-file config (`namespace:key` → YAML value) into the string map the Pulumi runtime hands a program. */
export function runtimeConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

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

/**
 * Whether a config key was set with `--secret`. The runtime knows (it masks such values in its own
 * output) but does not declare the function in its typings.
 */
function isSecret(fullKey: string): boolean {
    return (pulumi.runtime as unknown as { isConfigSecret?(key: string): boolean }).isConfigSecret?.(fullKey) ?? false;
}

/** Reads and validates the stack configuration; throws ConfigError (no stack trace) when it is bad. */
export function loadConfig(): CapacityConfig {
    const all = pulumi.runtime.allConfig();
    try {
        return parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] });
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        // A secret key's value must not reach the message, where Pulumi's masking no longer recognises it.
        const secret = (path: string) =>
            Object.keys(all).some((key) => isSecret(key) && (path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`)));
        throw new ConfigError(
            error.problems.map((p) => (secret(p.path) ? { ...p, value: hide(p.value) } : p)),
            error.heading,
            error.outcome,
        );
    }
}
