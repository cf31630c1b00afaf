/**
 * The "hello GPU" of the runbook: a Job per accelerator pool that asks for one device, tolerates
 * the pool's taints and runs on the pool's nodes (nvidia-smi or neuron-ls).
 */
import * as k8s from "@pulumi/kubernetes";
import * as kx from "@pulumi/kubernetesx";
import * as pulumi from "@pulumi/pulumi";
import type { PoolConfig } from "../lib/config/types";
import { GPU_RESOURCE, NEURON_RESOURCE } from "../lib/kueueQuota";
import { POOL_LABEL } from "../lib/naming";
import { EFA_RESOURCE } from "./efaDevicePlugin";
import { createNamespace } from "./olm";
import { tolerationsFor } from "./tolerations";

export const SMOKE_TEST_NAMESPACE = "cluster-capacity-smoke-tests";

export interface SmokeTestsArgs {
    pools: PoolConfig[];
    images: { nvidia: string; neuron: string };
    provider: k8s.Provider;
}

/** The pod spec of one pool's smoke test. */
export function smokeTestPod(pool: PoolConfig, images: SmokeTestsArgs["images"]): kx.types.PodSpec {
    const nvidia = pool.accelerator === "nvidia";
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
                resources: { limits: { [nvidia ? GPU_RESOURCE : NEURON_RESOURCE]: "1", ...(pool.efa && { [EFA_RESOURCE]: "1" }) } },
            },
        ],
    };
}

export class SmokeTests extends pulumi.ComponentResource {
    readonly jobNames: string[];

    constructor(name: string, args: SmokeTestsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cluster-capacity:index:SmokeTests", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        const namespace = createNamespace(`${name}-namespace`, SMOKE_TEST_NAMESPACE, {}, childOpts);
        const pools = args.pools.filter((p) => !p.retired);
        this.jobNames = pools.map((p) => `smoke-${p.name}`);
        for (const pool of pools) {
            const pod = new kx.PodBuilder(smokeTestPod(pool, args.images));
            new kx.Job(
                `${name}-${pool.name}`,
                {
                    metadata: {
                        name: `smoke-${pool.name}`,
                        namespace: SMOKE_TEST_NAMESPACE,
                        // A pool scaled to zero may take many minutes to get a node: do not hold `pulumi up` for it.
                        annotations: { "pulumi.com/skipAwait": "true" },
                    },
                    spec: pod.asJobSpec({ backoffLimit: 0 }),
                },
                { ...childOpts, dependsOn: namespace, deleteBeforeReplace: true },
            );
        }
        this.registerOutputs({ jobs: this.jobNames });
    }
}
