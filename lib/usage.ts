/**
 * How much of each EC2 quota is in use now, and how much of that is this stack's own: clusters that
 * share an account share its quotas. Usage is the `AWS/Usage` CloudWatch metric that Service Quotas
 * names for the code (`usageMetrics`); this stack's share is its running Machines' instances, whose
 * Name tag is the Machine's name: its MachineSet's name, a dash and 5 random characters.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { machineNamePrefix } from "../policy/lib/resources";
import { addVcpusByQuota, newestMaximum, usageStatisticsRequest } from "../policy/lib/usage";
import { clusterTag } from "./network";

/** A quota's usage metric as `aws.servicequotas.getServiceQuota` returns it (`usageMetrics`). */
export interface ServiceQuotaUsageMetric {
    metricName: string;
    metricNamespace: string;
    metricDimensions: { class: string; resource: string; service: string; type: string }[];
}

/** The newest vCPUs in use of the quota whose usage metric this is (policy/lib/usage.ts). */
export async function vcpusInUse(region: string, metric: ServiceQuotaUsageMetric): Promise<number> {
    const [dimensions] = metric.metricDimensions;
    const request = usageStatisticsRequest(
        {
            namespace: metric.metricNamespace,
            name: metric.metricName,
            dimensions: { Service: dimensions.service, Type: dimensions.type, Resource: dimensions.resource, Class: dimensions.class },
        },
        new Date(),
    );
    const answer = await new CloudWatchClient({ region }).send(new GetMetricStatisticsCommand(request));
    return newestMaximum(answer.Datapoints);
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
        const ours = (page.Reservations ?? [])
            .flatMap((r) => r.Instances ?? [])
            .filter((instance) => {
                const name = instance.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
                return /[a-z0-9]{5}$/.test(name) && prefixes.has(name.slice(0, -5));
            });
        addVcpusByQuota(vcpus, ours);
        token = page.NextToken;
    } while (token);
    return vcpus;
}
