import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { rawConfigFrom, runtimeConfig } from "../lib/config/load";
import { CONFIGURATION_REFERENCE_FILE, configKeys, configurationReferenceMarkdown } from "../lib/config/reference";
import { parseConfig } from "../lib/config/validate";
import { VERSION_TABLES, VERSIONS_FILE } from "../scripts/docs";
import { REPO } from "./support/scenarios";

const configKeyPaths = () => configKeys().map((key) => key.path);

const read = (file: string) => fs.readFileSync(path.join(REPO, file), "utf8");
const readme = read("README.md");

/** README.md and every Markdown file of docs/, as repository paths. */
function markdownFiles(): string[] {
    const docs = fs
        .readdirSync(path.join(REPO, "docs"))
        .filter((name) => name.endsWith(".md"))
        .map((name) => `docs/${name}`);
    return ["README.md", ...docs.sort()];
}

/** Markdown without its fenced code blocks and code spans: what is left can hold links. */
function prose(markdown: string): string {
    return markdown.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The anchors GitHub gives a Markdown file's headings (github-slugger: lower case, punctuation dropped, spaces to '-'). */
function anchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    const withoutCode = markdown.replace(/^[ \t]*(```|~~~)[^\n]*\n[\s\S]*?^[ \t]*\1[^\n]*$/gm, "");
    for (const [, heading] of withoutCode.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
        const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
        const base = text
            .toLowerCase()
            .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
            .replace(/ /g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        result.add(count === 0 ? base : `${base}-${count}`);
    }
    return result;
}

/** The keys docs/configuration.md documents, one `- **`key`**` entry each. */
function documentedKeys(): string[] {
    return [...read(CONFIGURATION_REFERENCE_FILE).matchAll(/^- \*\*`([^`]+)`\*\*/gm)].map((m) => m[1]);
}

describe("documentation", () => {
    describe("the configuration reference (docs/configuration.md)", () => {
        it("is what the config schema generates: run `npm run docs` after changing lib/config/schema.ts", () => {
            assert.ok(
                read(CONFIGURATION_REFERENCE_FILE) === configurationReferenceMarkdown(),
                `${CONFIGURATION_REFERENCE_FILE} is out of date with lib/config/schema.ts: run \`npm run docs\``,
            );
        });

        it("lists every key of the config schema", () => {
            const documented = new Set(documentedKeys());
            const missing = configKeyPaths().filter((key) => !documented.has(key));
            assert.deepStrictEqual(missing, [], `add these keys to ${CONFIGURATION_REFERENCE_FILE} (npm run docs): ${missing.join(", ")}`);
        });

        it("names no key the schema lacks", () => {
            const known = new Set(configKeyPaths());
            const stale = documentedKeys().filter((key) => !known.has(key));
            assert.deepStrictEqual(stale, [], `remove or fix these keys: ${stale.join(", ")}`);
        });

        it("has a meaning for every key: each schema key carries a description", () => {
            const keys = configKeys();
            assert.deepStrictEqual(
                keys.map((k) => k.path),
                configKeyPaths(),
            );
            const undescribed = keys.filter((k) => !k.node.description?.trim()).map((k) => k.path);
            assert.deepStrictEqual(undescribed, [], `give these keys a description in lib/config/schema.ts: ${undescribed.join(", ")}`);
            const requiredWithDefault = keys.filter((k) => k.required && k.node.defaultText).map((k) => k.path);
            assert.deepStrictEqual(requiredWithDefault, [], "a required key has no default");
        });

        it("is written in lists, one entry per key, not in a table that re-pads", () => {
            const reference = read(CONFIGURATION_REFERENCE_FILE);
            assert.doesNotMatch(reference, /^\|/m);
            assert.strictEqual(documentedKeys().length, configKeyPaths().length);
        });
    });

    const normalise = (table: string) =>
        table
            .trim()
            .split("\n")
            .map((line) =>
                line
                    .split("|")
                    .map((cell) => cell.trim().replace(/^-+$/, "---"))
                    .join("|"),
            );
    for (const [marker, generated] of Object.entries(VERSION_TABLES)) {
        it(`the ${marker} table of ${VERSIONS_FILE} is the one the program applies (npm run docs writes it)`, () => {
            const match = new RegExp(`<!-- ${marker}:start -->\\n([\\s\\S]*?)\\n<!-- ${marker}:end -->`).exec(read(VERSIONS_FILE));
            assert.ok(match, `${VERSIONS_FILE} has no table between the ${marker} markers`);
            assert.deepStrictEqual(normalise(match[1]), normalise(generated()), `${VERSIONS_FILE} is out of date: run \`npm run docs\``);
        });
    }

    it("the README is a front page: a few screens, with the reference in docs/", () => {
        const lines = readme.split("\n").length;
        assert.ok(lines <= 300, `README.md has ${lines} lines; move reference material to docs/`);
        assert.ok(readme.length <= 40_000, `README.md has ${readme.length} characters; move reference material to docs/`);
        assert.doesNotMatch(readme, /config-reference:start|version-matrix:start/);
        for (const section of ["What stops what", "Stacks", "Quick start"])
            assert.match(readme, new RegExp(`^## ${section}$`, "m"), section);
        assert.match(readme, /```mermaid\n/);
    });

    it("the README's stack-config example passes the program's config validation", () => {
        const block = /<!-- stack-example:start -->[\s\S]*?```yaml\n([\s\S]*?)```[\s\S]*?<!-- stack-example:end -->/.exec(readme);
        assert.ok(block, "README.md has no ```yaml block between the stack-example markers");
        const lines = block[1].trimEnd().split("\n").length;
        assert.ok(lines >= 10 && lines <= 20, `the example has ${lines} lines; keep it about 15`);
        const config = (YAML.parse(block[1]) as { config: Record<string, unknown> }).config;
        assert.ok(config["cluster-capacity:pools"], "the example has pools");
        const all = runtimeConfig(config);
        const parsed = parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] });
        assert.strictEqual(parsed.pools.length, 1);
        // What the README says it renders.
        assert.match(readme, new RegExp(`${parsed.cluster.infraId}-${parsed.pools[0].name}-${parsed.pools[0].zones[0]}`));
    });

    it("the quick start's commands exist as npm scripts, and .ci/run runs the README's test command", () => {
        const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
        assert.match(readme, /npm ci && npm run preview:dev/);
        assert.ok(scripts["preview:dev"] && scripts.test && scripts.bench && scripts.lint && scripts.docs);
        const ci = read(".ci/run");
        assert.match(ci, /^npm test\b/m);
        assert.match(ci, /^npm run test:e2e\b/m);
        assert.match(readme, /npm run test:all/);
        assert.strictEqual(scripts["test:all"], "npm test && npm run test:e2e");
    });

    it("every `npm run` command in the README and docs/ is a script of package.json", () => {
        const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
        const unknown = markdownFiles().flatMap((file) =>
            [...read(file).matchAll(/\bnpm run(?: +(?:-s|--silent))* +([A-Za-z0-9:_-]+)/g)]
                .map((m) => m[1])
                .filter((name) => !(name in scripts))
                .map((name) => `${file}: npm run ${name}`),
        );
        assert.deepStrictEqual(unknown, []);
    });

    it("every relative link in the README and docs/ points at a file that exists, and at a heading it has", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            for (const [, target] of prose(read(file)).matchAll(/\]\(([^)\s]+)(?: +"[^"]*")?\)/g)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
                const [linked, anchor] = target.split("#", 2);
                const resolved = linked ? path.posix.normalize(path.posix.join(path.posix.dirname(file), linked)) : file;
                if (resolved.startsWith("..") || !fs.existsSync(path.join(REPO, resolved))) {
                    broken.push(`${file}: ${target} (no ${resolved})`);
                } else if (anchor !== undefined) {
                    if (!resolved.endsWith(".md")) broken.push(`${file}: ${target} (an anchor into a file that is not Markdown)`);
                    else if (!anchors(read(resolved)).has(anchor))
                        broken.push(`${file}: ${target} (${resolved} has no heading #${anchor})`);
                }
            }
        }
        assert.deepStrictEqual(broken, []);
    });

    it("every repository path the README and docs/ name in code (`lib/…`, `scripts/…`, `test/…`) exists", () => {
        const roots = "lib|components|policy|scripts|test|tools|deploy|bench|docs|policy-config|\\.github|\\.ci";
        const missing = markdownFiles().flatMap((file) =>
            [...read(file).matchAll(/`([^`\n]+)`/g)]
                .map((m) => m[1])
                .filter((p) => new RegExp(`^(${roots})/[^\\s<>*]*$`).test(p))
                .filter((p) => !fs.existsSync(path.join(REPO, p)))
                .map((p) => `${file}: ${p}`),
        );
        assert.deepStrictEqual(missing, []);
    });

    it("finds the links and anchors it checks", () => {
        const links = [...prose(readme).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
        assert.ok(links.includes("docs/configuration.md") && links.includes("#what-stops-what"), links.join(" "));
        assert.ok(anchors("## GPU Operator (`gpuOperator.enabled`)\n## A\n## A\n").has("gpu-operator-gpuoperatorenabled"));
        assert.ok(anchors("## A\n## A\n").has("a-1"));
        assert.ok(anchors(read("docs/running.md")).has("npm-run-pulumi-one-way-to-run-the-engine"));
    });

    it("the runbook covers every day-2 procedure and the troubleshooting table", () => {
        const runbook = read("docs/runbook.md");
        const headings = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
        for (const procedure of [
            "Add a pool",
            "Scale a pool",
            "Enable autoscaling",
            "Raise a quota",
            "Retire a pool",
            "Upgrade the GPU Operator",
            "Enable Inferentia",
            "Troubleshooting",
        ]) {
            assert.ok(headings.includes(procedure), `runbook lacks "## ${procedure}"`);
        }
        for (const symptom of ["Provisioning", "Degraded", "GPU not detected", "Pending"]) {
            assert.match(runbook, new RegExp(symptom), symptom);
        }
    });
});

describe("config key paths", () => {
    it("walks objects, arrays and maps of the schema", () => {
        const paths = configKeyPaths();
        for (const key of [
            "cluster.infraId",
            "pools[].autoscaling.maxReplicas",
            "instanceTypes.<key>.vcpus",
            "kueue.namespaces[].localQueue",
        ]) {
            assert.ok(paths.includes(key), key);
        }
    });
});
