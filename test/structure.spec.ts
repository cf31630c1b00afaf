import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as contract from "../policy/lib/contract";
import { REPO, SCENARIOS } from "./support/scenarios";
import { runProgram } from "./support/harness";

/** The program's and the pack's sources: everything but tests, tools and dependencies. */
function sources(): string[] {
    const roots = ["index.ts", "lib", "components", "policy", "deploy", "scripts"];
    const walk = (entry: string): string[] => {
        const full = path.join(REPO, entry);
        if (!fs.existsSync(full)) return [];
        if (fs.statSync(full).isFile()) return entry.endsWith(".ts") && !entry.endsWith(".d.ts") ? [entry] : [];
        return fs
            .readdirSync(full)
            .filter((name) => !["node_modules", "bin"].includes(name) && !name.endsWith(".spec.ts"))
            .flatMap((name) => walk(path.join(entry, name)));
    };
    return roots.flatMap(walk);
}

/** Source text without comments, so that a comment may name what code must import. */
function code(file: string): string {
    return fs
        .readFileSync(path.join(REPO, file), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const CONTRACT = path.join("policy", "lib", "contract.ts");

describe("one vocabulary: policy/lib/contract.ts", () => {
    it("imports nothing, so the policy pack that imports it stays self-contained", () => {
        assert.doesNotMatch(fs.readFileSync(path.join(REPO, CONTRACT), "utf8"), /^\s*import\b/m);
    });

    it("is the only place that spells out a label, resource name, API version or type token it defines", () => {
        const values = Object.values(contract)
            .flatMap((value) => (Array.isArray(value) ? value : [value]))
            .filter((value): value is string => typeof value === "string" && /[./:]/.test(value));
        assert.ok(values.includes("nvidia.com/gpu") && values.includes("cluster-capacity.io/pool"));
        const found = sources()
            .filter((file) => file !== CONTRACT)
            .flatMap((file) => {
                const text = code(file);
                return values.filter((value) => text.includes(`"${value}"`) || text.includes(`\`${value}\``)).map((v) => `${file}: "${v}"`);
            });
        assert.deepStrictEqual(found, []);
    });

    it("is the only place that names an EC2 quota code", () => {
        const found = sources()
            .filter((file) => file !== CONTRACT)
            .flatMap((file) => (code(file).match(/["'`]L-[0-9A-F]{8}["'`]/g) ?? []).map((c) => `${file}: ${c}`));
        assert.deepStrictEqual(found, []);
        assert.strictEqual(contract.quotaFor("p5.48xlarge", "spot")?.code, "L-7212CCBC");
    });

    it("is the only module that declares the shared types", () => {
        const shared = [
            "Taint",
            "Toleration",
            "TaintEffect",
            "Accelerator",
            "KubernetesObject",
            "LookupMode",
            "KueueApiVersion",
            "Market",
            "QuotaRef",
        ];
        const declared = sources()
            .filter((file) => file !== CONTRACT)
            .flatMap((file) => {
                const text = code(file);
                return shared
                    .filter((name) => new RegExp(`^export (interface|type) ${name}\\b`, "m").test(text))
                    .map((name) => `${file}: ${name}`);
            });
        assert.deepStrictEqual(declared, []);
    });

    it("is imported by the program and by the pack", () => {
        const importers = sources().filter((file) => /from "(\.\.?\/)+(policy\/)?lib\/contract"|from "\.\/contract"/.test(code(file)));
        assert.ok(importers.some((file) => file.startsWith("policy/policies/")));
        assert.ok(importers.some((file) => file.startsWith("components/")));
        assert.ok(importers.some((file) => file.startsWith("lib/")));
    });
});

/** The program's own imports: each source file and the source files it imports (relative specifiers only). */
function importGraph(): Map<string, string[]> {
    const files = new Set(sources());
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const specifiers = [...code(file).matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']*)["']/g)].map((m) => m[1]);
        const targets = specifiers.flatMap((specifier) => {
            const target = path.join(path.dirname(file), specifier);
            return [`${target}.ts`, path.join(target, "index.ts"), target].filter((candidate) => files.has(candidate)).slice(0, 1);
        });
        graph.set(file, targets);
    }
    return graph;
}

/** The stage of the pipeline a program file belongs to; shared vocabulary (lib/*.ts, the pack's lib) has none. */
const STAGES = ["config", "lookups", "plan", "components", "report"] as const;
function stageOf(file: string): number | undefined {
    if (file === "index.ts") return STAGES.length;
    const [top, folder] = file.split(path.sep);
    const stage = top === "components" ? "components" : top === "lib" && file.split(path.sep).length > 2 ? folder : undefined;
    const index = STAGES.indexOf(stage as (typeof STAGES)[number]);
    return index < 0 ? undefined : index;
}

describe("the pipeline: config → lookups → plan → components → report", () => {
    it("imports only from its own stage or an earlier one", () => {
        const upward = [...importGraph()].flatMap(([file, targets]) =>
            targets.filter((target) => (stageOf(target) ?? -1) > (stageOf(file) ?? STAGES.length)).map((target) => `${file} -> ${target}`),
        );
        assert.deepStrictEqual(upward, []);
    });

    it("has no import cycle", () => {
        const graph = importGraph();
        const cycles: string[] = [];
        const state = new Map<string, "open" | "done">();
        const visit = (file: string, trail: string[]) => {
            if (state.get(file) === "done") return;
            if (state.get(file) === "open") {
                cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
                return;
            }
            state.set(file, "open");
            for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
            state.set(file, "done");
        };
        for (const file of graph.keys()) visit(file, []);
        assert.deepStrictEqual(cycles, []);
    });

    it("puts each product folder's spec files in the same folder under test/", () => {
        for (const folder of ["lib/config", "lib/lookups", "lib/plan", "lib/report"]) {
            const mirror = path.join(REPO, "test", path.basename(folder));
            assert.ok(
                fs.existsSync(mirror) && fs.readdirSync(mirror).some((f) => f.endsWith(".spec.ts")),
                `test/${path.basename(folder)} has specs`,
            );
        }
    });
});

describe("components hand the stack's Kubernetes provider to their children", () => {
    for (const [what, config, aws] of SCENARIOS) {
        it(`sends every Kubernetes object of ${what} through the stack's provider, none through the ambient kubeconfig`, async () => {
            const run = await runProgram(config, aws);
            assert.ifError(run.error);
            const strays = run.resources
                .filter((r) => r.custom && r.type.startsWith("kubernetes:"))
                .filter((r) => !/::pulumi:providers:kubernetes::cluster-capacity::/.test(r.provider))
                .map((r) => `${r.type} ${r.name}: ${r.provider}`);
            assert.deepStrictEqual(strays, []);
        });
    }
});
