/**
 * The "hello GPU" of the runbook: a Job per accelerator pool that asks for one device, tolerates
 * the pool's taints and runs on the pool's nodes (nvidia-smi or neuron-ls).
 */
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import type { PoolPlan } from "../lib/plan";
import { EFA_RESOURCE, GPU_RESOURCE, NEURON_RESOURCE, POOL_LABEL } from "../policy/lib/contract";
import { SKIP_AWAIT } from "./awaits";
import { createNamespace } from "./olm";
import { tolerationsFor } from "./tolerations";

const SMOKE_TEST_NAMESPACE = "cluster-capacity-smoke-tests";

export interface SmokeTestsArgs {
    /** The pools to test; a MIG pool's test takes one of its (first kind of) MIG devices. */
    pools: PoolPlan[];
    images: { nvidia: string; neuron: string };
}

/** The pod spec of one pool's smoke test. */
function smokeTestPod(plan: PoolPlan, images: SmokeTestsArgs["images"]): kx.types.PodSpec {
    const { pool } = plan;
    const nvidia = pool.accelerator === "nvidia";
    const device = nvidia ? (Object.keys(plan.gpuResourcesPerNode)[0] ?? GPU_RESOURCE) : NEURON_RESOURCE;
    return {
        restartPolicy: "Never",
        nodeSelector: { [POOL_LABEL]: pool.name },
        tolerations: tolerationsFor(pool.taints),
        containers: [
            {
                name: nvidia ? "nvidia-smi" : "neuron-ls",
                image: nvidia ? images.nvidia : images.neuron,
                // An EFA pool's pod also takes one EFA and checks its verbs device is there.
                command: pool.efa
                    ? ["sh", "-c", `${nvidia ? "nvidia-smi" : "neuron-ls"} && ls -l /dev/infiniband/uverbs0`]
                    : nvidia
                      ? ["nvidia-smi"]
                      : ["neuron-ls"],
                resources: { limits: { [device]: "1", ...(pool.efa && { [EFA_RESOURCE]: "1" }) } },
            },
        ],
    };
}

export class SmokeTests extends pulumi.ComponentResource {
    readonly jobNames: string[];

    constructor(name: string, args: SmokeTestsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:SmokeTests", name, {}, opts);
        const childOpts = { parent: this };
        const namespace = createNamespace(`${name}-namespace`, SMOKE_TEST_NAMESPACE, {}, childOpts);
        const plans = args.pools.filter((p) => !p.pool.retired);
        this.jobNames = plans.map((p) => `smoke-${p.pool.name}`);
        for (const plan of plans) {
            const { pool } = plan;
            const pod = new kx.PodBuilder(smokeTestPod(plan, args.images));
            new kx.Job(
                `${name}-${pool.name}`,
                {
                    metadata: {
                        name: `smoke-${pool.name}`,
                        namespace: SMOKE_TEST_NAMESPACE,
                        annotations: SKIP_AWAIT,
                    },
                    spec: pod.asJobSpec({ backoffLimit: 0 }),
                },
                { ...childOpts, dependsOn: namespace, deleteBeforeReplace: true },
            );
        }
        this.registerOutputs({ jobs: this.jobNames });
    }
}
