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
