/**
 * Reading the objects cluster-capacity renders, as the policies see them: resource type tokens and
 * plain views of MachineSets and autoscalers. Values unknown during preview throw the policy SDK's
 * UnknownValueError when read; the analyzer turns that into an advisory note, not a crash.
 */

import { MACHINE_AUTOSCALER, MACHINE_SET, type Taint, type Toleration } from "./contract";

/** The part of a Pulumi policy resource the guardrails read; PolicyResource and test fixtures both fit. */
export interface ResourceLike {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    opts: { protect: boolean; ignoreChanges: string[] };
}

/** The fields of the rendered objects the policies read; everything is optional, as in a hand-written object. */
interface ObjectView {
    metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: {
        replicas?: number;
        template?: {
            spec?: {
                metadata?: { labels?: Record<string, string> };
                taints?: Taint[];
                providerSpec?: { value?: ProviderSpec };
            };
        };
        scaleTargetRef?: { kind?: string; name?: string };
        minReplicas?: number;
        maxReplicas?: number;
        resourceLimits?: { gpus?: { type: string }[] };
        nodeLabels?: Record<string, string>;
        tolerations?: Toleration[];
    };
}

interface ProviderSpec {
    instanceType?: string;
    spotMarketOptions?: object;
    marketType?: string;
    capacityReservationId?: string;
    metadataServiceOptions?: { authentication?: string };
    blockDevices?: { ebs?: { encrypted?: boolean } }[];
}

/** A resource's inputs read as a Kubernetes object (the analyzer hands them over untyped). */
export function objectOf(resource: Pick<ResourceLike, "props">): ObjectView {
    return resource.props;
}

interface MachineSetView {
    resource: ResourceLike;
    /** `metadata.name`, or the resource name when the object is auto-named. */
    name: string;
    instanceType: string | undefined;
    spot: boolean;
    /** The capacity reservation its machines launch into: they count against it, not an EC2 quota. */
    capacityReservationId: string | undefined;
    /** `spec.replicas`, defaulting to 1 as the MachineSet API does. */
    replicas: number;
    nodeLabels: Record<string, string>;
    taints: Taint[];
    providerSpec: ProviderSpec;
}

export function machineSetView(resource: ResourceLike): MachineSetView {
    const object = objectOf(resource);
    const template = object.spec?.template?.spec ?? {};
    const providerSpec = template.providerSpec?.value ?? {};
    return {
        resource,
        name: object.metadata?.name ?? resource.name,
        instanceType: providerSpec.instanceType,
        spot: providerSpec.spotMarketOptions !== undefined || providerSpec.marketType === "Spot",
        capacityReservationId: providerSpec.capacityReservationId,
        replicas: object.spec?.replicas ?? 1,
        nodeLabels: template.metadata?.labels ?? {},
        taints: template.taints ?? [],
        providerSpec,
    };
}

export function machineSets(resources: readonly ResourceLike[]): MachineSetView[] {
    return resources.filter((r) => r.type === MACHINE_SET).map(machineSetView);
}

interface AutoscalerTarget {
    resource: ResourceLike;
    target: string | undefined;
    kind: string | undefined;
    minReplicas: number;
    maxReplicas: number;
}

export function machineAutoscalers(resources: readonly ResourceLike[]): AutoscalerTarget[] {
    return resources
        .filter((r) => r.type === MACHINE_AUTOSCALER)
        .map((resource) => {
            const spec = objectOf(resource).spec;
            return {
                resource,
                target: spec?.scaleTargetRef?.name,
                kind: spec?.scaleTargetRef?.kind,
                minReplicas: spec?.minReplicas ?? 0,
                maxReplicas: spec?.maxReplicas ?? 0,
            };
        });
}

/** Whether a MachineSet is targeted by a MachineAutoscaler of the stack. */
export function autoscaledNames(resources: readonly ResourceLike[]): Set<string> {
    return new Set(
        machineAutoscalers(resources)
            .filter((a) => a.kind === "MachineSet" && a.target)
            .map((a) => a.target as string),
    );
}

/** The autoscalers targeting each MachineSet by name (a stack may wrongly have several for one). */
export function autoscalersByTarget(resources: readonly ResourceLike[]): Map<string, AutoscalerTarget[]> {
    const byTarget = new Map<string, AutoscalerTarget[]>();
    for (const autoscaler of machineAutoscalers(resources)) {
        if (autoscaler.kind === "MachineSet" && autoscaler.target) {
            byTarget.set(autoscaler.target, [...(byTarget.get(autoscaler.target) ?? []), autoscaler]);
        }
    }
    return byTarget;
}

/** A machine count as the quota counts it: a negative or non-numeric count adds nothing and cancels nothing. */
function machineCount(value: unknown): number {
    return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** The machines each MachineSet asks for now: its autoscaler's minimum, else `spec.replicas`. */
export function desiredMachines(resources: readonly ResourceLike[]): Map<string, number> {
    const byTarget = autoscalersByTarget(resources);
    return new Map(
        machineSets(resources).map((ms) => {
            const autoscalers = byTarget.get(ms.name);
            const desired = autoscalers ? Math.max(...autoscalers.map((a) => machineCount(a.minReplicas))) : machineCount(ms.replicas);
            return [ms.name, desired];
        }),
    );
}

/**
 * The most machines each MachineSet can have: the largest of its `spec.replicas` and the
 * `maxReplicas` of every autoscaler targeting it. `spec.replicas` counts even when autoscaled: it
 * is what the MachineSet gets on creation, before any autoscaler acts.
 */
export function maxMachines(resources: readonly ResourceLike[]): Map<string, number> {
    const byTarget = autoscalersByTarget(resources);
    return new Map(
        machineSets(resources).map((ms) => [
            ms.name,
            Math.max(machineCount(ms.replicas), ...(byTarget.get(ms.name) ?? []).map((a) => machineCount(a.maxReplicas))),
        ]),
    );
}

/**
 * The Name a Machine of `machineSet` has (in the cluster and as its EC2 Name tag), less its 5 random
 * characters: the MachineSet name and a dash, cut to the 58 characters Kubernetes keeps of a
 * `generateName` prefix.
 */
export function machineNamePrefix(machineSet: string): string {
    return `${machineSet}-`.slice(0, 58);
}
