/**
 * The runbook's "Retire a pool" state commands, run as written with a real Pulumi CLI (built from
 * tools/pulumi) against a local file backend holding a stack whose pools' names prefix each other.
 * The state is the program's own registrations (under mocks), imported with `pulumi stack import`.
 * Commands that need a cluster (`oc`) or the engine (`pulumi up`) are not run here.
 */
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramRun, runProgram } from "../support/harness";
import { gpuPool, offlineStack, REPO } from "../support/scenarios";
import { buildTools } from "./support/apiServer";

const STACK = "prod";

/** The commands of the runbook section's shell blocks that only touch state, `<pool>` replaced. */
function runbookStateCommands(pool: string): string[] {
    const runbook = fs.readFileSync(path.join(REPO, "docs", "runbook.md"), "utf8");
    const section = runbook.slice(runbook.indexOf("## Retire a pool"), runbook.indexOf("\n## ", runbook.indexOf("## Retire a pool") + 1));
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks
        .flatMap((block) => block.split("\n").map((line) => line.trim()))
        .filter((line) => /^(pulumi stack export|xargs|cat) /.test(line))
        .map((line) => line.replaceAll("<pool>", pool));
}

/** A `pulumi stack export` document holding the run's resources as the engine would have saved them. */
function deploymentOf(run: ProgramRun, base: { version: number; deployment: Record<string, unknown> }) {
    const idOf = (urn: string) => `${urn.slice(urn.lastIndexOf("::") + 2)}-id`;
    return {
        ...base,
        deployment: {
            ...base.deployment,
            resources: run.resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                ...(r.custom && { id: idOf(r.urn) }),
                type: r.type,
                ...(r.parent && { parent: r.parent }),
                ...(r.protect && { protect: true }),
                ...(r.custom && r.provider && { provider: r.provider }),
                inputs: r.inputs,
                outputs: r.inputs,
            })),
        },
    };
}

describe("the runbook's retire commands on a real Pulumi state", function () {
    this.timeout(30 * 60_000);
    let env: NodeJS.ProcessEnv;
    let pulumiBin: string;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "cc-runbook-"));
    const urnsFile = path.join(REPO, "retire-urns.txt");

    const pulumi = (...args: string[]) => execFileSync(path.join(pulumiBin, "pulumi"), args, { env, encoding: "utf8", cwd: REPO });
    const protectedMachineSets = () =>
        (
            JSON.parse(pulumi("stack", "export", "-s", STACK)) as {
                deployment: { resources: { type: string; urn: string; protect?: boolean }[] };
            }
        ).deployment.resources
            .filter((r) => r.type.endsWith(":MachineSet") && r.protect)
            .map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2))
            .sort();
    /** Runs one runbook line in bash with pipefail, as a careful operator's shell would. */
    const shell = (command: string) => spawnSync("bash", ["-o", "pipefail", "-c", command], { env, cwd: REPO, encoding: "utf8" });

    before(async () => {
        pulumiBin = buildTools().pulumi;
        env = {
            ...process.env,
            PATH: `${pulumiBin}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_HOME: path.join(work, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
        fs.mkdirSync(path.join(work, "state"));
        // `stack init` writes the passphrase salt into the stack file: do it in a project of its own.
        const project = path.join(work, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: cluster-capacity\nruntime: nodejs\n");
        execFileSync(path.join(pulumiBin, "pulumi"), ["stack", "init", STACK, "--non-interactive"], { env, cwd: project });

        const run = await runProgram(
            offlineStack({}, [
                gpuPool("l4", { zones: ["us-east-2a", "us-east-2b"] }),
                gpuPool("l4-quad", { instanceType: "g6.12xlarge" }),
                gpuPool("us", { zones: ["us-east-2c"] }),
            ]),
            {},
            { stack: STACK },
        );
        assert.ifError(run.error);
        const file = path.join(work, "deployment.json");
        fs.writeFileSync(file, JSON.stringify(deploymentOf(run, JSON.parse(pulumi("stack", "export", "-s", STACK)))));
        pulumi("stack", "import", "-s", STACK, "--file", file);
    });
    after(() => {
        fs.rmSync(urnsFile, { force: true });
        fs.rmSync(work, { recursive: true, force: true });
    });

    it("starts from a stack whose every MachineSet is protected", () => {
        assert.deepStrictEqual(protectedMachineSets(), ["l4-quad-us-east-2a", "l4-us-east-2a", "l4-us-east-2b", "us-us-east-2c"]);
    });

    it("lists by exact name the MachineSets whose machines step 2 waits for", () => {
        const [list] = runbookStateCommands("l4").filter((c) => c.includes("--names"));
        const answer = shell(list);
        assert.strictEqual(answer.status, 0, answer.stderr);
        assert.deepStrictEqual(answer.stdout.trim().split("\n"), ["test-abcde-l4-us-east-2a", "test-abcde-l4-us-east-2b"]);
    });

    it("unprotects nothing for a pool that does not exist, and stops with exit 1", () => {
        const [select] = runbookStateCommands("l").filter((c) => c.includes("> retire-urns.txt"));
        assert.strictEqual(shell(select).status, 1);
        for (const command of runbookStateCommands("l").filter((c) => c.startsWith("xargs"))) {
            assert.strictEqual(shell(command).status, 0);
        }
        assert.strictEqual(protectedMachineSets().length, 4);
    });

    it("unprotects exactly l4's MachineSets in step 3, never l4-quad's or those in zones the name prefixes", () => {
        for (const command of runbookStateCommands("l4").filter((c) => !c.includes("--names"))) {
            const answer = shell(command);
            assert.strictEqual(answer.status, 0, `${command}: ${answer.stderr}`);
        }
        assert.deepStrictEqual(protectedMachineSets(), ["l4-quad-us-east-2a", "us-us-east-2c"]);
    });

    it("runs every state command of the section, none of which is left untested", () => {
        assert.deepStrictEqual(runbookStateCommands("<pool>"), [
            "pulumi stack export -s prod | npm run -s pool-machinesets -- <pool> --names",
            "pulumi stack export -s prod | npm run -s pool-machinesets -- <pool> > retire-urns.txt",
            "cat retire-urns.txt",
            "xargs -r -n1 pulumi state unprotect -s prod --yes < retire-urns.txt",
        ]);
    });
});
