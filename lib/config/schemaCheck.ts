/**
 * The first layer of config validation: the JSON schema (lib/config/schema.ts) decides the types
 * and shapes of the raw values, and each violation becomes a problem naming its key path.
 */
import Ajv, { ErrorObject } from "ajv";
import { ConfigProblem, PathSegment, problem } from "../errors";
import { CONFIG_SCHEMA } from "./schema";

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
// Annotations for messages and docs (schema.ts), not validation: ajv in strict mode must know them.
ajv.addKeyword("allowed");
ajv.addKeyword("defaultText");
const validateSchema = ajv.compile(CONFIG_SCHEMA);

function segmentsOf(instancePath: string): PathSegment[] {
    if (!instancePath) return [];
    return instancePath
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeAjvError(error: ErrorObject): ConfigProblem | undefined {
    const segments = segmentsOf(error.instancePath);
    const schema = (error.parentSchema ?? {}) as { allowed?: string; properties?: Record<string, unknown> };
    const params = error.params as Record<string, unknown>;
    if (error.propertyName !== undefined) {
        return problem(
            [...segments, error.propertyName],
            error.propertyName,
            `a key that is ${schema.allowed ?? `matching ${String(params.pattern)}`}`,
        );
    }
    switch (error.keyword) {
        case "propertyNames":
            return undefined; // reported by the inner error, which names the key
        case "additionalProperties": {
            const key = String(params.additionalProperty);
            const allowed = Object.keys(schema.properties ?? {}).join(", ");
            return problem(
                [...segments, key],
                (error.data as Record<string, unknown>)[key],
                `no such key (a typo?); known keys: ${allowed}`,
            );
        }
        case "required":
            return problem([...segments, String(params.missingProperty)], undefined, "a value: this key is required");
        case "enum":
            return problem(segments, error.data, `one of ${(params.allowedValues as unknown[]).map(String).join(", ")}`);
        case "type":
            return problem(segments, error.data, `a value of type ${String(params.type)}`);
        case "pattern":
            return problem(segments, error.data, schema.allowed ?? `a string matching ${String(params.pattern)}`);
        case "minimum":
        case "maximum":
            return problem(segments, error.data, `a number ${String(params.comparison)} ${String(params.limit)}`);
        case "minItems":
            return problem(segments, error.data, `at least ${String(params.limit)} item(s)`);
        case "uniqueItems":
            return problem(segments, error.data, `no duplicates (items ${String(params.j)} and ${String(params.i)} are equal)`);
        case "minLength":
            return problem(segments, error.data, `at least ${String(params.limit)} character(s)`);
        case "maxLength":
            return problem(segments, error.data, schema.allowed ?? `at most ${String(params.limit)} characters`);
        default:
            return problem(segments, error.data, error.message ?? "a valid value");
    }
}

export function schemaProblems(raw: unknown): ConfigProblem[] {
    if (validateSchema(raw)) return [];
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const error of validateSchema.errors ?? []) {
        const p = describeAjvError(error);
        const key = p && `${p.path}|${p.expected}`;
        if (p && key && !seen.has(key)) {
            seen.add(key);
            problems.push(p);
        }
    }
    return problems;
}
