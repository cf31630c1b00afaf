import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { configKeyPaths } from "../lib/config/paths";
import { gpuOperatorLinesMarkdown, versionMatrixMarkdown } from "../lib/versionMatrix";
import { REPO } from "./support/scenarios";

const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");

function documentedKeys(): string[] {
    const match = /<!-- config-reference:start -->([\s\S]*?)<!-- config-reference:end -->/.exec(readme);
    assert.ok(match, "README.md has no configuration reference between the config-reference markers");
    return match[1]
        .split("\n")
        .map((line) => /^\|\s*`([^`]+)`\s*\|/.exec(line)?.[1])
        .filter((key): key is string => key !== undefined);
}

describe("documentation", () => {
    it("the README's configuration reference lists every key of the config schema", () => {
        const documented = new Set(documentedKeys());
        const missing = configKeyPaths().filter((key) => !documented.has(key));
        assert.deepStrictEqual(missing, [], `add these keys to the README's configuration reference: ${missing.join(", ")}`);
    });

    it("the README's configuration reference names no key the schema lacks", () => {
        const known = new Set(configKeyPaths());
        const stale = documentedKeys().filter((key) => !known.has(key));
        assert.deepStrictEqual(stale, [], `remove or fix these keys: ${stale.join(", ")}`);
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
    for (const [marker, what, generated] of [
        ["version-matrix", "version matrix", versionMatrixMarkdown],
        ["gpu-operator-lines", "GPU Operator lines' fields", gpuOperatorLinesMarkdown],
    ] as const) {
        it(`the README's ${what} is the one the program applies`, () => {
            const match = new RegExp(`<!-- ${marker}:start -->\\n([\\s\\S]*?)\\n<!-- ${marker}:end -->`).exec(readme);
            assert.ok(match, `README.md has no ${what} between the ${marker} markers`);
            assert.deepStrictEqual(normalise(match[1]), normalise(generated()));
        });
    }

    it("the quick start's commands exist as npm scripts, and .ci/run runs the README's test command", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        assert.match(readme, /npm ci && npm run preview:dev/);
        assert.ok(scripts["preview:dev"] && scripts.test && scripts.bench && scripts.lint);
        const ci = fs.readFileSync(path.join(REPO, ".ci", "run"), "utf8");
        assert.match(ci, /^npm test\b/m);
        assert.match(ci, /^npm run test:e2e\b/m);
        assert.match(readme, /npm run test:all/);
        assert.strictEqual(scripts["test:all"], "npm test && npm run test:e2e");
    });

    it("the runbook covers every day-2 procedure and the troubleshooting table", () => {
        const runbook = fs.readFileSync(path.join(REPO, "docs", "runbook.md"), "utf8");
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
