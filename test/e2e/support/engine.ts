/**
 * A scratch Pulumi project for the real engine: a temporary folder whose Pulumi.yaml, program,
 * policy pack and node_modules are the repository's own (symlinked), with its own stack files,
 * policy config, file backend and a `pulumi` on PATH that is `npm run pulumi` (scripts/pulumi.ts on
 * the project's build of the CLI and Kubernetes provider). Commands run as a user types them.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { StackConfig } from "../../support/harness";
import { REPO } from "../../support/scenarios";

/** What a command printed and how it ended. */
export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr, for assertion messages. */
    output: string;
    seconds: number;
}

/** Folders and files of the repository the scratch project shares. */
const SHARED_ENTRIES = [
    "index.ts",
    "lib",
    "components",
    "policy",
    "node_modules",
    "package.json",
    "tsconfig.json",
    "scripts",
    "Pulumi.yaml",
];

export interface StateResource {
    urn: string;
    type: string;
    id?: string;
    protect?: boolean;
    parent?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    replaceOnChanges?: string[];
}

export interface StateExport {
    deployment: { resources?: StateResource[]; pending_operations?: { resource: StateResource; type: string }[] };
}

export class EngineProject {
    readonly dir: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(readonly stack: string) {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "cc-engine-"));
        for (const entry of SHARED_ENTRIES) fs.symlinkSync(path.join(REPO, entry), path.join(this.dir, entry));
        fs.mkdirSync(path.join(this.dir, "policy-config"));
        fs.mkdirSync(path.join(this.dir, "state"));
        const bin = path.join(this.dir, "bin");
        fs.mkdirSync(bin);
        // `pulumi` as the runbook types it: the project's way of running the engine.
        fs.writeFileSync(
            path.join(bin, "pulumi"),
            `#!/bin/sh\nexec "${process.execPath}" -r ts-node/register/transpile-only "${path.join(REPO, "scripts", "pulumi.ts")}" "$@"\n`,
            { mode: 0o755 },
        );
        this.env = {
            ...process.env,
            PATH: [bin, path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
            TS_NODE_PROJECT: path.join(REPO, "tsconfig.json"),
            CLUSTER_CAPACITY_PULUMI: "built",
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // No colour codes in what the tests read.
            NO_COLOR: "1",
        };
    }

    /** Writes Pulumi.<stack>.yaml, keeping the encryption salt `stack init` wrote into it. */
    writeStack(config: StackConfig, stack = this.stack): void {
        const file = path.join(this.dir, `Pulumi.${stack}.yaml`);
        const salt = fs.existsSync(file)
            ? (YAML.parse(fs.readFileSync(file, "utf8")) as { encryptionsalt?: string }).encryptionsalt
            : undefined;
        // No YAML anchors for repeated values (zone lists): the file reads as a user would write it.
        fs.writeFileSync(file, YAML.stringify({ ...(salt && { encryptionsalt: salt }), config }, { aliasDuplicateObjects: false }));
    }

    writePolicyConfig(name: string, config: Record<string, unknown>): void {
        fs.writeFileSync(path.join(this.dir, "policy-config", `${name}.json`), JSON.stringify(config, null, 4));
    }

    /** Starts a shell command in the project (`pulumi` is the project's); its own process group, for SIGKILL. */
    start(command: string): { child: ChildProcess; done: Promise<CommandResult> } {
        const started = Date.now();
        const child = spawn("bash", ["-o", "pipefail", "-c", command], { cwd: this.dir, env: this.env, detached: true });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const done = new Promise<CommandResult>((resolve) =>
            child.once("close", (code, signal) =>
                resolve({
                    code: code ?? 128 + (signal ? os.constants.signals[signal] : 0),
                    stdout,
                    stderr,
                    output: `${stdout}\n${stderr}`,
                    seconds: (Date.now() - started) / 1000,
                }),
            ),
        );
        return { child, done };
    }

    /** Runs a shell command to its end, failing the test after `timeoutMs` instead of hanging. */
    async run(command: string, timeoutMs = 15 * 60_000): Promise<CommandResult> {
        const { child, done } = this.start(command);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
                EngineProject.killTree(child.pid!);
                reject(new Error(`"${command}" did not end within ${timeoutMs / 1000} s`));
            }, timeoutMs);
        });
        try {
            return await Promise.race([done, timedOut]);
        } finally {
            clearTimeout(timer);
        }
    }

    /** `pulumi stack export` of the stack. */
    state(stack = this.stack): StateExport {
        const answer = spawnSync("pulumi", ["stack", "export", "-s", stack], {
            cwd: this.dir,
            env: this.env,
            encoding: "utf8",
            maxBuffer: 1 << 30,
        });
        if (answer.status !== 0) throw new Error(`pulumi stack export: exit ${answer.status}\n${answer.stdout}\n${answer.stderr}`);
        return JSON.parse(answer.stdout) as StateExport;
    }

    /** `pulumi stack import` of an edited export. */
    async importState(state: StateExport, stack = this.stack): Promise<void> {
        const file = path.join(this.dir, "import.json");
        fs.writeFileSync(file, JSON.stringify(state));
        const answer = await this.run(`pulumi stack import -s ${stack} --file ${file}`);
        if (answer.code !== 0) throw new Error(`pulumi stack import: exit ${answer.code}\n${answer.output}`);
    }

    /**
     * SIGKILL to a command and everything it started, as a lost CI runner ends them: the CLI starts
     * its plugins (provider, policy pack) in process groups of their own.
     */
    static killTree(pid: number): void {
        const children = new Map<number, number[]>();
        for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
            try {
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
                children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
            } catch {
                // the process ended meanwhile
            }
        }
        const tree: number[] = [];
        const walk = (p: number) => {
            tree.push(p);
            for (const child of children.get(p) ?? []) walk(child);
        };
        walk(pid);
        for (const p of tree) {
            try {
                process.kill(p, "SIGKILL");
            } catch {
                // already gone
            }
        }
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A kubeconfig for the e2e API server: its CA, its URL and the suite's bearer token. */
export function kubeconfigFor(url: string, caFile: string, token: string): string {
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "e2e", cluster: { server: url, "certificate-authority-data": fs.readFileSync(caFile).toString("base64") } }],
        users: [{ name: "e2e-admin", user: { token } }],
        contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin" } }],
        "current-context": "e2e",
    });
}
