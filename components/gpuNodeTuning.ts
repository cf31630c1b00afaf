/**
 * OS tuning of GPU nodes: the `worker-gpu` MachineConfigPool with the base tuning every GPU node
 * gets, and a MachineConfigPool of its own for each pool with sysctls or kernel arguments (a node
 * belongs to one custom pool, so per-pool tuning needs per-pool pools that inherit the base).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../lib/errors";
import type { PoolConfig } from "../lib/config/types";
import { GPU_MACHINE_CONFIG_POOL, nodeRoleLabel, tunedPoolRole } from "../lib/naming";
import { ignitionVersion, OpenShiftVersion } from "../lib/openshift";
import type { KubernetesObject } from "../policy/lib/contract";

const ROLE_LABEL = "machineconfiguration.openshift.io/role";

/** NVIDIA recommends disabling automatic NUMA balancing on GPU servers: it migrates pages under running kernels. */
const BASE_GPU_SYSCTLS: Readonly<Record<string, string>> = { "kernel.numa_balancing": "0" };

function hasOwnTuning(pool: PoolConfig): boolean {
    return Object.keys(pool.sysctls).length > 0 || pool.kernelArguments.length > 0;
}

/**
 * The MachineConfigPool role a pool's nodes join: an NVIDIA pool's own (with its own tuning) or
 * `worker-gpu`; any other pool's nodes stay ordinary workers.
 */
export function machineConfigRoleOf(pool: PoolConfig): string {
    if (pool.accelerator !== "nvidia") return "worker";
    return hasOwnTuning(pool) ? tunedPoolRole(pool.name) : GPU_MACHINE_CONFIG_POOL;
}

function machineConfigPoolManifest(role: string): KubernetesObject {
    const roles = role === GPU_MACHINE_CONFIG_POOL ? ["worker", role] : ["worker", GPU_MACHINE_CONFIG_POOL, role];
    return {
        apiVersion: "machineconfiguration.openshift.io/v1",
        kind: "MachineConfigPool",
        metadata: { name: role, labels: { [`pools.operator.machineconfiguration.openshift.io/${role}`]: "" } },
        spec: {
            machineConfigSelector: { matchExpressions: [{ key: ROLE_LABEL, operator: "In", values: roles }] },
            nodeSelector: { matchLabels: { [nodeRoleLabel(role)]: "" } },
            // One GPU node at a time: rebooting several drains running jobs at once.
            maxUnavailable: 1,
        },
    };
}

function sysctlFile(sysctls: Readonly<Record<string, string>>): string {
    return Object.entries(sysctls)
        .map(([key, value]) => `${key} = ${value}\n`)
        .join("");
}

function machineConfigManifest(
    name: string,
    role: string,
    version: OpenShiftVersion,
    sysctls: Readonly<Record<string, string>>,
    kernelArguments: readonly string[],
): KubernetesObject {
    const files =
        Object.keys(sysctls).length === 0
            ? []
            : [
                  {
                      path: `/etc/sysctl.d/${name}.conf`,
                      mode: 0o644,
                      overwrite: true,
                      contents: { source: `data:,${encodeURIComponent(sysctlFile(sysctls))}` },
                  },
              ];
    return {
        apiVersion: "machineconfiguration.openshift.io/v1",
        kind: "MachineConfig",
        metadata: { name, labels: { [ROLE_LABEL]: role } },
        spec: {
            config: { ignition: { version: ignitionVersion(version) }, storage: { files } },
            ...(kernelArguments.length > 0 && { kernelArguments: [...kernelArguments] }),
        },
    };
}

export interface GpuNodeTuningArgs {
    openshiftVersion: OpenShiftVersion;
    /** The NVIDIA pools; those with sysctls or kernel arguments get their own MachineConfigPool. */
    pools: PoolConfig[];
}

export class GpuNodeTuning extends pulumi.ComponentResource {
    readonly machineConfigPools: k8s.apiextensions.CustomResource[] = [];
    readonly machineConfigs: k8s.apiextensions.CustomResource[] = [];

    constructor(name: string, args: GpuNodeTuningArgs, opts?: pulumi.ComponentResourceOptions) {
        const other = args.pools.findIndex((p) => p.accelerator !== "nvidia");
        if (other >= 0) throw new ArgsError("GpuNodeTuning", name, `pools[${other}].accelerator`, args.pools[other].accelerator, "nvidia");
        super("cluster-capacity:index:GpuNodeTuning", name, {}, opts);
        const childOpts = { parent: this };
        const add = (list: k8s.apiextensions.CustomResource[], resourceName: string, manifest: KubernetesObject) =>
            list.push(new k8s.apiextensions.CustomResource(resourceName, manifest, childOpts));

        add(this.machineConfigPools, `${name}-${GPU_MACHINE_CONFIG_POOL}`, machineConfigPoolManifest(GPU_MACHINE_CONFIG_POOL));
        add(
            this.machineConfigs,
            `${name}-base`,
            machineConfigManifest(
                `99-${GPU_MACHINE_CONFIG_POOL}-cluster-capacity`,
                GPU_MACHINE_CONFIG_POOL,
                args.openshiftVersion,
                BASE_GPU_SYSCTLS,
                [],
            ),
        );
        for (const pool of args.pools.filter(hasOwnTuning)) {
            const role = tunedPoolRole(pool.name);
            add(this.machineConfigPools, `${name}-${role}`, machineConfigPoolManifest(role));
            add(
                this.machineConfigs,
                `${name}-${pool.name}-tuning`,
                machineConfigManifest(`99-${role}-cluster-capacity`, role, args.openshiftVersion, pool.sysctls, pool.kernelArguments),
            );
        }
        this.registerOutputs({ roles: this.machineConfigPools.map((p) => p.metadata.name) });
    }
}
