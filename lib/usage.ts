/**
 * How much of each EC2 quota is in use now, and how much of that is this stack's own: clusters that
 * share an account share its quotas. Usage is the `AWS/Usage` CloudWatch metric that Service Quotas
 * names for the code (`usageMetrics`); this stack's share is its running Machines' instances, whose
 * Name tag is the Machine's name, `<MachineSet>-<5 characters>`.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";

export interface UsageMetric {
    metricName: string;
    metricNamespace: string;
    metricDimensions: { class: string; resource: string; service: string; type: string }[];
}

/** The highest value of the metric over the last hour (5-minute maxima); 0 when nothing ran. */
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
            StartTime: new Date(now.getTime() - 60 * 60 * 1000),
            EndTime: now,
            Period: 300,
            Statistics: ["Maximum"],
        }),
    );
    return Math.max(0, ...(answer.Datapoints ?? []).map((d) => d.Maximum ?? 0));
}

/** Pending or running instances of the cluster whose Name is a Machine of one of `machineSets`, counted per MachineSet. */
export async function runningMachines(region: string, infraId: string, machineSets: ReadonlySet<string>): Promise<Map<string, number>> {
    const client = new EC2Client({ region });
    const counts = new Map<string, number>();
    let token: string | undefined;
    do {
        const page = await client.send(
            new DescribeInstancesCommand({
                Filters: [
                    { Name: "tag-key", Values: [`kubernetes.io/cluster/${infraId}`] },
                    { Name: "instance-state-name", Values: ["pending", "running"] },
                ],
                NextToken: token,
            }),
        );
        for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            const name = instance.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
            const machineSet = machineSetOfMachine(name);
            if (machineSet && machineSets.has(machineSet)) counts.set(machineSet, (counts.get(machineSet) ?? 0) + 1);
        }
        token = page.NextToken;
    } while (token);
    return counts;
}

/** `<MachineSet>-<5 lowercase letters or digits>` → the MachineSet; undefined for other names. */
export function machineSetOfMachine(machine: string): string | undefined {
    const match = /^(.+)-[a-z0-9]{5}$/.exec(machine);
    return match?.[1];
}
