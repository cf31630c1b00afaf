/**
 * The NVIDIA GPU Operator: through OLM on OpenShift (certified operator, pinned by default when a
 * version is given), through its Helm chart on plain Kubernetes. Time-slicing per pool, MIG
 * strategy, and monitoring (DCGM ServiceMonitor, console dashboard, GPU-hoarding alert).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError } from "../lib/errors";
import type { GpuOperatorConfig, PoolConfig } from "../lib/config/types";
import { timeSlicingConfigKey } from "../lib/naming";
import { dashboardConfigMap, DCGM_METRICS_CONFIGMAP, DCGM_SCRAPE_INTERVAL, dcgmMetricsConfigMap, idleGpuRule } from "./gpuMonitoring";
import { deepMerge } from "./machineSetManifest";
import { createNamespace, installOperator } from "./olm";
import { tolerationsFor } from "./tolerations";
import { type KubernetesObject, KUEUE_PODSET_LABEL, POOL_LABEL, type Toleration } from "../policy/lib/contract";
import { configMapResource as configMap } from "./configMap";

const OLM_NAMESPACE = "nvidia-gpu-operator";
const HELM_NAMESPACE = "gpu-operator";
const TIME_SLICING_CONFIGMAP = "time-slicing-config";
/** The stack's mig-parted config, for custom MIG layouts; key `config.yaml` (gpu-operator values.yaml). */
const MIG_PARTED_CONFIGMAP = "cluster-capacity-mig-parted-config";

/**
 * mig-manager's config: by default generated from the GPUs (ClusterPolicy `migManager.config.name`
 * empty, gpu-operator v26.7.0); with custom layouts the stack's ConfigMap, which replaces it whole
 * (`controllers/object_controls.go` TransformMIGManager), and `default: all-disabled`, with which
 * the operator labels MIG-capable nodes that have no layout `all-disabled`
 * (`controllers/nodelabeling_controller.go`; without `config` it labels none).
 */
function migManager(customConfig: boolean): Record<string, unknown> {
    return { enabled: true, ...(customConfig && { config: { name: MIG_PARTED_CONFIGMAP, default: "all-disabled" } }) };
}
const GPU_OPERATOR_CHART_REPO = "https://helm.ngc.nvidia.com/nvidia";

/** One device-plugin config per distinct time-slicing replica count; nodes pick theirs by label. */
function timeSlicingConfigData(replicaCounts: readonly number[], migStrategy: string): Record<string, string> {
    const distinct = [...new Set(replicaCounts)].sort((a, b) => a - b);
    return Object.fromEntries(
        distinct.map((replicas) => [
            timeSlicingConfigKey(replicas),
            [
                "version: v1",
                "flags:",
                `  migStrategy: ${migStrategy}`,
                "sharing:",
                "  timeSlicing:",
                "    resources:",
                "      - name: nvidia.com/gpu",
                `        replicas: ${replicas}`,
                "",
            ].join("\n"),
        ]),
    );
}

/** One node at a time: a driver upgrade restarts every GPU workload on the node. */
const DRIVER_UPGRADE_POLICY = { autoUpgrade: true, maxParallelUpgrades: 1, maxUnavailable: "25%" };

/** What every NVIDIADriver CR does on upgrade unless its pool says otherwise: one node at a time, after its Kueue jobs. */
const DEFAULT_DRIVER_UPGRADE_POLICY = {
    ...DRIVER_UPGRADE_POLICY,
    // Every pod of a Kueue-admitted workload carries kueue.x-k8s.io/podset (kueue v0.19.2
    // jobframework/reconciler.go); 0 waits for them however long they run.
    waitForCompletion: { podSelector: KUEUE_PODSET_LABEL, timeoutSeconds: 0 },
};

/**
 * The NVIDIADriver fields its CRD makes immutable (`self == oldSelf`, gpu-operator v26.7.0
 * `api/nvidia/v1alpha1/nvidiadriver_types.go`): the API server refuses to change them ("Please create
 * a new NvidiaDriver resource instead"), so a change replaces the CR, and the preview says so.
 */
export const NVIDIADRIVER_IMMUTABLE_FIELDS: readonly string[] = ["spec.driverType", "spec.usePrecompiled"];

/**
 * The NVIDIADriver CRs of gpuOperator.driverPerPool: one per GPU pool, selecting its nodes by the
 * pool label, and the default one for every other GPU node (NVIDIA/gpu-operator v26.7.0
 * `internal/nvidiadriver/nvidiadriver.go`: a node goes to the non-default CR that selects it, else
 * to the default; a node no CR takes gets no driver). The ClusterPolicy's driver settings are not
 * copied into CRs, so each sets its kernel module type and tolerations itself.
 */
function nvidiaDriverManifests(settings: GpuOperatorConfig, pools: readonly PoolConfig[]): KubernetesObject[] {
    const driver = (
        name: string,
        version: string,
        isDefault: boolean,
        taints: PoolConfig["taints"],
        upgradePolicy: Record<string, unknown>,
        nodeSelector?: Record<string, string>,
    ) => ({
        apiVersion: "nvidia.com/v1alpha1",
        kind: "NVIDIADriver",
        metadata: { name },
        spec: {
            default: isDefault,
            driverType: "gpu",
            repository: "nvcr.io/nvidia",
            image: "driver",
            version,
            kernelModuleType: "auto",
            ...(nodeSelector && { nodeSelector }),
            tolerations: tolerationsFor(taints),
            upgradePolicy,
        },
    });
    const defaultVersion = settings.driverVersion as string;
    return [
        driver(
            "default",
            defaultVersion,
            true,
            pools.flatMap((p) => p.taints),
            DEFAULT_DRIVER_UPGRADE_POLICY,
        ),
        ...pools.map((pool) =>
            driver(
                pool.name,
                pool.driver?.version ?? defaultVersion,
                false,
                pool.taints,
                deepMerge(DEFAULT_DRIVER_UPGRADE_POLICY, pool.driver?.upgradePolicy ?? {}),
                { [POOL_LABEL]: pool.name },
            ),
        ),
    ];
}

function clusterPolicyManifest(
    settings: GpuOperatorConfig,
    tolerations: Toleration[],
    timeSliced: boolean,
    customMigConfig = false,
): KubernetesObject {
    return {
        apiVersion: "nvidia.com/v1",
        kind: "ClusterPolicy",
        metadata: { name: "gpu-cluster-policy" },
        spec: {
            // No `defaultRuntime` or `initContainer`, deprecated on 26.x (v26.7.0
            // `api/nvidia/v1/clusterpolicy_types.go`): the runtime is detected per node, and an empty
            // initContainer is the zero value older lines read anyway (v25.10.1 `object_controls.go`).
            operator: { use_ocp_driver_toolkit: true },
            daemonsets: { updateStrategy: "RollingUpdate", rollingUpdate: { maxUnavailable: "1" }, tolerations },
            driver: {
                enabled: true,
                kernelModuleType: "auto",
                upgradePolicy: DRIVER_UPGRADE_POLICY,
                // The NVIDIADriver CRs drive the driver instead (v26.7.0 state_manager.go skips its own).
                ...(settings.driverPerPool && { useNvidiaDriverCRD: true }),
            },
            toolkit: { enabled: true },
            devicePlugin: { enabled: true, config: { name: timeSliced ? TIME_SLICING_CONFIGMAP : "", default: "" } },
            dcgm: { enabled: true },
            // The operator owns the ServiceMonitor `nvidia-dcgm-exporter`: it deletes one of that name
            // while its own is disabled and rewrites it while enabled (NVIDIA/gpu-operator
            // controllers/object_controls.go, ServiceMonitor). So the switch is the only way to have one.
            dcgmExporter: {
                enabled: true,
                config: { name: DCGM_METRICS_CONFIGMAP },
                serviceMonitor: settings.monitoring.serviceMonitor ? { enabled: true, interval: DCGM_SCRAPE_INTERVAL } : { enabled: false },
            },
            gfd: { enabled: true },
            migManager: migManager(customMigConfig),
            mig: { strategy: settings.migStrategy },
            nodeStatusExporter: { enabled: true },
            validator: { plugin: { env: [{ name: "WITH_WORKLOAD", value: "false" }] } },
        },
    };
}

function helmValues(
    settings: GpuOperatorConfig,
    tolerations: Toleration[],
    timeSliced: boolean,
    customMigConfig = false,
): Record<string, unknown> {
    return {
        ...(customMigConfig && { migManager: migManager(true) }),
        daemonsets: { tolerations },
        driver: { enabled: true },
        nfd: { enabled: settings.nfd },
        mig: { strategy: settings.migStrategy },
        devicePlugin: { config: { name: timeSliced ? TIME_SLICING_CONFIGMAP : "", default: "" } },
        dcgmExporter: {
            config: { name: DCGM_METRICS_CONFIGMAP },
            serviceMonitor: settings.monitoring.serviceMonitor ? { enabled: true, interval: DCGM_SCRAPE_INTERVAL } : { enabled: false },
        },
    };
}

export interface GpuOperatorArgs {
    settings: GpuOperatorConfig;
    /** Tolerations for the operator's daemonsets: every GPU pool's taints. */
    tolerations: Toleration[];
    /** The `timeSlicing` values of the GPU pools. */
    timeSlicingReplicas: number[];
    /** The GPU pools, each with an NVIDIADriver CR of its own when `settings.driverPerPool`. */
    gpuPools: PoolConfig[];
    /** The mig-parted config of the pools' MIG layouts, when one is custom (CapacityPlan.migPartedConfig). */
    migPartedConfig?: string;
    /** With OLM, the Node Feature Discovery install the operator needs (its GPU labels); none with Helm. */
    nodeFeatureDiscovery?: pulumi.Resource;
    /** With OLM, how long `pulumi up` waits for OLM to install the operator. */
    operatorInstallTimeout: string;
}

export class GpuOperator extends pulumi.ComponentResource {
    readonly namespace: string;

    constructor(name: string, args: GpuOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!args.settings.enabled) throw new ArgsError("GpuOperator", name, "settings.enabled", false, "true (or no GpuOperator)");
        super("cluster-capacity:index:GpuOperator", name, {}, opts);
        const { settings } = args;
        const olm = settings.install === "olm";
        this.namespace = olm ? OLM_NAMESPACE : HELM_NAMESPACE;

        const { namespace, subscription } = olm ? this.installWithOlm(name, args) : { namespace: this.helmNamespace(name) };
        const configMaps = this.configMaps(name, args, namespace);
        if (olm) {
            const dependsOn = [
                subscription as pulumi.Resource,
                ...configMaps,
                ...(args.nodeFeatureDiscovery ? [args.nodeFeatureDiscovery] : []),
            ];
            const clusterPolicy = this.clusterPolicy(name, args, dependsOn);
            if (settings.driverPerPool) this.nvidiaDrivers(name, args, clusterPolicy);
        } else {
            this.helmChart(name, args, configMaps);
        }
        this.monitoring(name, settings.monitoring, subscription ?? namespace);
        this.registerOutputs({ namespace: this.namespace });
    }

    /** OpenShift: the certified operator through OLM, into its own namespace, which cluster monitoring scrapes. */
    private installWithOlm(name: string, args: GpuOperatorArgs): { namespace: pulumi.Resource; subscription: pulumi.Resource } {
        const { settings } = args;
        return installOperator(this, name, {
            namespace: OLM_NAMESPACE,
            namespaceLabels: { "openshift.io/cluster-monitoring": "true" },
            targetOwnNamespace: true,
            operatorGroup: "nvidia-gpu-operator-group",
            packageName: "gpu-operator-certified",
            channel: settings.channel,
            source: "certified-operators",
            installPlanApproval: settings.installPlanApproval,
            startingCSV: settings.version && `gpu-operator-certified.v${settings.version}`,
            installTimeout: args.operatorInstallTimeout,
        });
    }

    /** Plain Kubernetes: the Helm chart's namespace. The operator's pods are privileged (driver, toolkit): the namespace must allow them. */
    private helmNamespace(name: string): pulumi.Resource {
        return createNamespace(
            `${name}-namespace`,
            HELM_NAMESPACE,
            { "pod-security.kubernetes.io/enforce": "privileged" },
            { parent: this },
        );
    }

    /** The ConfigMaps the operator reads: the DCGM metrics, with time-slicing its device-plugin configs, with custom MIG layouts mig-parted's. */
    private configMaps(name: string, args: GpuOperatorArgs, namespace: pulumi.Resource): pulumi.Resource[] {
        const inNamespace = { parent: this, dependsOn: namespace };
        const configMaps: pulumi.Resource[] = [configMap(`${name}-dcgm-metrics`, dcgmMetricsConfigMap(this.namespace), inNamespace)];
        if (args.timeSlicingReplicas.length > 0) {
            configMaps.push(
                configMap(
                    `${name}-time-slicing`,
                    {
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        metadata: { name: TIME_SLICING_CONFIGMAP, namespace: this.namespace },
                        data: timeSlicingConfigData(args.timeSlicingReplicas, args.settings.migStrategy),
                    },
                    inNamespace,
                ),
            );
        }
        const { migPartedConfig } = args;
        if (migPartedConfig !== undefined) {
            configMaps.push(
                configMap(
                    `${name}-mig-parted-config`,
                    {
                        apiVersion: "v1",
                        kind: "ConfigMap",
                        metadata: { name: MIG_PARTED_CONFIGMAP, namespace: this.namespace },
                        data: { "config.yaml": migPartedConfig },
                    },
                    inNamespace,
                ),
            );
        }
        return configMaps;
    }

    /** With OLM, the operator's configuration: its ClusterPolicy, once the operator, its ConfigMaps and NFD are there. */
    private clusterPolicy(name: string, args: GpuOperatorArgs, dependsOn: pulumi.Resource[]): pulumi.Resource {
        return new k8s.apiextensions.CustomResource(
            `${name}-cluster-policy`,
            clusterPolicyManifest(args.settings, args.tolerations, args.timeSlicingReplicas.length > 0, args.migPartedConfig !== undefined),
            { parent: this, dependsOn },
        );
    }

    /** With gpuOperator.driverPerPool, the NVIDIADriver CRs, replaced (old one first) when an immutable field changes. */
    private nvidiaDrivers(name: string, args: GpuOperatorArgs, clusterPolicy: pulumi.Resource): void {
        for (const manifest of nvidiaDriverManifests(args.settings, args.gpuPools)) {
            new k8s.apiextensions.CustomResource(`${name}-driver-${manifest.metadata.name}`, manifest, {
                parent: this,
                dependsOn: clusterPolicy,
                replaceOnChanges: [...NVIDIADRIVER_IMMUTABLE_FIELDS],
                // The replacement has the same name, so the old CR goes first.
                deleteBeforeReplace: true,
            });
        }
    }

    /** Without OLM, the operator and its configuration as the Helm chart, after its ConfigMaps. */
    private helmChart(name: string, args: GpuOperatorArgs, configMaps: pulumi.Resource[]): void {
        const { settings } = args;
        new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                chart: "gpu-operator",
                repositoryOpts: { repo: GPU_OPERATOR_CHART_REPO },
                version: settings.version && `v${settings.version}`,
                namespace: HELM_NAMESPACE,
                values: helmValues(settings, args.tolerations, args.timeSlicingReplicas.length > 0, args.migPartedConfig !== undefined),
            },
            { parent: this, dependsOn: configMaps },
        );
    }

    /** The console dashboard and the GPU-hoarding alert, each when enabled; the alert once the operator (or its namespace) is there. */
    private monitoring(name: string, monitoring: GpuOperatorConfig["monitoring"], after: pulumi.Resource): void {
        if (monitoring.dashboard) {
            configMap(`${name}-dashboard`, dashboardConfigMap(), { parent: this });
        }
        if (monitoring.idleGpuAlert.enabled) {
            const rule = idleGpuRule(this.namespace, monitoring.idleGpuAlert.utilizationPercent, monitoring.idleGpuAlert.windowMinutes);
            new k8s.apiextensions.CustomResource(`${name}-idle-gpu-alert`, rule, { parent: this, dependsOn: after });
        }
    }
}
