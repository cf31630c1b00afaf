/** Resources as the analyzer sees them, built from the program's own manifest builders. */
import { machineAutoscalerManifest, machineSetManifest } from "../../components/machineSetManifest";
import { installerIdentity } from "../../lib/lookups/machineNetwork";
import type { PoolConfig } from "../../lib/config/types";
import { clusterAutoscalerManifest } from "../../components/clusterAutoscaling";
import type { RegisteredResource } from "./harness";
import { poolConfig } from "./pools";

export const POOL: PoolConfig = poolConfig({
    name: "l4",
    rootVolume: { sizeGiB: 120, type: "gp3" },
    ami: { id: "ami-0123456789abcdef0", owners: [], managedByCluster: false },
    healthCheck: { enabled: true, maxUnhealthy: 1, nodeStartupTimeout: "25m" },
});

export function resource(
    type: string,
    name: string,
    props: object,
    options: Partial<Pick<RegisteredResource, "protect" | "ignoreChanges">> = {},
): RegisteredResource {
    return {
        type,
        name,
        urn: `urn:pulumi:test::cluster-capacity::${type}::${name}`,
        inputs: JSON.parse(JSON.stringify(props)) as Record<string, unknown>,
        protect: options.protect ?? true,
        ignoreChanges: options.ignoreChanges ?? [],
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        customTimeouts: { create: "", update: "", delete: "" },
        parent: "",
        custom: true,
        provider: "",
        dependencies: [],
    };
}

export const MACHINE_SET_TYPE = "kubernetes:machine.openshift.io/v1beta1:MachineSet";

export function machineSet(
    pool: Partial<PoolConfig> = {},
    options: Partial<Pick<RegisteredResource, "protect" | "ignoreChanges">> & { zone?: string; replicas?: number } = {},
): RegisteredResource {
    const merged = { ...POOL, ...pool };
    const zone = options.zone ?? merged.zones[0];
    const name = `test-abcde-${merged.name}-${zone}`;
    const manifest = machineSetManifest({
        infraId: "test-abcde",
        region: "us-east-2",
        pool: merged,
        zone,
        name,
        replicas: options.replicas ?? merged.replicas,
        amiId: "ami-0123456789abcdef0",
        role: "worker-gpu",
        network: {
            ...installerIdentity("test-abcde"),
            subnet: { filters: [{ name: "tag:Name", values: [`test-abcde-subnet-private-${zone}`] }] },
            securityGroups: [{ filters: [{ name: "tag:Name", values: ["test-abcde-node"] }] }],
        },
    });
    return resource(MACHINE_SET_TYPE, `${merged.name}-${zone}`, manifest, options);
}

export function machineAutoscaler(target: string, min: number, max: number): RegisteredResource {
    return resource(
        "kubernetes:autoscaling.openshift.io/v1beta1:MachineAutoscaler",
        `${target}-autoscaler`,
        machineAutoscalerManifest(target, min, max),
        { protect: false },
    );
}

export function clusterAutoscaler(types: string[]): RegisteredResource {
    const manifest = clusterAutoscalerManifest(
        { maxNodeProvisionTime: "30m", scaleDownEnabled: true, scaleDownDelayAfterAdd: "10m", scaleDownUnneededTime: "10m" },
        types.map((type) => ({ type, maxGpus: 4 })),
    );
    return resource("kubernetes:autoscaling.openshift.io/v1:ClusterAutoscaler", "cluster-autoscaling-default", manifest, {
        protect: false,
    });
}

export function resourceFlavor(name: string, nodeLabels: Record<string, string>, tolerations: object[] = []): RegisteredResource {
    return resource(
        "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor",
        name,
        { apiVersion: "kueue.x-k8s.io/v1beta2", kind: "ResourceFlavor", metadata: { name }, spec: { nodeLabels, tolerations } },
        { protect: false },
    );
}

/** Edits a copy of a resource's rendered object. */
export function edited(r: RegisteredResource, edit: (props: any) => void): RegisteredResource {
    const copy = resource(r.type, r.name, r.inputs, r);
    edit(copy.inputs);
    return copy;
}
