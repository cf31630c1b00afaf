/**
 * Live quota values and vCPU counts for `lookups: "aws"`, through the AWS SDK v3 (region from the
 * policy config, else the SDK's environment). Loaded lazily so the default, offline mode never
 * needs the SDK.
 */

export interface QuotaSource {
    /** The quota's value in vCPUs. Throws when AWS does not answer. */
    quotaValue(code: string): Promise<number>;
    /** The default vCPU count of an instance type. Throws when AWS does not know the type. */
    vcpus(instanceType: string): Promise<number>;
    /**
     * vCPUs of the quota in use now: the `AWS/Usage` CloudWatch metric Service Quotas names for it
     * (highest 5-minute maximum of the last hour). Undefined when Service Quotas names no metric.
     */
    vcpusInUse?(code: string): Promise<number | undefined>;
    /** Pending or running instances per MachineSet, by the Machine's Name `<MachineSet>-<5 characters>`. */
    runningMachines?(machineSets: readonly string[]): Promise<Map<string, number>>;
}

export function awsQuotaSource(region?: string): QuotaSource {
    return {
        async quotaValue(code) {
            const { ServiceQuotasClient, GetServiceQuotaCommand } = await import("@aws-sdk/client-service-quotas");
            const client = new ServiceQuotasClient({ region });
            const answer = await client.send(new GetServiceQuotaCommand({ ServiceCode: "ec2", QuotaCode: code }));
            const value = answer.Quota?.Value;
            if (value === undefined) throw new Error(`Service Quotas returned no value for ${code}`);
            return value;
        },
        async vcpusInUse(code) {
            const { ServiceQuotasClient, GetServiceQuotaCommand } = await import("@aws-sdk/client-service-quotas");
            const quota = await new ServiceQuotasClient({ region }).send(
                new GetServiceQuotaCommand({ ServiceCode: "ec2", QuotaCode: code }),
            );
            const metric = quota.Quota?.UsageMetric;
            if (!metric?.MetricNamespace || !metric.MetricName) return undefined;
            const { CloudWatchClient, GetMetricStatisticsCommand } = await import("@aws-sdk/client-cloudwatch");
            const now = new Date();
            const answer = await new CloudWatchClient({ region }).send(
                new GetMetricStatisticsCommand({
                    Namespace: metric.MetricNamespace,
                    MetricName: metric.MetricName,
                    Dimensions: Object.entries(metric.MetricDimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
                    StartTime: new Date(now.getTime() - 60 * 60 * 1000),
                    EndTime: now,
                    Period: 300,
                    Statistics: ["Maximum"],
                }),
            );
            return Math.max(0, ...(answer.Datapoints ?? []).map((d) => d.Maximum ?? 0));
        },
        async runningMachines(machineSets) {
            const { EC2Client, DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
            const client = new EC2Client({ region });
            const counts = new Map<string, number>();
            // A filter takes at most 200 values.
            for (let i = 0; i < machineSets.length; i += 200) {
                let token: string | undefined;
                do {
                    const page = await client.send(
                        new DescribeInstancesCommand({
                            Filters: [
                                { Name: "tag:Name", Values: machineSets.slice(i, i + 200).map((ms) => `${ms}-?????`) },
                                { Name: "instance-state-name", Values: ["pending", "running"] },
                            ],
                            NextToken: token,
                        }),
                    );
                    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
                        const name = instance.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
                        const machineSet = name.slice(0, -6);
                        if (machineSets.includes(machineSet)) counts.set(machineSet, (counts.get(machineSet) ?? 0) + 1);
                    }
                    token = page.NextToken;
                } while (token);
            }
            return counts;
        },
        async vcpus(instanceType) {
            const { EC2Client, DescribeInstanceTypesCommand } = await import("@aws-sdk/client-ec2");
            const client = new EC2Client({ region });
            const answer = await client.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as never] }));
            const vcpus = answer.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
            if (vcpus === undefined) throw new Error(`EC2 returned no vCPU count for ${instanceType}`);
            return vcpus;
        },
    };
}
