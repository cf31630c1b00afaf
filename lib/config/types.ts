/** The validated stack configuration, with defaults applied. Components receive parts of it. */
import type { InstanceSpec } from "../../policy/lib/catalogue";
import type { Accelerator, KueueApiVersion, LookupMode, Taint } from "../../policy/lib/contract";
import type { OpenShiftVersion } from "../openshift";
import type { Market } from "../../policy/lib/contract";

export type Platform = "openshift" | "kubernetes";

export interface ClusterConfig {
    name: string;
    infraId: string;
    platform: Platform;
    openshiftVersion: OpenShiftVersion;
    region: string;
    accountId?: string;
}

/** Where new pools' machines attach (lib/lookups/machineNetwork.ts); empty: discover it. */
export interface NetworkConfig {
    /** An existing worker MachineSet to copy network and identity from, its zone swapped. */
    workerMachineSet?: string;
    /** Explicit subnets per zone, with securityGroups: no discovery. */
    subnets?: Record<string, string>;
    securityGroups?: string[];
    instanceProfile?: string;
}

export interface AmiQuery {
    id?: string;
    owners: string[];
    namePattern?: string;
    /** Ignore AMI drift (OpenShift ≥ 4.19 boot-image management); undefined: when the AMI is the cluster's boot image on ≥ 4.19. */
    managedByCluster?: boolean;
}

interface RootVolume {
    sizeGiB: number;
    type: "gp3" | "gp2" | "io1" | "io2";
    iops?: number;
    throughputMiBps?: number;
    kmsKeyArn?: string;
}

export interface Autoscaling {
    minReplicas: number;
    maxReplicas: number;
}

export interface PoolConfig {
    name: string;
    accelerator: Accelerator;
    instanceType: string;
    /** As configured; for a `zonesFromCluster` pool, empty until `withPoolZones` (lib/lookups/zones.ts) gives the looked-up ones. */
    zones: string[];
    /** No zones in config: the cluster's zones where AWS offers the type (lookups). */
    zonesFromCluster: boolean;
    market: Market;
    replicas: number;
    autoscaling?: Autoscaling;
    labels: Record<string, string>;
    taints: Taint[];
    rootVolume: RootVolume;
    timeSlicing?: number;
    kueueFlavor: string;
    sysctls: Record<string, string>;
    kernelArguments: string[];
    ami: AmiQuery;
    /** Whether `ami` came from the pool entry rather than the stack-wide `ami`. */
    amiFromPool: boolean;
    providerSpec: Record<string, unknown>;
    /** Scaled to 0 without autoscaler, MachineSets kept (and protected) until removed on purpose. */
    retired: boolean;
    /** Capacity reservation ids (ODCR or Capacity Block): one MachineSet each, in its zone. */
    capacityReservations: string[];
    /** The pool's MachineHealthCheck; `enabled` already defaulted (off for reserved pools). */
    healthCheck: HealthCheck;
    /** With gpuOperator.driverPerPool: the pool's driver version and upgrade policy (its NVIDIADriver CR). */
    driver?: { version?: string; upgradePolicy?: Record<string, unknown> };
    /** MIG: its GPUs are split into MIG devices (the ClusterPolicy's strategy names their resources). */
    mig?: MigLayout;
    /** Spot pools: an on-demand MachineSet per zone too, grown after the spot ones (priority expander). */
    onDemandFallback: boolean;
    /** Elastic Fabric Adapter on each machine, with a security group open within itself. */
    efa: boolean;
    /** The EC2 placement group of the pool's machines; `create`: this stack owns a cluster placement group. */
    placementGroup?: { name: string; create: boolean };
}

/**
 * A pool's MIG layout, the value of its nodes' `nvidia.com/mig.config` label: a config the GPU
 * Operator's mig-manager knows (`all-1g.10gb`, `all-balanced`), or a custom name with its devices
 * per GPU (`{ "3g.40gb": 1, "1g.10gb": 4 }`), which this stack's mig-parted ConfigMap defines.
 */
export interface MigLayout {
    profile: string;
    devices?: Record<string, number>;
    /** The cluster's MIG strategy (gpuOperator.migStrategy), which names the resources the pool's nodes advertise. */
    strategy: "single" | "mixed";
}

export interface HealthCheck {
    enabled: boolean;
    /** A machine count or a percentage, as MachineHealthCheck takes it. */
    maxUnhealthy: number | string;
    nodeStartupTimeout: string;
}

/** What AWS says of a capacity reservation (offline: `cluster-capacity:capacityReservations`). */
export interface ReservationFacts {
    id: string;
    /** `on-demand`: an On-Demand Capacity Reservation; `capacity-block`: an EC2 Capacity Block for ML. */
    kind: "on-demand" | "capacity-block";
    instanceType: string;
    availabilityZone: string;
    instanceCount: number;
    /** ISO 8601; absent for a reservation without start (ODCR) or end (`unlimited`). */
    startDate?: string;
    endDate?: string;
}

export interface KubernetesAccess {
    context?: string;
    kubeconfig?: string;
}

export interface ClusterAutoscalerSettings {
    maxNodeProvisionTime: string;
    scaleDownEnabled: boolean;
    scaleDownDelayAfterAdd: string;
    scaleDownUnneededTime: string;
}

/** Channels of the operators that have one per OpenShift release (lib/versionMatrix.ts). */
export interface OperatorChannels {
    nfd: { channel: string; workerTolerations: boolean };
    kmm: { channel: string };
}

export interface CapacityConfig {
    cluster: ClusterConfig;
    network: NetworkConfig;
    lookups: LookupMode;
    quotas: Record<string, number>;
    /** Offline: quota code → vCPUs in use outside this stack. */
    usage: Record<string, number>;
    /** Offline: reservation id → what AWS would say of it. */
    capacityReservations: Record<string, Omit<ReservationFacts, "id">>;
    /** A reservation ending within this many days is a warning. */
    reservationWarningDays: number;
    /** The image of the AWS EFA device plugin, run when a pool has efa. */
    efaDevicePluginImage: string;
    /** Request an increase (aws.servicequotas.ServiceQuota) of each quota the pools' maximum exceeds. */
    requestQuotaIncrease: boolean;
    instanceTypes: Record<string, Partial<InstanceSpec>>;
    prices: Record<string, { onDemandHourlyUsd?: number; spotHourlyUsd?: number }>;
    pools: PoolConfig[];
    gpuOperator: GpuOperatorConfig;
    kueue: KueueConfig;
    neuron: NeuronConfig;
    operators: OperatorChannels;
    smokeTests: boolean;
    /** How long `pulumi up` waits for OLM to install each operator (a Go duration such as 30m). */
    operatorInstallTimeout: string;
    smokeTestImages: { nvidia: string; neuron: string };
    renderDirectory?: string;
    kubernetes: KubernetesAccess;
    clusterAutoscaler: ClusterAutoscalerSettings;
}

export interface GpuOperatorConfig {
    enabled: boolean;
    install: "olm" | "helm";
    channel: string;
    /** Pinned release, e.g. 25.3.0: the OLM starting CSV or the Helm chart version. */
    version?: string;
    installPlanApproval: "Manual" | "Automatic";
    nfd: boolean;
    /** One NVIDIADriver CR per GPU pool, and a default one (`driverVersion`) for every other GPU node. */
    driverPerPool: boolean;
    driverVersion?: string;
    migStrategy: "none" | "single" | "mixed";
    monitoring: {
        serviceMonitor: boolean;
        dashboard: boolean;
        idleGpuAlert: { enabled: boolean; utilizationPercent: number; windowMinutes: number };
    };
}

export interface KueueNamespace {
    name: string;
    localQueue: string;
    create: boolean;
}

/** One team of GPU as a service: its own ClusterQueue in the cohort, and LocalQueues in its namespaces. */
export interface KueueTeam {
    name: string;
    namespaces: KueueNamespace[];
    /** A fraction of every flavor's capacity; or `nominal`: accelerator devices per flavor. */
    share?: number;
    nominal?: Record<string, number>;
    /** Fractions of the team's own nominal quota: how much more it may borrow, how much of its own it lends. */
    borrowingLimit?: number;
    lendingLimit?: number;
    fairSharingWeight?: number;
    /** The WorkloadPriorityClasses (of kueue.priorityClasses) its namespaces' jobs may name; none: any. */
    priorityClasses?: string[];
}

export interface KueueConfig {
    enabled: boolean;
    apiVersion: KueueApiVersion;
    operator: { enabled: boolean; channel: string; frameworks: string[] };
    clusterQueue: string;
    cohort?: string;
    queueingStrategy: "BestEffortFIFO" | "StrictFIFO";
    preemption: { withinClusterQueue: string; reclaimWithinCohort: string };
    namespaces: KueueNamespace[];
    /** The ProvisioningRequest class of the admission check on the ClusterQueues; none: no check. */
    provisioningClass?: string;
    /** Several teams, one ClusterQueue each in `cohort`; empty: the one shared ClusterQueue. */
    teams: KueueTeam[];
    priorityClasses: { name: string; value: number; description?: string }[];
    hardwareProfiles: { enabled: boolean; namespace: string; localQueue?: string };
}

interface NeuronImages {
    devicePlugin: string;
    customScheduler: string;
    schedulerExtension: string;
    nodeMetrics: string;
    drivers: string;
}

export interface NeuronConfig {
    enabled: boolean;
    neuronCoreQuota: boolean;
    operatorChannel: string;
    operatorSource: string;
    images: NeuronImages;
    driverVersion?: string;
}
