/**
 * The configuration reference (docs/configuration.md), generated from the config schema: every key
 * path of the schema, in schema order, one heading per top-level key, with the key's type
 * (from its validation keywords), its default and its meaning (the schema's `defaultText` and
 * `description`). `npm run docs` writes it; test/docs.spec.ts keeps the file equal to this output.
 */
import { CONFIG_NAMESPACE } from "../errors";
import { CONFIG_SCHEMA } from "./schema";

export const CONFIGURATION_REFERENCE_FILE = "docs/configuration.md";

interface SchemaNode {
    type?: string | readonly string[];
    enum?: readonly unknown[];
    properties?: Readonly<Record<string, SchemaNode>>;
    required?: readonly string[];
    items?: SchemaNode;
    additionalProperties?: SchemaNode | boolean;
    propertyNames?: SchemaNode;
    pattern?: string;
    minLength?: number;
    maxLength?: number;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    minItems?: number;
    minProperties?: number;
    uniqueItems?: boolean;
    allowed?: string;
    description?: string;
    defaultText?: string;
}

/** One documented key: its path, schema node and whether its object requires it. */
export interface ConfigKey {
    path: string;
    node: SchemaNode;
    required: boolean;
}

/** Every key of the schema with its node, in schema order: `pools[].autoscaling.maxReplicas`, `quotas.<key>` … */
export function configKeys(schema: SchemaNode = CONFIG_SCHEMA, prefix = ""): ConfigKey[] {
    const keys: ConfigKey[] = [];
    for (const [key, node] of Object.entries(schema.properties ?? {})) {
        const path = prefix ? `${prefix}.${key}` : key;
        keys.push({ path, node, required: (schema.required ?? []).includes(key) }, ...configKeys(node, path));
    }
    if (schema.items) keys.push(...configKeys(schema.items, `${prefix}[]`));
    if (typeof schema.additionalProperties === "object") keys.push(...configKeys(schema.additionalProperties, `${prefix}.<key>`));
    return keys;
}

const code = (value: unknown) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;

function range(node: SchemaNode): string {
    if (node.minimum !== undefined && node.maximum !== undefined) return `from ${node.minimum} to ${node.maximum}`;
    const low = node.exclusiveMinimum !== undefined ? `> ${node.exclusiveMinimum}` : node.minimum !== undefined ? `≥ ${node.minimum}` : "";
    const high = node.maximum !== undefined ? `≤ ${node.maximum}` : "";
    return [low, high].filter(Boolean).join(" and ");
}

/** A string's constraint in words: the schema's `allowed`, else its pattern. */
function stringText(node: SchemaNode): string {
    if (node.allowed) return `string (${node.allowed})`;
    if (node.pattern) return `string matching ${code(node.pattern)}`;
    return node.minLength ? "non-empty string" : "string";
}

/** The type of a schema node in words, from its validation keywords. */
export function typeText(node: SchemaNode): string {
    if (node.enum) return `one of ${node.enum.map(code).join(", ")}`;
    const types = node.type === undefined ? [] : typeof node.type === "string" ? [node.type] : [...node.type];
    const notes = (...all: string[]) => (all.some(Boolean) ? `; ${all.filter(Boolean).join(", ")}` : "");
    if (types.length === 1 && types[0] === "array") {
        const item = node.items ? typeText(node.items) : "anything";
        return `list of ${item}${notes(node.minItems ? `at least ${node.minItems}` : "", node.uniqueItems ? "no duplicates" : "")}`;
    }
    if (types.length === 1 && types[0] === "object") {
        const value = node.additionalProperties;
        if (typeof value !== "object") return node.properties ? "object (keys below)" : "object (any fields)";
        const key = node.propertyNames ? `key ${stringText(node.propertyNames).replace(/^string /, "")}` : "any key";
        const more = node.properties ? "besides the keys below" : "";
        return `map: ${key} → ${typeText(value)}${notes(node.minProperties ? `at least ${node.minProperties} entry` : "", more)}`;
    }
    if (types.length === 1 && types[0] === "string") return stringText(node);
    if (types.length === 1 && types[0] === "boolean") return "boolean";
    const bounds = types.includes("string") ? "" : range(node);
    const words = types.join(" or ") + (bounds ? ` ${bounds}` : "");
    return node.allowed ? `${words} (${node.allowed})` : words;
}

/** The Markdown of one key: its path and meaning, then its type and default. */
function keyMarkdown(key: ConfigKey, sharedWith: string | undefined): string[] {
    const description = sharedWith ? `as ${code(sharedWith)}` : key.node.description;
    if (!description)
        throw new Error(`lib/config/schema.ts: ${key.path} has no description; every key needs one for ${CONFIGURATION_REFERENCE_FILE}`);
    if (key.required && key.node.defaultText) throw new Error(`lib/config/schema.ts: ${key.path} is required, so it has no defaultText`);
    const lines = [`- **${code(key.path)}**: ${description}`, `    - type: ${typeText(key.node)}`];
    if (key.required) lines.push("    - required");
    else if (key.node.defaultText && !sharedWith) lines.push(`    - default: ${key.node.defaultText}`);
    return lines;
}

/** docs/configuration.md, byte for byte. */
export function configurationReferenceMarkdown(): string {
    const keys = configKeys();
    const groups = Object.keys(CONFIG_SCHEMA.properties);
    // A node several keys share (a pool's `ami` is the stack's `ami` query) is described at its first key.
    const firstPath = new Map<SchemaNode, string>();
    const sections = groups.map((group) => {
        const lines = [`## ${code(group)}`, ""];
        for (const key of keys.filter((k) => k.path === group || k.path.startsWith(`${group}.`) || k.path.startsWith(`${group}[]`))) {
            const shared = firstPath.get(key.node);
            if (!shared) firstPath.set(key.node, key.path);
            lines.push(...keyMarkdown(key, shared));
        }
        return lines.join("\n");
    });
    const contents = groups.map((group) => `[${code(group)}](#${group.toLowerCase()})`).join(" · ");
    return [
        "# Configuration reference",
        "",
        "<!-- Generated from lib/config/schema.ts by `npm run docs`: edit the schema's description and defaultText, not this file. -->",
        "",
        `Every key is in the namespace \`${CONFIG_NAMESPACE}:\` of a stack file (\`Pulumi.<stack>.yaml\`), is declared in`,
        "`Pulumi.yaml` (top level) and is checked against one JSON Schema (`lib/config/schema.ts`). This page is generated",
        "from that schema (`npm run docs`): the type of each key comes from its validation keywords, its meaning and default",
        "from the schema's annotations, and a test fails when the page and the schema differ. Only `cluster` is required.",
        "A bad value stops the program before anything is registered, with one message that names every bad key path, the",
        "value and what is allowed:",
        "",
        "```",
        "cluster-capacity: invalid stack configuration; nothing was registered. 2 problem(s):",
        "  - cluster-capacity:pools[1].autoscaling.maxReplicas: got 2; expected a number >= minReplicas (3)",
        '  - cluster-capacity:pools[0].zones[1]: got "us-west-2a"; expected an availability zone of us-east-2, such as us-east-2a',
        "```",
        "",
        `Key paths: \`a.b\` is key \`b\` of object \`a\`, \`a[]\` an entry of list \`a\`, \`a.<key>\` any key of map \`a\`.`,
        "",
        contents,
        "",
        ...sections.flatMap((section) => [section, ""]),
    ].join("\n");
}
