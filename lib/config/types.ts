/** The validated stack configuration, with defaults applied. Components receive parts of it. */
import type { InstanceSpec } from "../../policy/lib/catalogue";
import type { Market } from "../../policy/lib/quota";
import type { OpenShiftVersion } from "../openshift";

export type Platform = "openshift" | "kubernetes";
export type LookupMode = "aws" | "offline";
export type Accelerator = "nvidia" | "neuron";
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface ClusterConfig {
    name: string;
    infraId: string;
    platform: Platform;
    openshiftVersion: OpenShiftVersion;
    region: string;
    accountId?: string;
}

export interface AmiQuery {
    id?: string;
    owners: string[];
    namePattern?: string;
    managedByCluster: boolean;
}

export interface Taint {
    key: string;
    value?: string;
    effect: TaintEffect;
}

export interface RootVolume {
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
    zones: string[];
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

export interface CapacityConfig {
    cluster: ClusterConfig;
    lookups: LookupMode;
    quotas: Record<string, number>;
    instanceTypes: Record<string, Partial<InstanceSpec>>;
    pools: PoolConfig[];
    gpuOperator: { enabled: boolean };
    kueue: { enabled: boolean };
    neuron: { enabled: boolean };
    renderDirectory?: string;
    kubernetes: KubernetesAccess;
    clusterAutoscaler: ClusterAutoscalerSettings;
}
