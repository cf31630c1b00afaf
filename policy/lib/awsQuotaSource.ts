/**
 * Live quota values and vCPU counts for `lookups: "aws"`, through the AWS SDK v3 (region from the
 * policy config, else the SDK's environment). Loaded lazily so the default, offline mode never
 * needs the SDK.
 */
import { machineNamePrefix } from "./resources";
import { addVcpusByQuota, newestMaximum, usageStatisticsRequest } from "./usage";

export interface QuotaSource {
    /** The quota's value in vCPUs. Throws when AWS does not answer. */
    quotaValue(code: string): Promise<number>;
    /** The default vCPU count of an instance type. Throws when AWS does not know the type. */
    vcpus(instanceType: string): Promise<number>;
    /** The instances a capacity reservation holds (EC2 DescribeCapacityReservations `TotalInstanceCount`). */
    reservedInstances?(id: string): Promise<number>;
    /**
     * vCPUs of the quota in use now: the newest 1-minute value of the `AWS/Usage` CloudWatch metric
     * Service Quotas names for it. Undefined when Service Quotas names no metric.
     */
    vcpusInUse?(code: string): Promise<number | undefined>;
    /**
     * vCPUs per quota code of the pending or running Machines of these MachineSets, by each
     * instance's own type and market: a Machine's Name is its MachineSet's name and a dash, cut to
     * 58 characters, then 5 random characters.
     */
    ownVcpus?(machineSets: readonly string[]): Promise<Record<string, number>>;
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
            const dimensions = Object.entries(metric?.MetricDimensions ?? {});
            if (!metric?.MetricNamespace || !metric.MetricName || dimensions.length === 0) return undefined;
            const { CloudWatchClient, GetMetricStatisticsCommand } = await import("@aws-sdk/client-cloudwatch");
            const request = usageStatisticsRequest(
                { namespace: metric.MetricNamespace, name: metric.MetricName, dimensions: Object.fromEntries(dimensions) },
                new Date(),
            );
            const answer = await new CloudWatchClient({ region }).send(new GetMetricStatisticsCommand(request));
            return newestMaximum(answer.Datapoints);
        },
        async ownVcpus(machineSets) {
            const { EC2Client, DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
            const client = new EC2Client({ region });
            const prefixes = [...new Set(machineSets.map(machineNamePrefix))];
            const vcpus: Record<string, number> = {};
            // A filter takes at most 200 values.
            for (let i = 0; i < prefixes.length; i += 200) {
                let token: string | undefined;
                do {
                    const page = await client.send(
                        new DescribeInstancesCommand({
                            Filters: [
                                { Name: "tag:Name", Values: prefixes.slice(i, i + 200).map((p) => `${p}?????`) },
                                { Name: "instance-state-name", Values: ["pending", "running"] },
                            ],
                            NextToken: token,
                        }),
                    );
                    addVcpusByQuota(
                        vcpus,
                        (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
                    );
                    token = page.NextToken;
                } while (token);
            }
            return vcpus;
        },
        async reservedInstances(id) {
            const { EC2Client, DescribeCapacityReservationsCommand } = await import("@aws-sdk/client-ec2");
            const answer = await new EC2Client({ region }).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
            const total = answer.CapacityReservations?.[0]?.TotalInstanceCount;
            if (total === undefined) throw new Error(`EC2 returned no capacity reservation ${id}`);
            return total;
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
