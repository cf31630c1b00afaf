import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { policies, POLICY_PACK_NAME } from "../../policy/policies";
import { REPO } from "../support/scenarios";

const POLICY_DIR = path.join(REPO, "policy");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

describe("the policy pack package", () => {
    it("is named cluster-capacity-guardrails and its index only assembles the pack", () => {
        assert.strictEqual(POLICY_PACK_NAME, "cluster-capacity-guardrails");
        const index = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\(POLICY_PACK_NAME, \{ policies \}\)/);
        assert.ok(!/validateResource|validateStack/.test(index));
    });

    it("has one module and one mirrored spec per policy, with unique names", () => {
        const modules = fs.readdirSync(path.join(POLICY_DIR, "policies")).map((f) => f.replace(/\.ts$/, ""));
        assert.strictEqual(modules.length, policies.length);
        assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const module of modules) {
            assert.ok(fs.existsSync(path.join(REPO, "test", "policy", `${module}.spec.ts`)), `no spec for policy module ${module}`);
        }
    });

    it("keeps machineset-protected and pool-within-quota mandatory", () => {
        const level = (name: string) => policies.find((p) => p.name === name)?.enforcementLevel;
        assert.strictEqual(level("machineset-protected"), "mandatory");
        assert.strictEqual(level("pool-within-quota"), "mandatory");
    });

    it("is self-contained: no policy source imports anything outside policy/", () => {
        for (const file of sourceFiles(POLICY_DIR)) {
            for (const [, target] of fs.readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
                const resolved = path.resolve(path.dirname(file), target);
                assert.ok(resolved.startsWith(POLICY_DIR + path.sep), `${path.relative(REPO, file)} imports ${target}`);
            }
        }
    });

    it("declares the nodejs runtime and pins @pulumi/policy", () => {
        const project = YAML.parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        assert.strictEqual(project.runtime, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.match(pkg.dependencies["@pulumi/policy"], /^\d+\.\d+\.\d+$/);
        assert.ok(fs.existsSync(path.join(POLICY_DIR, "package-lock.json")));
    });
});
