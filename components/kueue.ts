/**
 * Kueue "GPU as a service": a ResourceFlavor per pool part (a pool with reservations or a
 * fallback has one per capacity type), one ClusterQueue (or one per team, in a cohort) whose
 * quotas are derived from the pools, LocalQueues for the tenant namespaces, optional
 * WorkloadPriorityClasses (with each team's allowed ones enforced), ProvisioningRequest admission,
 * OpenShift AI HardwareProfiles, and optionally the Red Hat build of Kueue operator.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../lib/errors";
import type { KueueConfig, KueueNamespace, KueueTeam } from "../lib/config/types";
import { FlavorPart, nodeAllocatable, orderedFlavorParts, type QueueQuotas } from "../lib/plan/kueueQuotas";
import {
    GPU_RESOURCE,
    type KubernetesObject,
    KUEUE_GROUP,
    KUEUE_MANAGED_LABEL,
    NEURON_RESOURCE,
    WORKLOAD_PRIORITY_CLASS_LABEL,
} from "../policy/lib/contract";
import type { PoolPlan } from "../lib/plan";
import type { TeamFlavorQuota, TeamQuota, TeamsPlan } from "../lib/plan/kueueTeams";
import { createNamespace, installOperator } from "./olm";
import { tolerationsFor } from "./tolerations";

const KUEUE_OPERATOR_NAMESPACE = "openshift-kueue-operator";

/**
 * The Red Hat build of Kueue admits workloads only from namespaces with this label: the operator
 * renders it into Kueue's `managedJobsNamespaceSelector` and its webhooks' namespaceSelector.
 */
export const KUEUE_MANAGED_NAMESPACE_LABELS: Readonly<Record<string, string>> = { [KUEUE_MANAGED_LABEL]: "true" };

function resourceFlavorManifest(apiVersion: string, part: FlavorPart): KubernetesObject {
    return {
        apiVersion: `${KUEUE_GROUP}/${apiVersion}`,
        kind: "ResourceFlavor",
        // The pool label, not the instance type: two pools of one type must stay apart.
        metadata: { name: part.flavor },
        spec: { nodeLabels: part.nodeLabels, tolerations: tolerationsFor(part.plan.pool.taints) },
    };
}

function clusterQueueManifest(settings: KueueConfig, quotas: QueueQuotas): KubernetesObject {
    return clusterQueueObject(
        settings,
        settings.clusterQueue,
        settings.namespaces.map((ns) => ns.name),
        quotas.coveredResources,
        quotas.flavors.map((f) => ({ flavor: f.flavor, nominalQuota: f.nominalQuota })),
    );
}

/** A team's ClusterQueue: its quota per flavor in the teams' cohort, reclaiming what it lent by preemption. */
function teamClusterQueueManifest(settings: KueueConfig, quota: TeamQuota, coveredResources: string[]): KubernetesObject {
    const { team } = quota;
    return clusterQueueObject(
        settings,
        team.name,
        team.namespaces.map((ns) => ns.name),
        coveredResources,
        quota.flavors,
        team.fairSharingWeight,
    );
}

function clusterQueueObject(
    settings: KueueConfig,
    name: string,
    namespaces: string[],
    coveredResources: string[],
    flavors: readonly TeamFlavorQuota[],
    fairSharingWeight?: number,
): KubernetesObject {
    const cohortField = settings.apiVersion === "v1beta2" ? "cohortName" : "cohort";
    const limits = (quantities: Record<string, string> | undefined, field: string, resource: string) =>
        quantities?.[resource] === undefined ? {} : { [field]: quantities[resource] };
    return {
        apiVersion: `${KUEUE_GROUP}/${settings.apiVersion}`,
        kind: "ClusterQueue",
        metadata: { name },
        spec: {
            // With tenant namespaces configured, only they may submit to the GPUs; without, any namespace with a LocalQueue may.
            namespaceSelector:
                namespaces.length > 0
                    ? { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: namespaces }] }
                    : {},
            queueingStrategy: settings.queueingStrategy,
            ...(settings.cohort && { [cohortField]: settings.cohort }),
            preemption: settings.preemption,
            ...(fairSharingWeight !== undefined && { fairSharing: { weight: String(fairSharingWeight) } }),
            ...(settings.provisioningClass && { admissionChecksStrategy: { admissionChecks: [{ name: PROVISIONING_CHECK }] } }),
            resourceGroups: [
                {
                    coveredResources,
                    flavors: flavors.map((f) => ({
                        name: f.flavor,
                        resources: Object.entries(f.nominalQuota).map(([resource, nominalQuota]) => ({
                            name: resource,
                            nominalQuota,
                            ...limits(f.borrowingLimit, "borrowingLimit", resource),
                            ...limits(f.lendingLimit, "lendingLimit", resource),
                        })),
                    })),
                },
            ],
        },
    };
}

/** The admission check (and its ProvisioningRequestConfig) every ClusterQueue requires with `kueue.provisioning`. */
const PROVISIONING_CHECK = "gpu-provisioning";

/**
 * Kueue's ProvisioningRequest admission check: before admitting a workload, Kueue creates a
 * ProvisioningRequest for its pods and waits for the cluster autoscaler to say they fit (or to
 * scale the pools up for all of them), so a gang job is not admitted into capacity that never comes.
 * `managedResources` limits the requests to workloads asking for accelerators.
 */
function provisioningManifests(apiVersion: string, provisioningClass: string, acceleratorResources: string[]): KubernetesObject[] {
    return [
        {
            apiVersion: `${KUEUE_GROUP}/${apiVersion}`,
            kind: "ProvisioningRequestConfig",
            metadata: { name: PROVISIONING_CHECK },
            spec: { provisioningClassName: provisioningClass, managedResources: acceleratorResources },
        },
        {
            apiVersion: `${KUEUE_GROUP}/${apiVersion}`,
            kind: "AdmissionCheck",
            metadata: { name: PROVISIONING_CHECK },
            spec: {
                controllerName: "kueue.x-k8s.io/provisioning-request",
                parameters: { apiGroup: KUEUE_GROUP, kind: "ProvisioningRequestConfig", name: PROVISIONING_CHECK },
            },
        },
    ];
}

function localQueueManifest(apiVersion: string, namespace: string, name: string, clusterQueue: string): KubernetesObject {
    return { apiVersion: `${KUEUE_GROUP}/${apiVersion}`, kind: "LocalQueue", metadata: { name, namespace }, spec: { clusterQueue } };
}

function workloadPriorityClassManifest(
    apiVersion: string,
    p: KueueConfig["priorityClasses"][number],
): KubernetesObject & { value: number; description?: string } {
    return {
        apiVersion: `${KUEUE_GROUP}/${apiVersion}`,
        kind: "WorkloadPriorityClass",
        metadata: { name: p.name },
        value: p.value,
        ...(p.description && { description: p.description }),
    };
}

/**
 * The WorkloadPriorityClasses a team's jobs may name: a ValidatingAdmissionPolicy over every kind
 * (Jobs, PyTorchJobs, pods…) in the team's namespaces that carries the priority-class label, and
 * its Deny binding. Kueue lets the label change after creation, so an update is checked when it
 * changes the label; other updates of an object pass, whatever its class. Kueue's Workloads carry
 * the class in `spec.priorityClassRef`, not the label (kueue v0.19.2 `jobframework/reconciler.go`),
 * so they are not checked; neither is a job without the label, which Kueue gives its pods'
 * Kubernetes PriorityClass instead.
 */
function teamPriorityClassPolicy(team: KueueTeam): {
    policy: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicy;
    binding: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
} {
    const allowed = team.priorityClasses ?? [];
    const name = `kueue-team-${team.name}-priority-classes`;
    const label = `object.metadata.labels['${WORKLOAD_PRIORITY_CLASS_LABEL}']`;
    const oldLabel = `oldObject.metadata.labels['${WORKLOAD_PRIORITY_CLASS_LABEL}']`;
    return {
        policy: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["CREATE", "UPDATE"] }],
                    namespaceSelector: {
                        matchExpressions: [
                            { key: "kubernetes.io/metadata.name", operator: "In", values: team.namespaces.map((ns) => ns.name) },
                        ],
                    },
                    objectSelector: { matchExpressions: [{ key: WORKLOAD_PRIORITY_CLASS_LABEL, operator: "Exists" }] },
                },
                matchConditions: [
                    // A namespaceSelector does not exclude cluster-scoped objects.
                    { name: "namespaced", expression: "request.namespace != ''" },
                    {
                        name: "sets-the-priority-class",
                        expression:
                            `has(object.metadata.labels) && '${WORKLOAD_PRIORITY_CLASS_LABEL}' in object.metadata.labels && ` +
                            `(request.operation == 'CREATE' || !has(oldObject.metadata.labels) || ` +
                            `!('${WORKLOAD_PRIORITY_CLASS_LABEL}' in oldObject.metadata.labels) || ${oldLabel} != ${label})`,
                    },
                ],
                validations: [
                    {
                        expression: `${label} in ${JSON.stringify(allowed).replaceAll('"', "'")}`,
                        messageExpression: `'team ${team.name} may use the WorkloadPriorityClasses ${allowed.join(", ")}, not ' + ${label}`,
                        reason: "Forbidden",
                    },
                ],
            },
        },
        binding: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata: { name },
            spec: { policyName: name, validationActions: ["Deny"] },
        },
    };
}

/** An OpenShift AI hardware profile that submits to the tenant's LocalQueue and sizes requests to one node of the pool. */
function hardwareProfileManifest(plan: PoolPlan, namespace: string, localQueueName: string): KubernetesObject {
    const node = nodeAllocatable(plan);
    const cores = Math.max(1, Math.floor(node.cpuMillis / 1000));
    const memoryGiB = Math.max(1, Math.floor(node.memoryMiB / 1024));
    // A MIG pool offers its first kind of MIG device (an all-balanced node has three).
    const [gpuResource, gpuCount] = Object.entries(plan.gpuResourcesPerNode)[0] ?? [GPU_RESOURCE, 0];
    const migDevice = Object.keys(plan.migDevicesPerGpu ?? {})[0];
    const accelerator =
        plan.pool.accelerator === "nvidia"
            ? {
                  displayName: `${plan.spec.gpuModel ?? "NVIDIA GPU"}${migDevice ? ` MIG ${migDevice}` : ""}`,
                  identifier: gpuResource,
                  maxCount: gpuCount,
              }
            : { displayName: "AWS Neuron device", identifier: NEURON_RESOURCE, maxCount: plan.spec.neuronDevices };
    return {
        apiVersion: "infrastructure.opendatahub.io/v1",
        kind: "HardwareProfile",
        metadata: {
            name: plan.pool.kueueFlavor,
            namespace,
            annotations: {
                "opendatahub.io/display-name": `${plan.pool.name}: ${plan.pool.instanceType} (${accelerator.displayName} × ${accelerator.maxCount})`,
                "opendatahub.io/description": `Runs on the ${plan.pool.name} pool through Kueue queue ${localQueueName}.`,
            },
        },
        spec: {
            identifiers: [
                {
                    displayName: "CPU",
                    identifier: "cpu",
                    resourceType: "CPU",
                    minCount: 1,
                    defaultCount: Math.min(2, cores),
                    maxCount: cores,
                },
                {
                    displayName: "Memory",
                    identifier: "memory",
                    resourceType: "Memory",
                    minCount: "1Gi",
                    defaultCount: `${Math.min(8, memoryGiB)}Gi`,
                    maxCount: `${memoryGiB}Gi`,
                },
                { ...accelerator, resourceType: "Accelerator", minCount: 1, defaultCount: 1 },
            ],
            scheduling: { type: "Queue", kueue: { localQueueName } },
        },
    };
}

/**
 * The Red Hat build's Kueue CR. With teams that set fair-sharing weights, Kueue runs with fair
 * sharing (openshift/kueue-operator `pkg/apis/kueueoperator/v1/types.go`: `preemptionPolicy`
 * FairSharing), without which the weights have no effect.
 */
function kueueOperatorManifest(frameworks: string[], fairSharing = false): KubernetesObject {
    return {
        apiVersion: "kueue.openshift.io/v1",
        kind: "Kueue",
        metadata: { name: "cluster" },
        spec: {
            managementState: "Managed",
            config: { integrations: { frameworks }, ...(fairSharing && { preemption: { preemptionPolicy: "FairSharing" } }) },
        },
    };
}

export interface KueueArgs {
    /** The stack's Kueue settings. */
    settings: KueueConfig;
    /** Every pool's plan: a flavor per pool part. */
    pools: PoolPlan[];
    /** The flavors' quotas at the pools' maximum size (lib/plan/kueueQuotas.ts queueQuotas), computed once by the program. */
    quotas: QueueQuotas;
    /**
     * Labels every tenant namespace must carry for Kueue to manage it (the Red Hat build's
     * `kueue.openshift.io/managed`); none on plain Kubernetes.
     */
    tenantNamespaceLabels: Readonly<Record<string, string>>;
    /** The teams' quotas (lib/plan/kueueTeams.ts), when `settings.teams` has teams: one ClusterQueue each. */
    teams?: TeamsPlan;
    /** With `settings.operator.enabled`, how long `pulumi up` waits for OLM to install the operator. */
    operatorInstallTimeout: string;
}

/** A ClusterQueue as registered, with the name its LocalQueues point at and the namespaces that get one. */
interface RegisteredQueue {
    queue: pulumi.Resource;
    name: string;
    namespaces: KueueNamespace[];
}

export class Kueue extends pulumi.ComponentResource {
    readonly clusterQueue: string;

    constructor(name: string, args: KueueArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.pools.length === 0)
            throw new ArgsError("Kueue", name, "pools", [], "at least one pool, whose capacity is the ClusterQueue's quota");
        super("cluster-capacity:index:Kueue", name, {}, opts);
        const { settings } = args;

        const ready = settings.operator.enabled ? this.operator(name, args) : [];
        const afterKueue = { dependsOn: ready };
        const flavors = this.flavors(name, args, afterKueue);
        const checks = this.admissionChecks(name, args, afterKueue);
        const queues = this.clusterQueues(name, args, { dependsOn: [...ready, ...flavors, ...checks] });
        this.clusterQueue = settings.clusterQueue;

        this.localQueues(name, args, queues);
        this.priorityClasses(name, settings, afterKueue);
        this.teamPriorityPolicies(name, settings);
        this.hardwareProfiles(name, args);
        this.registerOutputs({ clusterQueue: this.clusterQueue, flavors: args.quotas.flavors.map((f) => f.flavor) });
    }

    /** A Kueue object (a custom resource) of this component. */
    private custom(resourceName: string, manifest: KubernetesObject, extra: pulumi.CustomResourceOptions = {}): pulumi.Resource {
        return new k8s.apiextensions.CustomResource(resourceName, manifest, { parent: this, ...extra });
    }

    /** With kueue.operator, the Red Hat build of Kueue through OLM and its Kueue CR: what every Kueue object waits for. */
    private operator(name: string, args: KueueArgs): pulumi.Resource[] {
        const { settings } = args;
        const { subscription } = installOperator(this, `${name}-operator`, {
            namespace: KUEUE_OPERATOR_NAMESPACE,
            namespaceLabels: { "openshift.io/cluster-monitoring": "true" },
            targetOwnNamespace: false,
            operatorGroup: "openshift-kueue-operator",
            packageName: "kueue-operator",
            channel: settings.operator.channel,
            source: "redhat-operators",
            installPlanApproval: "Automatic",
            installTimeout: args.operatorInstallTimeout,
        });
        const fairSharing = settings.teams.some((t) => t.fairSharingWeight !== undefined);
        return [
            this.custom(`${name}-kueue`, kueueOperatorManifest(settings.operator.frameworks, fairSharing), { dependsOn: subscription }),
        ];
    }

    /** A ResourceFlavor per pool part. */
    private flavors(name: string, args: KueueArgs, afterKueue: pulumi.CustomResourceOptions): pulumi.Resource[] {
        const v = args.settings.apiVersion;
        return orderedFlavorParts(args.pools).map((part) =>
            this.custom(`${name}-flavor-${part.flavor}`, resourceFlavorManifest(v, part), afterKueue),
        );
    }

    /** With kueue.provisioning, the ProvisioningRequest admission check for the accelerators, and its config. */
    private admissionChecks(name: string, args: KueueArgs, afterKueue: pulumi.CustomResourceOptions): pulumi.Resource[] {
        const { settings } = args;
        if (!settings.provisioningClass) return [];
        return provisioningManifests(
            settings.apiVersion,
            settings.provisioningClass,
            args.quotas.coveredResources.filter((r) => r !== "cpu" && r !== "memory"),
        ).map((manifest) => this.custom(`${name}-${manifest.kind.toLowerCase()}`, manifest, afterKueue));
    }

    /** One shared ClusterQueue, or with teams one per team: each namespace's LocalQueue points at its own. */
    private clusterQueues(name: string, args: KueueArgs, afterFlavors: pulumi.CustomResourceOptions): RegisteredQueue[] {
        const { settings } = args;
        const { coveredResources } = args.quotas;
        if (args.teams) {
            return args.teams.teams.map((quota) => ({
                queue: this.custom(
                    `${name}-team-${quota.team.name}`,
                    teamClusterQueueManifest(settings, quota, coveredResources),
                    afterFlavors,
                ),
                name: quota.team.name,
                namespaces: quota.team.namespaces,
            }));
        }
        return [
            {
                queue: this.custom(`${name}-cluster-queue`, clusterQueueManifest(settings, args.quotas), afterFlavors),
                name: settings.clusterQueue,
                namespaces: settings.namespaces,
            },
        ];
    }

    /** Each tenant namespace (created, or labelled for Kueue) and its LocalQueue, after the namespace and its ClusterQueue. */
    private localQueues(name: string, args: KueueArgs, queues: readonly RegisteredQueue[]): void {
        const labels = args.tenantNamespaceLabels;
        for (const { queue, name: queueName, namespaces } of queues) {
            for (const ns of namespaces) {
                const dependsOn: pulumi.Resource[] = [queue];
                const namespace = this.tenantNamespace(name, ns, labels);
                if (namespace) dependsOn.push(namespace);
                this.custom(
                    `${name}-local-queue-${ns.name}`,
                    localQueueManifest(args.settings.apiVersion, ns.name, ns.localQueue, queueName),
                    {
                        dependsOn,
                    },
                );
            }
        }
    }

    /** A tenant namespace this stack creates, or the tenant labels on one someone else owns; none without labels to set. */
    private tenantNamespace(name: string, ns: KueueNamespace, labels: Readonly<Record<string, string>>): pulumi.Resource | undefined {
        if (ns.create) return createNamespace(`${name}-namespace-${ns.name}`, ns.name, labels, { parent: this });
        if (Object.keys(labels).length === 0) return undefined;
        // A namespace someone else owns: server-side apply of these labels alone, so Pulumi owns
        // no other field of it and deleting this resource removes only the labels.
        return new k8s.core.v1.NamespacePatch(
            `${name}-namespace-labels-${ns.name}`,
            { metadata: { name: ns.name, labels } },
            { parent: this },
        );
    }

    /** The WorkloadPriorityClasses of kueue.priorityClasses. */
    private priorityClasses(name: string, settings: KueueConfig, afterKueue: pulumi.CustomResourceOptions): void {
        for (const priority of settings.priorityClasses) {
            this.custom(`${name}-priority-${priority.name}`, workloadPriorityClassManifest(settings.apiVersion, priority), afterKueue);
        }
    }

    /** For each team that lists its priority classes, the admission policy that enforces them and its binding. */
    private teamPriorityPolicies(name: string, settings: KueueConfig): void {
        for (const team of settings.teams.filter((t) => t.priorityClasses)) {
            const { policy, binding } = teamPriorityClassPolicy(team);
            const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-priority-policy-${team.name}`, policy, {
                parent: this,
            });
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-priority-binding-${team.name}`, binding, {
                parent: this,
                dependsOn: created,
            });
        }
    }

    /** With kueue.hardwareProfiles and its LocalQueue, an OpenShift AI HardwareProfile per pool still in service. */
    private hardwareProfiles(name: string, args: KueueArgs): void {
        const profiles = args.settings.hardwareProfiles;
        if (!profiles.enabled || !profiles.localQueue) return;
        for (const plan of args.pools.filter((p) => !p.pool.retired)) {
            this.custom(
                `${name}-hardware-profile-${plan.pool.kueueFlavor}`,
                hardwareProfileManifest(plan, profiles.namespace, profiles.localQueue),
            );
        }
    }
}
