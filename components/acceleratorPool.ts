/**
 * Node pools: one protected MachineSet per zone, and a MachineAutoscaler per MachineSet when the
 * pool autoscales. GpuPool and InferentiaPool share this machinery and differ in node role and
 * accelerator resources.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { efaSecurityGroupName } from "../lib/naming";
import { ArgsError } from "../lib/errors";
import type { Accelerator } from "../policy/lib/contract";
import { clusterTag } from "../lib/lookups/machineNetwork";
import type { PoolPlan } from "../lib/plan";
import { machineAutoscalerManifest, machineHealthCheckManifest, poolMachineSets } from "./machineSetManifest";

export interface AcceleratorPoolArgs {
    /** The cluster's infrastructure id: it prefixes the MachineSet names and tags the AWS resources. */
    infraId: string;
    /** The cluster's AWS region, where the MachineSets launch. */
    region: string;
    /** The pool's plan: config, instance spec, AMI and MachineSet names. */
    plan: PoolPlan;
    /** The cluster's VPC, where an EFA pool's security group goes (from the lookups). */
    vpcId?: string;
    /**
     * The cluster's deletion guard (PoolDeletionGuard): the MachineSets depend on it, so no delete
     * of the stack removes the guard before the MachineSets it refused. None before OpenShift 4.17.
     */
    deletionGuard?: pulumi.Resource;
}

export interface GpuPoolArgs extends AcceleratorPoolArgs {
    /** The MachineConfigPool role the pool's nodes join (`worker-gpu` or `worker-gpu-<pool>`). */
    machineConfigRole: string;
}

function requireAccelerator(component: string, name: string, args: AcceleratorPoolArgs, accelerator: Accelerator, other: string): void {
    if (args.plan.pool.accelerator !== accelerator) {
        throw new ArgsError(
            component,
            name,
            "plan.pool.accelerator",
            args.plan.pool.accelerator,
            `${accelerator} (${other} takes the others)`,
        );
    }
}

abstract class AcceleratorPool extends pulumi.ComponentResource {
    readonly machineSets: k8s.apiextensions.CustomResource[] = [];
    readonly machineAutoscalers: k8s.apiextensions.CustomResource[] = [];
    readonly machineSetNames: string[];
    readonly maxNodes: number;

    protected constructor(type: string, name: string, args: AcceleratorPoolArgs, role: string, opts?: pulumi.ComponentResourceOptions) {
        const component = type.split(":").pop() ?? type;
        if (!args.infraId)
            throw new ArgsError(component, name, "infraId", args.infraId, "the cluster's infrastructure id, which names the MachineSets");
        if (!args.plan.amiId) throw new ArgsError(component, name, "plan.amiId", args.plan.amiId, "the AMI the lookups found for the pool");
        const withoutNetwork = args.plan.machineSets.find((m) => !m.network);
        if (withoutNetwork) {
            throw new ArgsError(
                component,
                name,
                `plan.machineSets[${args.plan.machineSets.indexOf(withoutNetwork)}].network`,
                undefined,
                `the subnet and security groups of ${withoutNetwork.zone}, from the lookups`,
            );
        }
        if (args.plan.pool.efa && !args.vpcId) {
            throw new ArgsError(
                component,
                name,
                "vpcId",
                args.vpcId,
                "the cluster's VPC for an EFA pool's security group, from the lookups",
            );
        }
        // No inputs: a component's inputs are stored in the state and printed by every preview, and
        // the pool's plan is large; what it made is in its outputs (docs/design.md, benchmark).
        super(type, name, {}, opts);
        const { plan } = args;
        const { pool } = plan;
        const awsResources = this.trainingResources(name, args);
        for (const machineSet of poolMachineSets(args, role)) {
            const resourceName = `${name}-${machineSet.resourceSuffix}`;
            this.machineSets.push(
                new k8s.apiextensions.CustomResource(resourceName, machineSet.manifest, {
                    parent: this,
                    protect: true,
                    ignoreChanges: machineSet.ignoreChanges,
                    dependsOn: [...awsResources, ...(args.deletionGuard ? [args.deletionGuard] : [])],
                }),
            );
            if (machineSet.autoscaling) {
                const { minReplicas, maxReplicas } = machineSet.autoscaling;
                this.machineAutoscalers.push(
                    new k8s.apiextensions.CustomResource(
                        `${resourceName}-autoscaler`,
                        machineAutoscalerManifest(machineSet.manifest.metadata.name, minReplicas, maxReplicas),
                        {
                            parent: this,
                            dependsOn: this.machineSets[this.machineSets.length - 1],
                        },
                    ),
                );
            }
        }
        this.machineSetNames = plan.machineSets.map((m) => m.name);

        // A retired pool launches nothing, so there is nothing to heal.
        if (pool.healthCheck.enabled && !pool.retired && this.machineSetNames.length > 0) {
            new k8s.apiextensions.CustomResource(
                `${name}-health-check`,
                machineHealthCheckManifest(args.infraId, pool, this.machineSetNames),
                { parent: this, dependsOn: this.machineSets },
            );
        }
        this.maxNodes = plan.maxNodes;
    }

    /**
     * What an EFA pool needs in AWS before its machines launch: a security group open to all traffic
     * within itself (EFA's OS-bypass traffic must be allowed both ways between the instances, AWS EC2
     * User Guide "Prepare an EFA-enabled security group"), found by the MachineSets through its Name
     * tag; and a cluster placement group when the pool creates its own, protected like the
     * MachineSets since the machines in it would lose their placement.
     */
    private trainingResources(name: string, args: AcceleratorPoolArgs): pulumi.Resource[] {
        const { pool } = args.plan;
        const created: pulumi.Resource[] = [];
        if (pool.efa) {
            const groupName = efaSecurityGroupName(args.infraId, pool.name);
            const self = { protocol: "-1", fromPort: 0, toPort: 0, self: true };
            created.push(
                new aws.ec2.SecurityGroup(
                    `${name}-efa`,
                    {
                        name: groupName,
                        description: `EFA traffic between the machines of pool ${pool.name}`,
                        vpcId: args.vpcId,
                        region: args.region,
                        ingress: [self],
                        egress: [self],
                        tags: { Name: groupName, [clusterTag(args.infraId)]: "owned" },
                    },
                    { parent: this },
                ),
            );
        }
        if (pool.placementGroup?.create) {
            created.push(
                new aws.ec2.PlacementGroup(
                    `${name}-placement-group`,
                    { name: pool.placementGroup.name, strategy: "cluster", region: args.region },
                    { parent: this, protect: true },
                ),
            );
        }
        return created;
    }
}

/** An NVIDIA GPU node pool. */
export class GpuPool extends AcceleratorPool {
    readonly maxGpus: number;

    constructor(name: string, args: GpuPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        requireAccelerator("GpuPool", name, args, "nvidia", "InferentiaPool");
        super("cluster-capacity:index:GpuPool", name, args, args.machineConfigRole, opts);
        this.maxGpus = args.plan.maxGpus;
        this.registerOutputs({ machineSetNames: this.machineSetNames, maxNodes: this.maxNodes, maxGpus: this.maxGpus });
    }
}

/** An AWS Inferentia/Trainium node pool; its nodes stay in the ordinary worker MachineConfigPool. */
export class InferentiaPool extends AcceleratorPool {
    readonly maxNeuronDevices: number;

    constructor(name: string, args: AcceleratorPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        requireAccelerator("InferentiaPool", name, args, "neuron", "GpuPool");
        super("cluster-capacity:index:InferentiaPool", name, args, "worker", opts);
        this.maxNeuronDevices = args.plan.maxNeuronDevices;
        this.registerOutputs({ machineSetNames: this.machineSetNames, maxNodes: this.maxNodes, maxNeuronDevices: this.maxNeuronDevices });
    }
}
