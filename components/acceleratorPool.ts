/**
 * Node pools: one protected MachineSet per zone, and a MachineAutoscaler per MachineSet when the
 * pool autoscales. GpuPool and InferentiaPool share this machinery and differ in node role and
 * accelerator resources.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PoolPlan } from "../lib/plan";
import { machineAutoscalerManifest, machineSetManifest } from "./machineSetManifest";

export interface AcceleratorPoolArgs {
    infraId: string;
    region: string;
    /** The pool's plan: config, instance spec, AMI and MachineSet names. */
    plan: PoolPlan;
    provider: k8s.Provider;
}

export interface GpuPoolArgs extends AcceleratorPoolArgs {
    /** The MachineConfigPool role the pool's nodes join (`worker-gpu` or `worker-gpu-<pool>`). */
    machineConfigRole: string;
}

const AMI_PATH = "spec.template.spec.providerSpec.value.ami";

abstract class AcceleratorPool extends pulumi.ComponentResource {
    readonly machineSets: k8s.apiextensions.CustomResource[] = [];
    readonly machineAutoscalers: k8s.apiextensions.CustomResource[] = [];
    readonly machineSetNames: string[];
    readonly maxNodes: number;

    protected constructor(type: string, name: string, args: AcceleratorPoolArgs, role: string, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        const { plan } = args;
        const { pool } = plan;
        if (!args.infraId) {
            throw new Error(`${type} ${name}: infraId is required to name MachineSets`);
        }
        if (!plan.amiId) {
            throw new Error(`${type} ${name}: no AMI id for pool ${pool.name}`);
        }
        // The autoscaler owns spec.replicas; with boot-image management the cluster owns the AMI.
        const ignoreChanges = [...(pool.autoscaling ? ["spec.replicas"] : []), ...(plan.ignoreAmiDrift ? [AMI_PATH] : [])];
        for (const machineSet of plan.machineSets) {
            if (!machineSet.network) {
                throw new Error(
                    `${type} ${name}: no network for ${machineSet.zone}; the lookups should have found one or refused the config`,
                );
            }
            const manifest = machineSetManifest({
                network: machineSet.network,
                ...args,
                pool,
                zone: machineSet.zone,
                name: machineSet.name,
                replicas: machineSet.replicas,
                amiId: plan.amiId,
                role,
            });
            this.machineSets.push(
                new k8s.apiextensions.CustomResource(`${name}-${machineSet.zone}`, manifest, {
                    parent: this,
                    provider: args.provider,
                    protect: true,
                    ignoreChanges,
                }),
            );
            if (pool.autoscaling) {
                const autoscaler = machineAutoscalerManifest(machineSet.name, pool.autoscaling.minReplicas, pool.autoscaling.maxReplicas);
                this.machineAutoscalers.push(
                    new k8s.apiextensions.CustomResource(`${name}-${machineSet.zone}-autoscaler`, autoscaler, {
                        parent: this,
                        provider: args.provider,
                        dependsOn: this.machineSets[this.machineSets.length - 1],
                    }),
                );
            }
        }
        this.machineSetNames = plan.machineSets.map((m) => m.name);
        this.maxNodes = plan.maxNodes;
    }
}

/** An NVIDIA GPU node pool. */
export class GpuPool extends AcceleratorPool {
    readonly maxGpus: number;

    constructor(name: string, args: GpuPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.plan.pool.accelerator !== "nvidia") {
            throw new Error(
                `GpuPool ${name}: pool ${args.plan.pool.name} has accelerator ${args.plan.pool.accelerator}; use InferentiaPool`,
            );
        }
        super("cluster-capacity:index:GpuPool", name, args, args.machineConfigRole, opts);
        this.maxGpus = args.plan.maxGpus;
        this.registerOutputs({ machineSetNames: this.machineSetNames, maxNodes: this.maxNodes, maxGpus: this.maxGpus });
    }
}

/** An AWS Inferentia/Trainium node pool; its nodes stay in the ordinary worker MachineConfigPool. */
export class InferentiaPool extends AcceleratorPool {
    readonly maxNeuronDevices: number;

    constructor(name: string, args: AcceleratorPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.plan.pool.accelerator !== "neuron") {
            throw new Error(
                `InferentiaPool ${name}: pool ${args.plan.pool.name} has accelerator ${args.plan.pool.accelerator}; use GpuPool`,
            );
        }
        super("cluster-capacity:index:InferentiaPool", name, args, "worker", opts);
        this.maxNeuronDevices = args.plan.maxNeuronDevices;
        this.registerOutputs({ machineSetNames: this.machineSetNames, maxNodes: this.maxNodes, maxNeuronDevices: this.maxNeuronDevices });
    }
}
