/** Answers the program's `@pulumi/aws` invokes by token, from a fixture, as AWS would. */
import { BUILTIN_INSTANCE_TYPES } from "../../policy/lib/catalogue";

export interface AwsFixture {
    accountId?: string;
    /** What STS answers instead of an identity, e.g. for expired credentials. */
    callerIdentityError?: string;
    /** Invoke token → the error AWS answers it with (access denied, throttling…). */
    invokeErrors?: Record<string, string>;
    /** Quota code → vCPUs. */
    quotas?: Record<string, number>;
    /** Instance types AWS knows; default: the built-in catalogue. */
    instanceTypes?: Record<
        string,
        { vcpus: number; memoryMiB: number; gpus: number; gpuModel?: string; neuronDevices?: number; efaSupported?: boolean }
    >;
    /** AMI name pattern → id. */
    amis?: Record<string, string>;
    /** Instance type → On-Demand USD per hour (Price List) and latest spot USD per hour. */
    onDemandPrices?: Record<string, number>;
    spotPrices?: Record<string, number>;
    /** Instance type → the availability zones offering it; default: zones a to f of the region asked. */
    offerings?: Record<string, string[]>;
    /** Subnet ids per availability zone that match the cluster tag and an installer Name (getSubnets). */
    subnets?: Record<string, string[]>;
    /** Security group ids per Name tag, all tagged for the cluster (getSecurityGroups). */
    securityGroups?: Record<string, string[]>;
    /**
     * Capacity reservations by id: the state `aws.ec2.CapacityReservation.get` reads. The EC2 SDK's
     * DescribeCapacityReservations (kind, start) answers on test/support/awsSdk.ts's EC2 mock, set by
     * the tests that need them (test/plan/reservations.spec.ts, test/components/training.spec.ts).
     */
    capacityReservations?: Record<string, Record<string, unknown>>;
    /** Objects in the cluster that `.get` reads find, by `<type token>::<namespace>/<name>`: their state. */
    clusterObjects?: Record<string, Record<string, unknown>>;
}

/** The coreos-bootimages ConfigMap of a cluster, listing one AMI per architecture and region. */
export function bootImagesConfigMap(amis: Record<string, Record<string, string>>): Record<string, Record<string, unknown>> {
    const architectures = Object.fromEntries(
        Object.entries(amis).map(([arch, regions]) => [
            arch,
            {
                artifacts: {},
                images: {
                    aws: {
                        regions: Object.fromEntries(
                            Object.entries(regions).map(([region, image]) => [region, { release: "418.94.202410090804-0", image }]),
                        ),
                    },
                },
            },
        ]),
    );
    return {
        "kubernetes:core/v1:ConfigMap::openshift-machine-config-operator/coreos-bootimages": {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "coreos-bootimages", namespace: "openshift-machine-config-operator" },
            data: { releaseVersion: "4.18.24", stream: JSON.stringify({ stream: "rhcos-4.18", architectures }) },
        },
    };
}

/** The VPC every fixture subnet is in. */
export const CLUSTER_VPC = "vpc-0c1a2b3c4d5e6f708";

export const TOKENS = {
    callerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
    instanceType: "aws:ec2/getInstanceType:getInstanceType",
    serviceQuota: "aws:servicequotas/getServiceQuota:getServiceQuota",
    ami: "aws:ec2/getAmi:getAmi",
    product: "aws:pricing/getProduct:getProduct",
    spotPrice: "aws:ec2/getSpotPrice:getSpotPrice",
    offerings: "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings",
    subnets: "aws:ec2/getSubnets:getSubnets",
    subnet: "aws:ec2/getSubnet:getSubnet",
    securityGroups: "aws:ec2/getSecurityGroups:getSecurityGroups",
} as const;

export function answerInvoke(aws: AwsFixture, token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const failure = aws.invokeErrors?.[token];
    if (failure) throw new Error(failure);
    switch (token) {
        case TOKENS.callerIdentity:
            if (aws.callerIdentityError) throw new Error(aws.callerIdentityError);
            return {
                accountId: aws.accountId ?? "111122223333",
                arn: "arn:aws:iam::111122223333:user/ci",
                userId: "AIDA",
                id: "111122223333",
            };
        case TOKENS.instanceType: {
            const type = String(inputs.instanceType);
            const spec = (aws.instanceTypes ?? BUILTIN_INSTANCE_TYPES)[type];
            if (!spec) {
                throw new Error(`InvalidInstanceType: The following supplied instance types do not exist: [${type}]`);
            }
            return {
                instanceType: type,
                defaultVcpus: spec.vcpus,
                memorySize: spec.memoryMiB,
                gpuses:
                    spec.gpus > 0
                        ? [
                              {
                                  count: spec.gpus,
                                  manufacturer: spec.gpuModel?.split(" ")[0] ?? "NVIDIA",
                                  name: spec.gpuModel?.split(" ").slice(1).join(" ") ?? "L4",
                                  memorySize: 22888,
                              },
                          ]
                        : [],
                neuronDevices: spec.neuronDevices
                    ? [{ count: spec.neuronDevices, name: "Inferentia2", coreCount: 2, coreVersion: 2, memorySize: 32768 }]
                    : [],
                efaSupported: spec.efaSupported ?? false,
            };
        }
        case TOKENS.serviceQuota: {
            const code = String(inputs.quotaCode);
            const value = aws.quotas?.[code];
            if (value === undefined) {
                throw new Error(`NoSuchResourceException: quota ${code} not found`);
            }
            return {
                quotaCode: code,
                serviceCode: "ec2",
                value,
                quotaName: code,
                adjustable: true,
                defaultValue: 0,
                // The Class dimension is the quota code here, so a test can answer per code.
                usageMetrics: [
                    {
                        metricName: "ResourceCount",
                        metricNamespace: "AWS/Usage",
                        metricStatisticRecommendation: "Maximum",
                        metricDimensions: [{ class: code, resource: "vCPU", service: "EC2", type: "Resource" }],
                    },
                ],
            };
        }
        case TOKENS.ami: {
            const filters = inputs.filters as { name: string; values: string[] }[];
            const pattern = filters.find((f) => f.name === "name")?.values[0] ?? "";
            const id = aws.amis?.[pattern];
            if (!id) {
                throw new Error(`Your query returned no results. Please change your search criteria and try again.`);
            }
            return { id, imageId: id, name: pattern.replace("*", "202410090804-0") };
        }
        case TOKENS.product: {
            const filters = inputs.filters as { field: string; value: string }[];
            const type = filters.find((f) => f.field === "instanceType")?.value ?? "";
            const usd = aws.onDemandPrices?.[type];
            if (usd === undefined) throw new Error(`No products found for ${type}`);
            const priceDimensions = { "SKU.JRTCKXETXF.6YS6EN2CT7": { unit: "Hrs", pricePerUnit: { USD: usd.toFixed(10) } } };
            return {
                result: JSON.stringify({
                    product: { attributes: { instanceType: type } },
                    terms: { OnDemand: { "SKU.JRTCKXETXF": { priceDimensions } } },
                }),
            };
        }
        case TOKENS.spotPrice: {
            const type = String(inputs.instanceType);
            const usd = aws.spotPrices?.[type];
            if (usd === undefined) throw new Error(`no spot price history for ${type}`);
            return { spotPrice: usd.toFixed(6), spotPriceTimestamp: "2026-11-22T06:00:00Z", instanceType: type };
        }
        case TOKENS.offerings: {
            const filters = inputs.filters as { name: string; values: string[] }[];
            const type = filters.find((f) => f.name === "instance-type")?.values[0] ?? "";
            const region = String(inputs.region);
            const locations = aws.offerings?.[type] ?? ["a", "b", "c", "d", "e", "f"].map((z) => `${region}${z}`);
            return {
                id: region,
                locations,
                locationTypes: locations.map(() => "availability-zone"),
                instanceTypes: locations.map(() => type),
                region,
            };
        }
        case TOKENS.subnets: {
            const filters = inputs.filters as { name: string; values: string[] }[];
            const zone = filters.find((f) => f.name === "availability-zone")?.values[0];
            const ids = zone === undefined ? Object.values(aws.subnets ?? {}).flat() : (aws.subnets?.[zone] ?? []);
            return { id: String(inputs.region), ids, region: inputs.region };
        }
        case TOKENS.subnet: {
            if (inputs.filters) {
                // A subnet named by its installer Name tag: every such subnet is in the cluster's one VPC.
                const name = (inputs.filters as { name: string; values: string[] }[]).find((f) => f.name === "tag:Name")?.values[0] ?? "";
                const zone = /(\w+-\w+-\d[a-z])$/.exec(name)?.[1];
                if (!zone) throw new Error(`InvalidSubnet.NotFound: no subnet named ${name}`);
                return { id: `subnet-${zone}`, availabilityZone: zone, vpcId: CLUSTER_VPC, region: inputs.region };
            }
            const zone = Object.entries(aws.subnets ?? {}).find(([, ids]) => ids.includes(String(inputs.id)))?.[0];
            if (!zone) throw new Error(`InvalidSubnetID.NotFound: ${String(inputs.id)}`);
            return { id: inputs.id, availabilityZone: zone, vpcId: CLUSTER_VPC, region: inputs.region };
        }
        case TOKENS.securityGroups: {
            const filters = inputs.filters as { name: string; values: string[] }[];
            const name = filters.find((f) => f.name === "tag:Name")?.values[0] ?? "";
            const ids = aws.securityGroups?.[name] ?? [];
            return {
                id: String(inputs.region),
                ids,
                arns: ids.map((i) => `arn:aws:ec2:::security-group/${i}`),
                vpcIds: [],
                region: inputs.region,
            };
        }
        default:
            throw new Error(`unexpected invoke ${token}`);
    }
}

/**
 * The installer's worker MachineSets `<infraId>-worker-<zone>` as a cluster holds them: `terraform`
 * names for clusters installed before 4.16 (kept across upgrades), `clusterApi` names from 4.16.
 */
export function workerMachineSets(
    infraId: string,
    region: string,
    zones: string[],
    installedWith: "terraform" | "clusterApi",
): Record<string, Record<string, unknown>> {
    const byName = (name: string) => ({ filters: [{ name: "tag:Name", values: [name] }] });
    return Object.fromEntries(
        zones.map((zone) => {
            const name = `${infraId}-worker-${zone}`;
            const providerSpec = {
                apiVersion: "machine.openshift.io/v1beta1",
                kind: "AWSMachineProviderConfig",
                ami: { id: "ami-0123456789abcdef0" },
                instanceType: "m6i.xlarge",
                placement: { region, availabilityZone: zone },
                subnet: byName(installedWith === "terraform" ? `${infraId}-private-${zone}` : `${infraId}-subnet-private-${zone}`),
                securityGroups:
                    installedWith === "terraform" ? [byName(`${infraId}-worker-sg`)] : [byName(`${infraId}-node`), byName(`${infraId}-lb`)],
                iamInstanceProfile: { id: `${infraId}-worker-profile` },
                userDataSecret: { name: "worker-user-data" },
                credentialsSecret: { name: "aws-cloud-credentials" },
                tags: [{ name: `kubernetes.io/cluster/${infraId}`, value: "owned" }],
            };
            return [
                `kubernetes:machine.openshift.io/v1beta1:MachineSet::openshift-machine-api/${name}`,
                {
                    apiVersion: "machine.openshift.io/v1beta1",
                    kind: "MachineSet",
                    metadata: { name, namespace: "openshift-machine-api" },
                    spec: { replicas: 1, template: { spec: { providerSpec: { value: providerSpec } } } },
                },
            ];
        }),
    );
}
