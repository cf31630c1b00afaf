import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ProgramRun, runProgram } from "./support/harness";
import { gpuPool, offlineStack, REPO } from "./support/scenarios";
import { poolMachineSets, StackExport } from "../lib/poolResources";

/** What `pulumi stack export` holds for a run: every resource with its URN, type, parent, protect and inputs. */
function stackExport(run: ProgramRun): StackExport {
    return {
        deployment: {
            resources: run.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                parent: r.parent || undefined,
                protect: r.protect,
                inputs: r.inputs,
            })),
        },
    };
}

/** Pools whose names prefix each other, and one ("us") that prefixes every zone name. */
const prefixPools = offlineStack({}, [
    gpuPool("l4", { zones: ["us-east-2a", "us-east-2b"] }),
    gpuPool("l4-quad", { instanceType: "g6.12xlarge" }),
    gpuPool("us", { zones: ["us-east-2c"] }),
]);

function runCli(input: string, ...args: string[]) {
    return spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(REPO, "scripts", "pool-machinesets.ts"), ...args],
        {
            cwd: REPO,
            input,
            encoding: "utf8",
        },
    );
}

describe("selecting one pool's MachineSets in an exported stack (runbook: retire a pool)", () => {
    let state: StackExport;
    before(async () => {
        const run = await runProgram(prefixPools);
        assert.ifError(run.error);
        state = stackExport(run);
    });

    it("selects exactly the pool's MachineSets, not those of pools whose names it prefixes", () => {
        assert.deepStrictEqual(
            poolMachineSets(state, "l4").map((m) => m.name),
            ["test-abcde-l4-us-east-2a", "test-abcde-l4-us-east-2b"],
        );
        assert.deepStrictEqual(
            poolMachineSets(state, "l4-quad").map((m) => m.name),
            ["test-abcde-l4-quad-us-east-2a"],
        );
    });

    it("selects only the pool named like a zone prefix, not every MachineSet whose URN contains it", () => {
        assert.deepStrictEqual(
            poolMachineSets(state, "us").map((m) => m.name),
            ["test-abcde-us-us-east-2c"],
        );
    });

    it("returns the protected MachineSets' URNs, which the grep of the old runbook over-matched", () => {
        const l4 = poolMachineSets(state, "l4");
        assert.ok(l4.every((m) => m.protect && m.urn.endsWith(`MachineSet::${m.name.replace("test-abcde-", "")}`)));
        const grepped = (state.deployment?.resources ?? []).filter((r) => /MachineSet.*l4-/.test(r.urn));
        assert.ok(grepped.length > l4.length, "the old grep 'MachineSet.*<pool>-' also matched l4-quad");
    });

    it("prints the URNs from pulumi stack export on standard input, or the cluster names with --names", () => {
        const urns = runCli(JSON.stringify(state), "l4");
        assert.strictEqual(urns.status, 0, urns.stderr);
        assert.deepStrictEqual(
            urns.stdout.trim().split("\n"),
            poolMachineSets(state, "l4").map((m) => m.urn),
        );
        const names = runCli(JSON.stringify(state), "l4", "--names");
        assert.deepStrictEqual(names.stdout.trim().split("\n"), ["test-abcde-l4-us-east-2a", "test-abcde-l4-us-east-2b"]);
    });

    it("exits 1 with a message for a pool the stack does not have, so the unprotect pipeline stops", () => {
        const none = runCli(JSON.stringify(state), "l4-");
        assert.strictEqual(none.status, 1);
        assert.strictEqual(none.stdout, "");
        assert.match(none.stderr, /no MachineSet of a pool named exactly "l4-"/);
    });
});
