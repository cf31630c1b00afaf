/**
 * Upstream CRD schemas from `../shared/crds` (or `CRD_DIR`), those test/fixtures/upstream.json names,
 * turned into JSON Schemas that ajv checks the way the API server would: unknown fields are errors
 * unless `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string` accepts an integer or a
 * string, and `pattern`s (Go RE2) are translated to JavaScript with the same meaning. CEL rules are not
 * evaluated here; the e2e suite's API server runs them.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import * as YAML from "yaml";
import { re2ToJs } from "./re2";
import { REPO } from "./scenarios";

import { readManifest } from "../../scripts/fetch-shared";
import { crdDirectoryPath, sharedCrdFiles } from "./shared";

export function crdDirectory(): string {
    const dir = crdDirectoryPath();
    if (!fs.existsSync(dir)) {
        throw new Error(
            `CRD directory ${dir} not found: clone the shared material beside this repository (../shared/crds), fetch it with npm run fetch-shared and set the SHARED_DIR it prints, or set CRD_DIR to a folder of the upstream CRD files test/fixtures/upstream.json names.`,
        );
    }
    return dir;
}

/** CRDs the program renders that ../shared/crds lacks (test/fixtures/upstream.json, `fixtures`). */
export const FIXTURE_CRD_DIR = path.join(REPO, "test", "fixtures", "crds");

/**
 * Every CRD file: the shared ones test/fixtures/upstream.json names (from the CRD folder, which
 * test/support/shared.ts checks blob by blob), then the project's fixtures for kinds they lack.
 */
export function crdFiles(): string[] {
    crdDirectory(); // the clear message when the folder is missing
    const fixtures = readManifest()
        .fixtures.map((e) => path.join(REPO, e.file))
        .filter((file) => path.dirname(file) === FIXTURE_CRD_DIR);
    return [...sharedCrdFiles(), ...fixtures];
}

export type K8sSchema = Record<string, unknown>;
type JsonSchema = Record<string, unknown>;

const COPIED = [
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
];

export function toJsonSchema(s: K8sSchema): JsonSchema {
    if (s["x-kubernetes-int-or-string"]) {
        return { anyOf: [{ type: "integer" }, { type: "string" }] };
    }
    const out: JsonSchema = {};
    if (typeof s.type === "string") out.type = s.nullable ? [s.type, "null"] : s.type;
    for (const key of COPIED) if (key in s) out[key] = s[key];
    if (typeof s.pattern === "string") out.pattern = re2ToJs(s.pattern);
    const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
    if (s.properties) {
        out.properties = Object.fromEntries(
            Object.entries(s.properties as Record<string, K8sSchema>).map(([k, v]) => [k, toJsonSchema(v)]),
        );
    }
    if (typeof s.additionalProperties === "object") {
        out.additionalProperties = toJsonSchema(s.additionalProperties as K8sSchema);
    } else if (typeof s.additionalProperties === "boolean") {
        out.additionalProperties = s.additionalProperties;
    } else if (s.properties && !preserve) {
        out.additionalProperties = false;
    }
    if (s.items) out.items = toJsonSchema(s.items as K8sSchema);
    for (const key of ["allOf", "anyOf", "oneOf"]) {
        if (Array.isArray(s[key])) out[key] = (s[key] as K8sSchema[]).map(toJsonSchema);
    }
    return out;
}

export interface CrdIndex {
    /** Validator for `apiVersion` + `kind`, or undefined when no CRD defines it. */
    validator(apiVersion: string, kind: string): ValidateFunction | undefined;
    /** The CRD's own schema of `apiVersion` + `kind` (descriptions and CEL rules included). */
    schema(apiVersion: string, kind: string): K8sSchema | undefined;
    kinds: string[];
}

/**
 * The paths of `value` whose schema node satisfies `marked`, e.g. `spec.cdi.default` for a field the
 * CRD describes as deprecated. Follows properties, additionalProperties and items.
 */
export function markedFields(value: unknown, schema: K8sSchema, marked: (node: K8sSchema) => boolean, at = ""): string[] {
    const here = at && marked(schema) ? [at] : [];
    if (Array.isArray(value) && schema.items) {
        return [...here, ...value.flatMap((item, i) => markedFields(item, schema.items as K8sSchema, marked, `${at}[${i}]`))];
    }
    if (typeof value !== "object" || value === null) return here;
    const properties = (schema.properties ?? {}) as Record<string, K8sSchema>;
    const extra = typeof schema.additionalProperties === "object" ? (schema.additionalProperties as K8sSchema) : undefined;
    return [
        ...here,
        ...Object.entries(value).flatMap(([key, child]) => {
            const node = properties[key] ?? extra;
            return node ? markedFields(child, node, marked, at ? `${at}.${key}` : key) : [];
        }),
    ];
}

/** Every field path the schema declares whose node satisfies `marked`, values or not. */
export function declaredFields(schema: K8sSchema, marked: (node: K8sSchema) => boolean, at = ""): string[] {
    const here = at && marked(schema) ? [at] : [];
    const properties = Object.entries((schema.properties ?? {}) as Record<string, K8sSchema>);
    return [
        ...here,
        ...properties.flatMap(([key, node]) => declaredFields(node, marked, at ? `${at}.${key}` : key)),
        ...(schema.items ? declaredFields(schema.items as K8sSchema, marked, `${at}[]`) : []),
    ];
}

export function loadCrds(files = crdFiles()): CrdIndex {
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, unicodeRegExp: false });
    const validators = new Map<string, ValidateFunction>();
    const schemas = new Map<string, K8sSchema>();
    for (const file of files) {
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            const crd = doc.toJSON() as {
                kind?: string;
                spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: K8sSchema } }[] };
            };
            if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
            for (const version of crd.spec.versions) {
                if (!version.schema) continue;
                const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
                validators.set(key, ajv.compile(toJsonSchema(version.schema.openAPIV3Schema)));
                schemas.set(key, version.schema.openAPIV3Schema);
            }
        }
    }
    return {
        validator: (apiVersion, kind) => validators.get(`${apiVersion}/${kind}`),
        schema: (apiVersion, kind) => schemas.get(`${apiVersion}/${kind}`),
        kinds: [...validators.keys()],
    };
}
