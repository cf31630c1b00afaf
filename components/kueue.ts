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

export class Kueue extends pulumi.ComponentResource {
    readonly clusterQueue: string;

    constructor(name: string, args: KueueArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.pools.length === 0)
            throw new ArgsError("Kueue", name, "pools", [], "at least one pool, whose capacity is the ClusterQueue's quota");
        super("cluster-capacity:index:Kueue", name, {}, opts);
        const { settings, pools } = args;
        const childOpts = { parent: this };
        const custom = (resourceName: string, manifest: KubernetesObject, extra: pulumi.CustomResourceOptions = {}) =>
            new k8s.apiextensions.CustomResource(resourceName, manifest, { ...childOpts, ...extra });

        let ready: pulumi.Resource[] = [];
        if (settings.operator.enabled) {
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
            ready = [
                custom(`${name}-kueue`, kueueOperatorManifest(settings.operator.frameworks, fairSharing), { dependsOn: subscription }),
            ];
        }
        const afterKueue = { dependsOn: ready };
        const v = settings.apiVersion;

        const flavors = orderedFlavorParts(pools).map((part) =>
            custom(`${name}-flavor-${part.flavor}`, resourceFlavorManifest(v, part), afterKueue),
        );
        const { coveredResources } = args.quotas;
        const checks = settings.provisioningClass
            ? provisioningManifests(
                  v,
                  settings.provisioningClass,
                  coveredResources.filter((r) => r !== "cpu" && r !== "memory"),
              ).map((manifest) => custom(`${name}-${manifest.kind.toLowerCase()}`, manifest, afterKueue))
            : [];
        const afterFlavors = { dependsOn: [...ready, ...flavors, ...checks] };
        // One shared ClusterQueue, or with teams one per team: each namespace's LocalQueue points at its own.
        const queues: { queue: pulumi.Resource; name: string; namespaces: KueueNamespace[] }[] = args.teams
            ? args.teams.teams.map((quota) => ({
                  queue: custom(
                      `${name}-team-${quota.team.name}`,
                      teamClusterQueueManifest(settings, quota, coveredResources),
                      afterFlavors,
                  ),
                  name: quota.team.name,
                  namespaces: quota.team.namespaces,
              }))
            : [
                  {
                      queue: custom(`${name}-cluster-queue`, clusterQueueManifest(settings, args.quotas), afterFlavors),
                      name: settings.clusterQueue,
                      namespaces: settings.namespaces,
                  },
              ];
        this.clusterQueue = settings.clusterQueue;

        const labels = args.tenantNamespaceLabels;
        for (const { queue, name: queueName, namespaces } of queues) {
            for (const ns of namespaces) {
                const dependsOn: pulumi.Resource[] = [queue];
                if (ns.create) {
                    dependsOn.push(createNamespace(`${name}-namespace-${ns.name}`, ns.name, labels, childOpts));
                } else if (Object.keys(labels).length > 0) {
                    // A namespace someone else owns: server-side apply of these labels alone, so Pulumi owns
                    // no other field of it and deleting this resource removes only the labels.
                    dependsOn.push(
                        new k8s.core.v1.NamespacePatch(
                            `${name}-namespace-labels-${ns.name}`,
                            { metadata: { name: ns.name, labels } },
                            childOpts,
                        ),
                    );
                }
                custom(`${name}-local-queue-${ns.name}`, localQueueManifest(v, ns.name, ns.localQueue, queueName), { dependsOn });
            }
        }
        for (const priority of settings.priorityClasses) {
            custom(`${name}-priority-${priority.name}`, workloadPriorityClassManifest(v, priority), afterKueue);
        }
        for (const team of settings.teams.filter((t) => t.priorityClasses)) {
            const { policy, binding } = teamPriorityClassPolicy(team);
            const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-priority-policy-${team.name}`,
                policy,
                childOpts,
            );
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-priority-binding-${team.name}`, binding, {
                ...childOpts,
                dependsOn: created,
            });
        }
        const profiles = settings.hardwareProfiles;
        if (profiles.enabled && profiles.localQueue) {
            for (const plan of pools.filter((p) => !p.pool.retired)) {
                custom(
                    `${name}-hardware-profile-${plan.pool.kueueFlavor}`,
                    hardwareProfileManifest(plan, profiles.namespace, profiles.localQueue),
                );
            }
        }
        this.registerOutputs({ clusterQueue: this.clusterQueue, flavors: args.quotas.flavors.map((f) => f.flavor) });
    }
}
