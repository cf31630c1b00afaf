/**
 * The benchmark with the real engine (`npm run bench`): `pulumi preview` of fleets of N autoscaled
 * GPU pools × 3 zones (offline lookups, render mode) through `npm run pulumi`, and a no-change
 * `pulumi up` of 100 pools against the e2e API server. Each is one command, timed from start to
 * exit, with the peak memory of all its processes (the program's Node.js, the CLI, the provider)
 * sampled from /proc. A benchmark, not a test: it never fails on speed.
 */
import * as fs from "fs";
import * as path from "path";
import { startApiServer } from "../test/e2e/support/apiServer";
import { EngineProject, kubeconfigFor } from "../test/e2e/support/engine";
import type { StackConfig } from "../test/support/harness";

const ZONES = ["us-east-2a", "us-east-2b", "us-east-2c"];
const INFRA_ID = "bench-x1y2z";

/** A fleet of `pools` autoscaled g6.4xlarge pools in three zones, with the GPU Operator. */
export function engineFleet(pools: number, target: StackConfig): StackConfig {
    return {
        "cluster-capacity:cluster": { name: "bench", infraId: INFRA_ID, openshiftVersion: "4.18", region: "us-east-2" },
        "cluster-capacity:lookups": "offline",
        "cluster-capacity:network": {
            subnets: Object.fromEntries(ZONES.map((zone) => [zone, `${INFRA_ID}-subnet-private-${zone}`])),
            securityGroups: [`${INFRA_ID}-node`, `${INFRA_ID}-lb`],
        },
        "cluster-capacity:ami": { id: "ami-0a5e3b2c9d8f71e46" },
        "cluster-capacity:quotas": { "L-DB2E81BA": 1_000_000 },
        "cluster-capacity:pools": Array.from({ length: pools }, (_, i) => ({
            name: `pool-${i}`,
            accelerator: "nvidia",
            instanceType: "g6.4xlarge",
            zones: ZONES,
            autoscaling: { minReplicas: 0, maxReplicas: 2 },
        })),
        // Pinned, so the offline stack needs no version matrix default; its Subscription is not waited for here.
        "cluster-capacity:gpuOperator": { enabled: true, version: "25.3.1" },
        // No Kueue: a ClusterQueue holds at most 64 flavors, one per pool (lib/plan/kueueQuotas.ts).
        ...target,
    };
}

export interface EngineMeasurement {
    what: string;
    pools: number;
    resources: number;
    seconds: number;
    /** The most memory all of the command's processes held at once. */
    peakRssMiB: number;
    /** The most one of them held. */
    peakProcessRssMiB: number;
    exit: number;
}

function rssKiB(pid: number): number {
    try {
        return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
        return 0;
    }
}

/** The pids of a process and all its descendants, from /proc. */
function tree(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
        } catch {
            // ended meanwhile
        }
    }
    const out: number[] = [];
    const walk = (pid: number) => {
        out.push(pid);
        for (const child of children.get(pid) ?? []) walk(child);
    };
    walk(root);
    return out;
}

/** The engine's Diagnostics section of what a command printed (its errors), else its end. */
function diagnostics(output: string): string {
    const start = output.indexOf("Diagnostics:");
    if (start < 0) return output.slice(-3000);
    const end = output.indexOf("\nOutputs:", start);
    return output.slice(start, end < 0 ? start + 6000 : end);
}

async function measure(project: EngineProject, what: string, pools: number, command: string): Promise<EngineMeasurement> {
    const { child, done } = project.start(command);
    let peak = 0;
    let peakProcess = 0;
    const sampler = setInterval(() => {
        const sizes = tree(child.pid!).map(rssKiB);
        peak = Math.max(
            peak,
            sizes.reduce((a, b) => a + b, 0),
        );
        peakProcess = Math.max(peakProcess, ...sizes);
    }, 100);
    const result = await done;
    clearInterval(sampler);
    if (result.code !== 0) process.stderr.write(`${command}: exit ${result.code}\n${diagnostics(result.output)}\n`);
    const resources = Number(/(\d+) (to create|unchanged|created)/.exec(result.stdout)?.[1] ?? 0);
    return {
        what,
        pools,
        resources,
        seconds: result.seconds,
        peakRssMiB: peak / 1024,
        peakProcessRssMiB: peakProcess / 1024,
        exit: result.code,
    };
}

/**
 * Previews at each size, then a first and a no-change up of `upPools` pools on the e2e API server;
 * one line of JSON per measurement on stdout. The e2e suite runs it small (test/e2e/bench.e2e.ts).
 */
export async function engineBenchmark(sizes: number[], log: (m: EngineMeasurement) => void, upPools = 100): Promise<EngineMeasurement[]> {
    const results: EngineMeasurement[] = [];
    const record = (m: EngineMeasurement) => {
        results.push(m);
        log(m);
    };
    const preview = new EngineProject("bench");
    try {
        await preview.run("pulumi stack init bench --non-interactive");
        for (const pools of sizes) {
            preview.writeStack(engineFleet(pools, { "cluster-capacity:renderDirectory": "rendered/bench" }));
            record(await measure(preview, "preview", pools, "pulumi preview -s bench --non-interactive"));
        }
        // The same preview with every checkpoint written, as the engine does without PULUMI_SKIP_CHECKPOINTS.
        preview.writeStack(engineFleet(upPools, { "cluster-capacity:renderDirectory": "rendered/bench" }));
        record(
            await measure(
                preview,
                "preview, checkpoints",
                upPools,
                "PULUMI_SKIP_CHECKPOINTS=false pulumi preview -s bench --non-interactive",
            ),
        );
    } finally {
        preview.remove();
    }

    const server = await startApiServer();
    const up = new EngineProject("bench");
    try {
        for (const namespace of ["openshift-machine-api"]) {
            await server.request("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
        }
        const { installSharedCrds } = await import("../test/e2e/support/objects");
        await installSharedCrds(server);
        const kubeconfig = path.join(up.dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, kubeconfigFor(server.url, server.caFile, server.token));
        await up.run("pulumi stack init bench --non-interactive");
        // No Subscription: the GPU Operator's would wait for OLM, which nothing plays here.
        up.writeStack(
            engineFleet(upPools, {
                "cluster-capacity:kubernetes": { kubeconfig },
                "cluster-capacity:gpuOperator": { enabled: false },
            }),
        );
        const first = await measure(up, "first up (creates all)", upPools, "pulumi up -s bench --yes --non-interactive --skip-preview");
        record(first);
        if (first.exit !== 0) throw new Error("the first up failed (its diagnostics are above)");
        record(await measure(up, "no-change up", upPools, "pulumi up -s bench --yes --non-interactive"));
        record(
            await measure(
                up,
                "no-change up, no checkpoints",
                upPools,
                "PULUMI_SKIP_CHECKPOINTS=true pulumi up -s bench --yes --non-interactive",
            ),
        );
    } finally {
        up.remove();
        server.stop();
    }
    return results;
}
