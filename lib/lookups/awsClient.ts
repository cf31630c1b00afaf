/**
 * The AWS questions the lookups ask, one method per call, in one region. The program's client asks
 * through `@pulumi/aws` invokes (so Pulumi mocks answer them by token in the program's tests) and,
 * where no invoke says enough, the AWS SDK v3 (aws-sdk-client-mock in tests); each lookup's spec
 * passes a fake of the methods it uses.
 */
import * as aws from "@pulumi/aws";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeCapacityReservationsCommand, DescribeInstancesCommand, EC2Client, type Instance } from "@aws-sdk/client-ec2";
import { newestMaximum, usageStatisticsRequest } from "../../policy/lib/usage";
import { readValue } from "./clusterReads";
import { clusterTag } from "./machineNetwork";

export interface Filter {
    name: string;
    values: string[];
}

/** What `ec2:DescribeInstanceTypes` says of a type, as far as the program reads it. */
export interface InstanceTypeAnswer {
    defaultVcpus: number;
    memorySize: number;
    gpuses: { count: number; manufacturer: string; name: string; memorySize: number }[];
    neuronDevices: { count: number; coreCount: number }[];
    efaSupported: boolean;
    supportedArchitectures?: string[];
}

/** A quota's usage metric as `servicequotas:GetServiceQuota` names it (`usageMetrics`). */
export interface ServiceQuotaUsageMetric {
    metricName: string;
    metricNamespace: string;
    metricDimensions: { class: string; resource: string; service: string; type: string }[];
}

export interface ServiceQuotaAnswer {
    value?: number;
    usageMetrics?: ServiceQuotaUsageMetric[];
}

/** A capacity reservation as the two reads see it: the Pulumi resource, and EC2's description of its kind and window. */
export interface CapacityReservationAnswer {
    instanceType?: string;
    availabilityZone?: string;
    instanceCount?: number;
    endDate?: string;
    described?: { ReservationType?: string; StartDate?: Date; EndDate?: Date };
}

export interface AwsClient {
    readonly region: string;
    /** sts:GetCallerIdentity */
    accountId(): Promise<string>;
    /** ec2:DescribeInstanceTypes */
    instanceType(type: string): Promise<InstanceTypeAnswer>;
    /** servicequotas:GetServiceQuota, service ec2 */
    serviceQuota(code: string): Promise<ServiceQuotaAnswer>;
    /** ec2:DescribeInstanceTypeOfferings by availability zone: the zones that offer the type. */
    offeredZones(type: string): Promise<string[]>;
    /** ec2:DescribeSubnets: the ids of the subnets that match. */
    subnetIds(filters: Filter[]): Promise<string[]>;
    /** ec2:DescribeSubnets of one subnet, by id or by filters. */
    subnet(query: { id: string } | { filters: Filter[] }): Promise<{ availabilityZone: string; vpcId: string }>;
    /** ec2:DescribeSecurityGroups: the ids of the groups that match. */
    securityGroupIds(filters: Filter[]): Promise<string[]>;
    /** ec2:DescribeImages: the newest image of the owners whose name matches. */
    newestAmi(owners: string[], namePattern: string): Promise<string>;
    /** ec2:DescribeCapacityReservations of one reservation. */
    capacityReservation(id: string): Promise<CapacityReservationAnswer>;
    /** ec2:DescribeInstances: the cluster's pending and running instances, every page. */
    clusterInstances(infraId: string): Promise<Instance[]>;
    /** cloudwatch:GetMetricStatistics: the newest value of a quota's usage metric (policy/lib/usage.ts). */
    newestUsage(metric: ServiceQuotaUsageMetric): Promise<number>;
}

export function awsClient(region: string): AwsClient {
    return {
        region,
        accountId: async () => (await aws.getCallerIdentity({})).accountId,
        instanceType: (instanceType) => aws.ec2.getInstanceType({ instanceType, region }),
        serviceQuota: (quotaCode) => aws.servicequotas.getServiceQuota({ serviceCode: "ec2", quotaCode, region }),
        offeredZones: async (type) =>
            (
                await aws.ec2.getInstanceTypeOfferings({
                    locationType: "availability-zone",
                    filters: [{ name: "instance-type", values: [type] }],
                    region,
                })
            ).locations,
        subnetIds: async (filters) => (await aws.ec2.getSubnets({ filters, region })).ids,
        subnet: (query) => aws.ec2.getSubnet({ ...query, region }),
        securityGroupIds: async (filters) => (await aws.ec2.getSecurityGroups({ filters, region })).ids,
        newestAmi: async (owners, namePattern) =>
            (await aws.ec2.getAmi({ owners, mostRecent: true, filters: [{ name: "name", values: [namePattern] }], region })).id,
        async capacityReservation(id) {
            // The Pulumi resource lacks the reservation's kind and start, which only EC2's description has.
            const read = aws.ec2.CapacityReservation.get(`capacity-reservation-${id}`, id, { region });
            const [instanceType, availabilityZone, instanceCount, endDate] = await Promise.all([
                readValue(read.instanceType),
                readValue(read.availabilityZone),
                readValue(read.instanceCount),
                readValue(read.endDate),
            ]);
            const answer = await new EC2Client({ region }).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
            return { instanceType, availabilityZone, instanceCount, endDate, described: answer.CapacityReservations?.[0] };
        },
        async clusterInstances(infraId) {
            const client = new EC2Client({ region });
            const instances: Instance[] = [];
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
                instances.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []));
                token = page.NextToken;
            } while (token);
            return instances;
        },
        async newestUsage(metric) {
            const [dimensions] = metric.metricDimensions;
            const request = usageStatisticsRequest(
                {
                    namespace: metric.metricNamespace,
                    name: metric.metricName,
                    dimensions: {
                        Service: dimensions.service,
                        Type: dimensions.type,
                        Resource: dimensions.resource,
                        Class: dimensions.class,
                    },
                },
                new Date(),
            );
            const answer = await new CloudWatchClient({ region }).send(new GetMetricStatisticsCommand(request));
            return newestMaximum(answer.Datapoints);
        },
    };
}
