/**
 * The Pulumi engine as this project runs it, on any machine. Where `pulumi` and its Node.js language
 * host are installed (a normal Pulumi install), it is that CLI, given the arguments as they are.
 * Elsewhere it is the CLI and Kubernetes provider built from tools/ (scripts/build-tools.sh), with the
 * program served in this process by the SDK's own language server, as the Automation API serves an
 * inline program (@pulumi/pulumi automation/stack.js: `--client=<address>`), and a directory
 * `--policy-pack` given as its executable launcher (policy/analyzer). Either way the engine's own
 * output reaches the terminal and its exit code is the caller's.
 */
import type * as grpc from "@grpc/grpc-js";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

export const REPO = path.resolve(__dirname, "..");

/** How a run reaches the engine: the machine's Pulumi install, or the project's build with the program in-process. */
export type Route =
    { kind: "installed"; pulumi: string } | { kind: "built"; pulumi: string; provider: string; providerVersion: string; home: string };

/** Commands that run the program; the built route serves it to them. */
const PROGRAM_COMMANDS = new Set(["preview", "up", "update", "refresh", "destroy", "import", "watch"]);
/** Global flags of the CLI that take a value as the next argument. */
const VALUED_GLOBAL_FLAGS = new Set(["-C", "--cwd", "--color", "--memprofilerate", "--profiling", "--tracing", "-v", "--verbose"]);

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/**
 * A normal install has `pulumi-language-nodejs` on PATH or beside `pulumi` (where the CLI also looks
 * for it). CLUSTER_CAPACITY_PULUMI=built takes the project's build even then (the e2e suite and the
 * benchmark do, for the pinned versions); =installed refuses to fall back.
 */
export function installedPulumi(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const pulumi = onPath("pulumi", env);
    if (!pulumi) return undefined;
    const besides = path.join(path.dirname(fs.realpathSync(pulumi)), "pulumi-language-nodejs");
    return onPath("pulumi-language-nodejs", env) || fs.existsSync(besides) ? pulumi : undefined;
}

/** The project's build of the CLI and the provider (built on first use), and a PULUMI_HOME holding the provider. */
export function builtRoute(): Extract<Route, { kind: "built" }> {
    const output = execFileSync("bash", [path.join(REPO, "scripts", "build-tools.sh"), "pulumi", "pulumi-kubernetes"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    const bins = Object.fromEntries(
        output
            .trim()
            .split("\n")
            .map((line) => line.split(" ", 2) as [string, string]),
    );
    const cache = path.dirname(path.dirname(bins.pulumi));
    const [providerVersion] = fs
        .readFileSync(path.join(REPO, "tools", "pulumi-kubernetes", "RELEASE"), "utf8")
        .trim()
        .split(" ");
    return {
        kind: "built",
        pulumi: path.join(bins.pulumi, "pulumi"),
        provider: path.join(bins["pulumi-kubernetes"], "pulumi-resource-kubernetes"),
        providerVersion,
        home: path.join(path.dirname(cache), "pulumi-home"),
    };
}

export function chooseRoute(env: NodeJS.ProcessEnv = process.env): Route {
    const wanted = env.CLUSTER_CAPACITY_PULUMI;
    if (wanted !== undefined && wanted !== "built" && wanted !== "installed") {
        throw new Error(`CLUSTER_CAPACITY_PULUMI is "${wanted}"; expected built or installed`);
    }
    const installed = wanted === "built" ? undefined : installedPulumi(env);
    if (installed) return { kind: "installed", pulumi: installed };
    if (wanted === "installed") {
        throw new Error("CLUSTER_CAPACITY_PULUMI=installed, but no pulumi with pulumi-language-nodejs is on PATH");
    }
    return builtRoute();
}

/**
 * Installs the built provider into `home` (a PULUMI_HOME), once per binary: the engine finds plugins
 * there and, with automatic acquisition off, never downloads one. Not on PATH, where the CLI would
 * warn on every run that an ambient plugin shadows the installed ones.
 */
export function installProvider(route: Extract<Route, { kind: "built" }>, home: string): void {
    const installed = path.join(home, "plugins", `resource-kubernetes-${route.providerVersion}`);
    const marker = path.join(installed, ".cluster-capacity-source");
    if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === route.provider) return;
    execFileSync(
        route.pulumi,
        ["plugin", "install", "resource", "kubernetes", route.providerVersion, "--file", route.provider, "--reinstall"],
        { env: { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" }, stdio: ["ignore", "ignore", "inherit"] },
    );
    fs.writeFileSync(marker, route.provider);
}

/** The environment of the CLI on a route: on the built one, its PULUMI_HOME and no plugin downloads. */
export function engineEnv(route: Route, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    if (route.kind === "installed") return env;
    const home = env.PULUMI_HOME ?? route.home;
    installProvider(route, home);
    return {
        ...env,
        PULUMI_HOME: home,
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // The policy pack's launcher runs `node`: this one.
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ""}`,
    };
}

/**
 * A preview persists nothing, yet the engine serialises the whole snapshot after every step even then
 * (pulumi `pkg/backend/snapshot.go`, saveSnapshot, for the discarding persister of a preview):
 * quadratic in the stack's size. PULUMI_SKIP_CHECKPOINTS writes it once at the end instead, which
 * for a preview loses nothing. An `up` keeps its checkpoints unless the caller says otherwise: they
 * are what lets an interrupted update be resumed (docs/runbook.md).
 */
export function previewEnv(command: string | undefined): NodeJS.ProcessEnv {
    return command === "preview" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {};
}

/** The CLI command of the arguments (the first word that is not a global flag or its value). */
export function commandOf(args: readonly string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (!arg.startsWith("-")) return arg;
        if (VALUED_GLOBAL_FLAGS.has(arg)) i++;
    }
    return undefined;
}

/**
 * The arguments for the built route: a `--policy-pack` directory becomes its `analyzer` launcher,
 * which the CLI runs without a language host; any other path is left to the CLI to judge.
 */
export function launcherArgs(args: readonly string[], cwd: string): string[] {
    const launcher = (pack: string) => {
        const dir = path.resolve(cwd, pack);
        const analyzer = path.join(dir, "analyzer");
        return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() && fs.existsSync(analyzer) ? analyzer : pack;
    };
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--policy-pack" && i + 1 < args.length) {
            out.push(arg, launcher(args[++i]));
        } else if (arg.startsWith("--policy-pack=")) {
            out.push(`--policy-pack=${launcher(arg.slice("--policy-pack=".length))}`);
        } else {
            out.push(arg);
        }
    }
    return out;
}

/**
 * The program as the language server runs it: index.ts loaded afresh for each run. `pulumi up`
 * without --skip-preview runs the program twice in one process (the preview, then the update), and a
 * module that is already loaded would register nothing the second time.
 */
function programOf(projectDir: string): () => Promise<Record<string, unknown>> {
    const entry = fs.realpathSync(path.join(projectDir, "index.ts"));
    const root = path.dirname(entry);
    const stackTraceLimit = stackTraceLimitOf(projectDir);
    return async () => {
        if (stackTraceLimit !== undefined) Error.stackTraceLimit = stackTraceLimit;
        for (const loaded of Object.keys(require.cache)) {
            if (loaded.startsWith(`${root}${path.sep}`) && !loaded.includes(`${path.sep}node_modules${path.sep}`))
                delete require.cache[loaded];
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return (await (require(entry) as Promise<Record<string, unknown>>)) ?? {};
    };
}

/**
 * The `--stack-trace-limit` of Pulumi.yaml's `runtime.options.nodeargs`, which pulumi-language-nodejs
 * gives the node process of a program; in-process it is all that can be applied, so any other node
 * argument there is refused rather than silently dropped.
 */
export function stackTraceLimitOf(projectDir: string): number | undefined {
    const project = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
        runtime?: string | { options?: { nodeargs?: string } };
    };
    const nodeargs = typeof project.runtime === "object" ? (project.runtime.options?.nodeargs ?? "") : "";
    let limit: number | undefined;
    for (const arg of nodeargs.split(/\s+/).filter(Boolean)) {
        const match = /^--stack-trace-limit=(\d+)$/.exec(arg);
        if (!match) throw new Error(`Pulumi.yaml runtime.options.nodeargs: ${arg} cannot be applied to a program served in-process`);
        limit = Number(match[1]);
    }
    return limit;
}

interface LanguageServerClass {
    new (program: () => Promise<Record<string, unknown>>): {
        onPulumiExit(hasError: boolean): void;
        run(call: unknown, callback: (error: Error | null | undefined, response?: unknown) => void): Promise<void>;
    };
}

/** Serves the program on 127.0.0.1 with the SDK's language server; returns its address and a stop function. */
async function serveProgram(projectDir: string): Promise<{ address: string; stop(hasError: boolean): void }> {
    /* eslint-disable @typescript-eslint/no-require-imports */
    // The SDK's own gRPC module, so the service definition and the server come from one instance.
    const { Server, ServerCredentials } = require(
        require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }),
    ) as typeof grpc;
    const { LanguageServer } = require("@pulumi/pulumi/automation/server") as { LanguageServer: LanguageServerClass };
    const { LanguageRuntimeService } = require("@pulumi/pulumi/proto/language_grpc_pb") as { LanguageRuntimeService: unknown };
    const { RunResponse } = require("@pulumi/pulumi/proto/language_pb") as { RunResponse: new () => { setBail(bail: boolean): void } };
    const { grpcChannelOptions } = require("@pulumi/pulumi/runtime") as { grpcChannelOptions: Record<string, unknown> };
    const log = require("@pulumi/pulumi/log") as { hasErrors(): boolean };
    /* eslint-enable @typescript-eslint/no-require-imports */
    /**
     * A run that failed after the program logged its error answers `bail`, as pulumi-language-nodejs
     * does (its run exits 32 after logging): the engine then reports the logged error alone. The
     * SDK's server answers with the error again, so a RunError's message would be printed twice.
     */
    class BailingLanguageServer extends LanguageServer {
        override run(call: unknown, callback: (error: Error | null | undefined, response?: unknown) => void): Promise<void> {
            let answered = false;
            return super.run(call, (error, response) => {
                if (answered) return; // the SDK's server answers a failed run twice
                answered = true;
                if (error && log.hasErrors()) {
                    const bail = new RunResponse();
                    bail.setBail(true);
                    callback(null, bail);
                } else {
                    callback(error, response);
                }
            });
        }
    }
    const server = new Server(grpcChannelOptions);
    const languageServer = new BailingLanguageServer(programOf(projectDir));
    server.addService(LanguageRuntimeService as grpc.ServiceDefinition, languageServer as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return {
        address: `127.0.0.1:${port}`,
        stop(hasError) {
            try {
                languageServer.onPulumiExit(hasError);
            } finally {
                server.forceShutdown();
            }
        },
    };
}

export interface EngineRun {
    child: ChildProcess;
    /** The CLI's exit code (128 + the signal number when a signal ended it). */
    exit: Promise<number>;
}

export interface EngineOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /** "inherit" (the terminal) or "pipe" (the caller reads child.stdout and child.stderr). */
    stdio?: "inherit" | "pipe";
    route?: Route;
}

/** Starts `pulumi <args>` on the route; see the module comment. */
export async function startPulumi(args: readonly string[], options: EngineOptions = {}): Promise<EngineRun> {
    const cwd = options.cwd ?? process.cwd();
    const route = options.route ?? chooseRoute(options.env);
    const command = commandOf(args);
    const env = engineEnv(route, { ...previewEnv(command), ...(options.env ?? process.env) });
    let cliArgs = [...args];
    let served: Awaited<ReturnType<typeof serveProgram>> | undefined;
    if (route.kind === "built") {
        cliArgs = launcherArgs(args, cwd);
        if (command !== undefined && PROGRAM_COMMANDS.has(command)) {
            served = await serveProgram(projectDirOf(cwd, args));
            cliArgs.push(`--client=${served.address}`, "--exec-kind", "auto.inline");
        }
    }
    const child = spawn(route.pulumi, cliArgs, { cwd, env, stdio: options.stdio === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit" });
    const exit = new Promise<number>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code, signal) => {
            const status = code ?? 128 + (signal ? os.constants.signals[signal] : 0);
            try {
                served?.stop(status !== 0);
            } catch (error) {
                // The language server reports promises the program left running: a bug worth the exit code.
                process.stderr.write(`cluster-capacity: ${error instanceof Error ? error.message : String(error)}\n`);
                resolve(status === 0 ? 1 : status);
                return;
            }
            resolve(status);
        });
    });
    return { child, exit };
}

/** The project folder the CLI will use: `--cwd`/`-C` if given, else the nearest folder up from cwd with a Pulumi.yaml. */
function projectDirOf(cwd: string, args: readonly string[]): string {
    const flag = args.findIndex((a) => a === "-C" || a === "--cwd");
    let dir = flag >= 0 && args[flag + 1] ? path.resolve(cwd, args[flag + 1]) : cwd;
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`no Pulumi.yaml in ${cwd} or above it`);
        dir = parent;
    }
}

/** One line on stderr saying which engine runs. */
export function describeRoute(route: Route): string {
    if (route.kind === "installed") return `cluster-capacity: running ${route.pulumi} (a Pulumi install with the Node.js language host)`;
    return `cluster-capacity: running the project's Pulumi CLI (${path.basename(path.dirname(path.dirname(route.pulumi)))}) and Kubernetes provider ${route.providerVersion}, the program served in-process (no pulumi-language-nodejs here)`;
}
