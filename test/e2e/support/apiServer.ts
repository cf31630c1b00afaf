/**
 * A real Kubernetes API server for the e2e suite: etcd, kube-apiserver and kube-controller-manager
 * (its garbage collector and namespace controller only: the provider deletes in the foreground, which
 * the garbage collector finishes), built from the modules pinned in tools/ (scripts/build-tools.sh),
 * on 127.0.0.1 with free ports, temporary directories and token authentication. No scheduler, kubelet
 * or other controller runs: tests play those. The processes are stopped by `stop()`, and also when
 * the test process exits or is interrupted.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { REPO } from "../../support/scenarios";

export interface ApiResponse {
    status: number;
    body: any;
}

export interface ApiServer {
    url: string;
    /** Its Kubernetes minor, as `/version` reports it, e.g. `1.35`. */
    kubernetes: string;
    /** The serving certificate kube-apiserver made itself, which clients trust as their CA. */
    caFile: string;
    /** The suite's bearer token, of a user in system:masters. */
    token: string;
    /** A kubeconfig of that user, for the controllers the suite runs beside the server. */
    kubeconfig: string;
    /** The server's temporary directory, where the processes beside it keep their files and logs. */
    dir: string;
    /** `headers` add to the admin's bearer token, e.g. `Impersonate-User` to act as another identity. */
    request(method: string, urlPath: string, body?: unknown, contentType?: string, headers?: Record<string, string>): Promise<ApiResponse>;
    stop(): void;
}

/**
 * The Kubernetes minors the suite runs against, one per folder tools/kubernetes-<minor>, oldest
 * first: that of OpenShift 4.20 and that of the newest row of the version matrix.
 */
export const KUBERNETES_MINORS: readonly string[] = fs
    .readdirSync(path.join(REPO, "tools"))
    .flatMap((folder) => /^kubernetes-(\d+\.\d+)$/.exec(folder)?.[1] ?? [])
    .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));

/** Builds (or reuses from the cache) the binaries; returns tool name → bin directory. */
export function buildTools(): Record<string, string> {
    const output = execFileSync("bash", [path.join(REPO, "scripts", "build-tools.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    return Object.fromEntries(
        output
            .trim()
            .split("\n")
            .map((line) => [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)] as [string, string]),
    );
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const running = new Set<ChildProcess>();
function stopAll(): void {
    for (const child of running) child.kill("SIGKILL");
    running.clear();
}
process.once("exit", stopAll);
for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
] as const) {
    process.once(signal, () => {
        stopAll();
        process.exit(code);
    });
}

/** Starts a process beside the server, its output appended to `log`; it is killed when the suite ends. */
export function start(binary: string, args: string[], log: string, env?: NodeJS.ProcessEnv): ChildProcess {
    const out = fs.openSync(log, "a");
    const child = spawn(binary, args, { stdio: ["ignore", out, out], ...(env && { env }) });
    running.add(child);
    child.once("exit", () => {
        running.delete(child);
        fs.closeSync(out);
    });
    return child;
}

/** Polls `attempt` every 250 ms until it returns a value; on timeout the error ends with the logs' last lines. */
export async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, logs: string[]): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await attempt();
            if (value !== undefined) return value;
        } catch (e) {
            last = e;
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    const tails = logs.map((log) => `--- ${log}\n${fs.readFileSync(log, "utf8").split("\n").slice(-15).join("\n")}`);
    throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (${last instanceof Error ? last.message : "no answer"})\n${tails.join("\n")}`,
    );
}

/** kube-controller-manager's controllers the suite runs: foreground and namespace deletions finish. */
const CONTROLLERS = ["garbage-collector-controller", "namespace-controller"];

/** What kube-controller-manager runs beyond CONTROLLERS, and its flags for them. */
export interface ControllerManagerOptions {
    controllers: readonly string[];
    flags: readonly string[];
}

/**
 * An API server of the given Kubernetes minor (default the newest the suite has), with
 * kube-controller-manager running CONTROLLERS and `extra`'s.
 */
export async function startApiServer(
    kubernetes = KUBERNETES_MINORS[KUBERNETES_MINORS.length - 1],
    bins = buildTools(),
    extra: ControllerManagerOptions = { controllers: [], flags: [] },
): Promise<ApiServer> {
    if (!KUBERNETES_MINORS.includes(kubernetes)) {
        throw new Error(`no kube-apiserver for Kubernetes ${kubernetes}: tools/ has kubernetes-${KUBERNETES_MINORS.join(", kubernetes-")}`);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-capacity-e2e-"));
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const token = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(path.join(dir, "tokens.csv"), `${token},e2e-admin,e2e-admin,system:masters\n`);
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }));
    fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    const etcdLog = path.join(dir, "etcd.log");
    const apiLog = path.join(dir, "kube-apiserver.log");

    const etcd = start(
        path.join(bins.etcd, "etcd"),
        [
            "--name=e2e",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync",
        ],
        etcdLog,
    );
    const apiServer = start(
        path.join(bins[`kube-apiserver-${kubernetes}`], "kube-apiserver"),
        [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${path.join(dir, "certs")}`,
            `--token-auth-file=${path.join(dir, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${path.join(dir, "sa.pub")}`,
            `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
            "--service-cluster-ip-range=10.0.0.0/24",
            // As OpenShift's API server: privileged pods are allowed, and SCCs decide who may run them.
            "--allow-privileged=true",
        ],
        apiLog,
    );

    const url = `https://127.0.0.1:${apiPort}`;
    let ca: Buffer | undefined;
    const request = (
        method: string,
        urlPath: string,
        body?: unknown,
        contentType = "application/json",
        headers: Record<string, string> = {},
    ): Promise<ApiResponse> =>
        new Promise((resolve, reject) => {
            ca ??= fs.readFileSync(path.join(dir, "certs", "apiserver.crt"));
            const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
            const req = https.request(
                `${url}${urlPath}`,
                {
                    method,
                    ca,
                    headers: {
                        Authorization: `Bearer ${token}`,
                        Accept: "application/json",
                        ...headers,
                        ...(payload !== undefined && { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            // readyz and friends answer plain text
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            if (payload !== undefined) req.write(payload);
            req.end();
        });

    let controllerManager: ChildProcess | undefined;
    const server: ApiServer = {
        url,
        kubernetes,
        caFile: path.join(dir, "certs", "apiserver.crt"),
        token,
        kubeconfig: path.join(dir, "admin.kubeconfig"),
        dir,
        request,
        stop() {
            controllerManager?.kill("SIGKILL");
            etcd.kill("SIGKILL");
            apiServer.kill("SIGKILL");
            // The processes may still be writing their last files as they die.
            fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
        },
    };
    try {
        await waitFor(
            "kube-apiserver /readyz",
            120_000,
            async () => {
                if (apiServer.exitCode !== null || etcd.exitCode !== null) throw new Error("a process exited");
                if (!fs.existsSync(path.join(dir, "certs", "apiserver.crt"))) return undefined;
                const ready = await request("GET", "/readyz");
                return ready.status === 200 ? true : undefined;
            },
            [etcdLog, apiLog],
        );
        // A binary built from the wrong module would pass every test against the wrong Kubernetes.
        const version = (await request("GET", "/version")).body as { major?: string; minor?: string; gitVersion?: string };
        if (`${version.major}.${version.minor}` !== kubernetes) {
            throw new Error(`kube-apiserver reports ${version.gitVersion} (/version), not Kubernetes ${kubernetes}`);
        }
        const kubeconfig = server.kubeconfig;
        fs.writeFileSync(
            kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: "e2e", cluster: { server: url, "certificate-authority": path.join(dir, "certs", "apiserver.crt") } }],
                users: [{ name: "e2e-admin", user: { token } }],
                contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin" } }],
                "current-context": "e2e",
            }),
        );
        const controllerLog = path.join(dir, "kube-controller-manager.log");
        controllerManager = start(
            path.join(bins[`kube-controller-manager-${kubernetes}`], "kube-controller-manager"),
            [
                `--kubeconfig=${kubeconfig}`,
                `--controllers=${[...CONTROLLERS, ...extra.controllers].join(",")}`,
                ...extra.flags,
                "--leader-elect=false",
                "--secure-port=0",
                "--use-service-account-credentials=false",
            ],
            controllerLog,
        );
        const manager = controllerManager;
        await waitFor(
            "kube-controller-manager to start its controllers",
            120_000,
            () => {
                if (manager.exitCode !== null) return Promise.reject(new Error("kube-controller-manager exited"));
                // 1.33 logs "Starting garbage collector controller"; 1.35 logs structured: "Starting controller" controller="garbagecollector".
                const started =
                    /Started controller|Starting garbage collector controller|"Starting controller" controller="garbagecollector"/i.test(
                        fs.readFileSync(controllerLog, "utf8"),
                    );
                return Promise.resolve(started ? true : undefined);
            },
            [controllerLog],
        );
    } catch (e) {
        server.stop();
        throw e;
    }
    return server;
}

/** Polls until `attempt` returns a value; fails the test with `what` after the timeout instead of hanging. */
export function eventually<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
    return waitFor(what, timeoutMs, attempt, []);
}
