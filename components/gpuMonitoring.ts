import type { KubernetesObject } from "../policy/lib/contract";
/**
 * GPU monitoring objects: the DCGM exporter's metric set (with SM occupancy, which the default set
 * leaves out), an OpenShift console dashboard and the GPU-hoarding alert. The ServiceMonitor is the
 * GPU Operator's own, switched on in the ClusterPolicy.
 */

export const DCGM_METRICS_CONFIGMAP = "dcgm-metrics";

/**
 * How often Prometheus scrapes the DCGM exporter, through the operator's own ServiceMonitor
 * (ClusterPolicy `dcgmExporter.serviceMonitor.interval`); the dashboard and alert need finer than
 * the cluster's default 30s to see short bursts.
 */
export const DCGM_SCRAPE_INTERVAL = "15s";

/** DCGM fields the dashboard and alert read, in dcgm-exporter's CSV format. */
const DCGM_METRICS_CSV = [
    "# DCGM field, Prometheus metric type, help message",
    "DCGM_FI_DEV_GPU_UTIL, gauge, GPU utilization (in %).",
    "DCGM_FI_DEV_MEM_COPY_UTIL, gauge, Memory utilization (in %).",
    "DCGM_FI_DEV_POWER_USAGE, gauge, Power draw (in W).",
    "DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).",
    "DCGM_FI_DEV_SM_CLOCK, gauge, SM clock frequency (in MHz).",
    "DCGM_FI_DEV_FB_USED, gauge, Framebuffer memory used (in MiB).",
    "DCGM_FI_DEV_FB_FREE, gauge, Framebuffer memory free (in MiB).",
    "DCGM_FI_DEV_XID_ERRORS, gauge, Value of the last XID error encountered.",
    "DCGM_FI_PROF_SM_OCCUPANCY, gauge, The ratio of number of warps resident on an SM.",
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE, gauge, Ratio of time the graphics engine is active.",
    "",
].join("\n");

export function dcgmMetricsConfigMap(namespace: string): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: DCGM_METRICS_CONFIGMAP, namespace },
        data: { "dcgm-metrics.csv": DCGM_METRICS_CSV },
    };
}

const panel = (id: number, title: string, expr: string, unit: string, x: number, y: number) => ({
    id,
    title,
    type: "graph",
    datasource: "prometheus",
    gridPos: { h: 8, w: 12, x, y },
    yaxes: [{ format: unit }, { format: "short" }],
    targets: [{ expr, legendFormat: "{{Hostname}} GPU {{gpu}}", refId: "A" }],
});

/** A console dashboard (the Grafana JSON subset the OpenShift console renders). */
function gpuDashboard(): object {
    return {
        title: "NVIDIA GPUs (cluster-capacity)",
        uid: "cluster-capacity-gpus",
        schemaVersion: 27,
        time: { from: "now-6h", to: "now" },
        panels: [
            panel(1, "GPU utilisation", "DCGM_FI_DEV_GPU_UTIL", "percent", 0, 0),
            panel(2, "Power draw", "DCGM_FI_DEV_POWER_USAGE", "watt", 12, 0),
            panel(3, "Framebuffer memory used", "DCGM_FI_DEV_FB_USED * 1024 * 1024", "bytes", 0, 8),
            panel(4, "SM occupancy", "DCGM_FI_PROF_SM_OCCUPANCY * 100", "percent", 12, 8),
        ],
    };
}

export function dashboardConfigMap(): KubernetesObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: "nvidia-gpu-dashboard",
            namespace: "openshift-config-managed",
            labels: { "console.openshift.io/dashboard": "true" },
        },
        data: { "nvidia-gpu-dashboard.json": JSON.stringify(gpuDashboard(), null, 2) },
    };
}

/**
 * GPU hoarding: a GPU allocated to a pod (dcgm-exporter labels it with the pod, which Prometheus
 * renames exported_pod) whose utilisation stays under the threshold across the window.
 */
export function idleGpuRule(namespace: string, utilizationPercent: number, windowMinutes: number): KubernetesObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "gpu-hoarding", namespace },
        spec: {
            groups: [
                {
                    name: "gpu-hoarding",
                    rules: [
                        {
                            alert: "GPUAllocatedButIdle",
                            expr: `avg_over_time(DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}[${windowMinutes}m]) < ${utilizationPercent}`,
                            for: "15m",
                            labels: { severity: "warning" },
                            annotations: {
                                summary: "A GPU is allocated but idle.",
                                description:
                                    `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is held by pod {{ $labels.exported_namespace }}/{{ $labels.exported_pod }} ` +
                                    `but averaged under ${utilizationPercent}% utilisation for ${windowMinutes} minutes. Release it or scale the workload down.`,
                            },
                        },
                    ],
                },
            ],
        },
    };
}
