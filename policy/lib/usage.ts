import { quotaFor } from "./contract";
/**
 * What is in use of an EC2 quota, as the program's pre-flight and the pack's pool-within-quota both
 * read it: the newest 1-minute value of the `AWS/Usage` CloudWatch metric Service Quotas names for
 * the quota, and the vCPUs per quota code of running instances. Pure: callers send the requests
 * with their own SDK clients.
 */

/** A usage metric as Service Quotas names it, dimensions by CloudWatch name (Service, Type, Resource, Class). */
export interface UsageMetric {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
}

/**
 * The GetMetricStatistics request of the newest value: 1-minute maxima over the last 15 minutes,
 * the same moment as the running machines it is compared with, not an hour's peak that
 * scaled-down machines still inflate.
 */
export function usageStatisticsRequest(metric: UsageMetric, now: Date) {
    return {
        Namespace: metric.namespace,
        MetricName: metric.name,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        StartTime: new Date(now.getTime() - 15 * 60 * 1000),
        EndTime: now,
        Period: 60,
        Statistics: ["Maximum" as const],
    };
}

export function newestMaximum(datapoints: readonly { Timestamp?: Date; Maximum?: number }[] | undefined): number {
    const newest = [...(datapoints ?? [])].sort((x, y) => (x.Timestamp?.getTime() ?? 0) - (y.Timestamp?.getTime() ?? 0)).pop();
    return newest?.Maximum ?? 0;
}

/** The fields of an EC2 DescribeInstances instance the count reads. */
export interface InstanceLike {
    InstanceType?: string;
    InstanceLifecycle?: string;
    CpuOptions?: { CoreCount?: number; ThreadsPerCore?: number };
}

/** Adds instances' vCPUs to `vcpus` per quota code, each by its own type and market. */
export function addVcpusByQuota(vcpus: Record<string, number>, instances: readonly InstanceLike[]): void {
    for (const instance of instances) {
        const code = quotaFor(instance.InstanceType ?? "", instance.InstanceLifecycle === "spot" ? "spot" : "on-demand")?.code;
        const count = (instance.CpuOptions?.CoreCount ?? 0) * (instance.CpuOptions?.ThreadsPerCore ?? 1);
        if (code) vcpus[code] = (vcpus[code] ?? 0) + count;
    }
}
