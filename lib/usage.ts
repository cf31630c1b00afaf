/**
 * How much of each EC2 quota is in use now, and how much of that is this stack's own: clusters that
 * share an account share its quotas. Usage is the `AWS/Usage` CloudWatch metric that Service Quotas
 * names for the code (`usageMetrics`); this stack's share is its running Machines' instances, whose
 * Name tag is the Machine's name: its MachineSet's name, a dash and 5 random characters.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { quotaFor } from "../policy/lib/quota";
import { machineNamePrefix } from "../policy/lib/resources";
import { clusterTag } from "./network";

export interface UsageMetric {
    metricName: string;
    metricNamespace: string;
    metricDimensions: { class: string; resource: string; service: string; type: string }[];
}

/**
 * The newest value of the metric (1-minute maxima over the last 15 minutes): the same moment as the
 * running machines it is compared with, not an hour's peak that scaled-down machines still inflate.
 */
export async function vcpusInUse(region: string, metric: UsageMetric): Promise<number> {
    const [dimensions] = metric.metricDimensions;
    const now = new Date();
    const answer = await new CloudWatchClient({ region }).send(
        new GetMetricStatisticsCommand({
            Namespace: metric.metricNamespace,
            MetricName: metric.metricName,
            Dimensions: [
                { Name: "Service", Value: dimensions.service },
                { Name: "Type", Value: dimensions.type },
                { Name: "Resource", Value: dimensions.resource },
                { Name: "Class", Value: dimensions.class },
            ],
            StartTime: new Date(now.getTime() - 15 * 60 * 1000),
            EndTime: now,
            Period: 60,
            Statistics: ["Maximum"],
        }),
    );
    const newest = [...(answer.Datapoints ?? [])].sort((x, y) => (x.Timestamp?.getTime() ?? 0) - (y.Timestamp?.getTime() ?? 0)).pop();
    return newest?.Maximum ?? 0;
}

/**
 * vCPUs per quota code of this stack's pending or running machines: instances of the cluster whose
 * Name is a Machine of one of `machineSets`, counted by their own type and market (a MachineSet
 * changed in place keeps machines of its old type).
 */
export async function ownVcpus(region: string, infraId: string, machineSets: Iterable<string>): Promise<Record<string, number>> {
    const prefixes = new Set([...machineSets].map(machineNamePrefix));
    const client = new EC2Client({ region });
    const vcpus: Record<string, number> = {};
    let token: string | undefined;
    do {
        const page = await client.send(
            new DescribeInstancesCommand({
                Filters: [
                    { Name: "tag-key", Values: [clusterTag(infraId)] },
                    { Name: "instance-state-name", Values: ["pending", "running"] },
                ],
                NextToken: token,
            }),
        );
        for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            const name = instance.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
            if (!/[a-z0-9]{5}$/.test(name) || !prefixes.has(name.slice(0, -5))) continue;
            const code = quotaFor(instance.InstanceType ?? "", instance.InstanceLifecycle === "spot" ? "spot" : "on-demand")?.code;
            const count = (instance.CpuOptions?.CoreCount ?? 0) * (instance.CpuOptions?.ThreadsPerCore ?? 1);
            if (code) vcpus[code] = (vcpus[code] ?? 0) + count;
        }
        token = page.NextToken;
    } while (token);
    return vcpus;
}
