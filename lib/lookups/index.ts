/**
 * Facts the program needs from AWS: instance specs, quota limits, AMI ids and the account. With
 * `lookups: aws` each distinct question is asked once, through an `@pulumi/aws` invoke or the AWS SDK
 * (CloudWatch usage, running instances, reservation kinds), however many pools and zones share it;
 * with `lookups: offline` nothing calls AWS.
 */
import * as aws from "@pulumi/aws";
import { InstanceSpec, resolveInstanceSpec } from "../../policy/lib/catalogue";
import { architectureOf, BOOT_IMAGES_CONFIGMAP, bootImageFromStream } from "../bootImages";
import { fallbackMachineSetName, machineSetName, machineSetNameProblem } from "../naming";
import { ownVcpus, ServiceQuotaUsageMetric, vcpusInUse } from "../usage";
import type { ClusterReads } from "../clusterReads";
import {
    awsReference,
    clusterTag,
    installerIdentity,
    MachineNetwork,
    networkFromWorkerMachineSet,
    NetworkSource,
    SUBNET_NAMES,
    WORKER_SECURITY_GROUPS,
    workerMachineSetName,
} from "../network";
import { readReservations } from "./reservations";
import { isReservedOnly } from "../config/pool";
import { CLUSTER_READ, ConfigError, ConfigProblem, describeAwsFailure, firstLineOf, keyPath, problem, PathSegment } from "../errors";
import type { AmiQuery, CapacityConfig, PoolConfig } from "../config/types";
import type { AmiSource, LookupFacts } from "./facts";
import { quotaFor } from "../../policy/lib/contract";

/** The first place in the config that uses each distinct value, for error messages. */
function firstUse<T>(items: readonly T[], keyOf: (item: T, index: number) => string | undefined): Map<string, number> {
    const uses = new Map<string, number>();
    items.forEach((item, index) => {
        const key = keyOf(item, index);
        if (key !== undefined && !uses.has(key)) uses.set(key, index);
    });
    return uses;
}

function amiQueryKey(ami: AmiQuery): string | undefined {
    return ami.id ? undefined : JSON.stringify([ami.owners, ami.namePattern]);
}

const errorText = (error: unknown) => firstLineOf(error, 200);

/**
 * A MachineSet in a zone where EC2 does not offer its type never gets a Machine past `Failed`
 * (Unsupported: the requested configuration is currently not supported), so refuse it up front.
 */
function checkZonesOffered(
    pools: CapacityConfig["pools"],
    offered: ReadonlyMap<string, string[] | undefined>,
    region: string,
    problems: ConfigProblem[],
): void {
    pools.forEach((pool, index) => {
        const zones = offered.get(pool.instanceType);
        // A retired pool launches nothing; refusing it would keep it from ever being removed.
        if (!zones || pool.retired) return;
        pool.zones.forEach((zone, z) => {
            if (!zones.includes(zone)) {
                const where = zones.length > 0 ? `offered in: ${zones.join(", ")}` : `offered in no zone of ${region}`;
                problems.push(
                    problem(
                        ["pools", index, "zones", z],
                        zone,
                        `a zone where AWS offers ${pool.instanceType} (${pool.instanceType} is not offered in ${zone}; ${where})`,
                    ),
                );
            }
        });
    });
}

/**
 * @param readCluster reads from the cluster, called once the AWS answers have no problem (it creates
 *   the Kubernetes provider); absent when rendering YAML, with no cluster to read from.
 */
export async function resolveLookups(config: CapacityConfig, readCluster?: () => ClusterReads): Promise<LookupFacts> {
    const problems: ConfigProblem[] = [];
    const { pools } = config;
    const typeUses = firstUse(pools, (p) => p.instanceType);
    // EC2 quotas bound MachineSets; on plain Kubernetes the pools are existing nodes.
    const onAws = config.cluster.platform === "openshift";
    // A spot pool with an on-demand fallback uses both of its type's quotas.
    const quotaRefs = pools.flatMap((p, index) =>
        (p.onDemandFallback ? [p.market, "on-demand" as const] : [p.market]).map((market) => ({ p, index, market })),
    );
    const quotaUses = new Map(
        [...firstUse(quotaRefs, (r) => (onAws && !isReservedOnly(r.p) ? quotaFor(r.p.instanceType, r.market)?.code : undefined))].map(
            ([code, ref]) => [code, quotaRefs[ref].index] as const,
        ),
    );
    pools.forEach((pool, index) => {
        if (onAws && !quotaFor(pool.instanceType, pool.market)) {
            problems.push(
                problem(
                    ["pools", index, "instanceType"],
                    pool.instanceType,
                    "an instance type of a known EC2 quota group (Standard, G and VT, P, Inf, Trn, DL)",
                ),
            );
        }
    });

    const online = config.lookups === "aws";
    const region = config.cluster.region;
    const architectures = new Map<string, string[]>();
    const awsQuotaValues: Record<string, number> = {};
    const usageMetrics = new Map<string, ServiceQuotaUsageMetric>();
    const [accountId, specs, limits, offerings] = await Promise.all([
        online ? callerAccount() : Promise.resolve(undefined),
        Promise.all(
            [...typeUses].map(async ([type, index]) => [type, await instanceSpec(type, ["pools", index, "instanceType"])] as const),
        ),
        Promise.all([...quotaUses].map(async ([code, index]) => [code, await quotaLimit(code, index)] as const)),
        Promise.all(
            [...(online && onAws ? typeUses : new Map<string, number>())].map(
                async ([type, index]) => [type, await offeredZones(type, index)] as const,
            ),
        ),
    ]);
    const reservations =
        online && onAws
            ? await readReservations(pools, region, problems)
            : new Map(Object.entries(config.capacityReservations).map(([id, facts]) => [id, { id, ...facts }]));
    const offered = new Map(offerings);
    if (pools.some((p) => p.zonesFromCluster) && online && onAws) {
        await defaultZones(offered);
    }
    checkZonesOffered(pools, offered, region, problems);
    if (config.cluster.accountId && accountId && accountId !== config.cluster.accountId) {
        problems.push(
            problem(
                ["cluster", "accountId"],
                config.cluster.accountId,
                `the account these AWS credentials belong to (${accountId}); refusing to touch another account`,
            ),
        );
    }
    if (problems.length > 0) {
        throw new ConfigError(problems, "lookups failed");
    }
    const usedOutside = online && onAws ? await awsUsage() : config.usage;
    if (problems.length > 0) throw new ConfigError(problems, "lookups failed");
    // Only now, with the AWS answers in order, is the cluster read (which registers the provider).
    const cluster = onAws ? readCluster?.() : undefined;
    const amis = onAws ? await resolveAmis() : new Map<string, { id: string; source: AmiSource }>();
    const networks = onAws ? await resolveNetworks() : new Map<string, { network: MachineNetwork; source: NetworkSource }>();
    const vpcId = online && onAws && pools.some((p) => p.efa) ? await clusterVpc() : undefined;

    return {
        accountId,
        instanceSpecs: new Map(specs.filter((entry): entry is [string, InstanceSpec] => entry[1] !== undefined)),
        quotaLimits: Object.fromEntries(limits.filter((entry): entry is [string, number] => entry[1] !== undefined)),
        awsQuotaValues,
        usedOutside,
        amis,
        networks,
        reservations,
        vpcId,
    };

    /** The VPC of the first EFA pool's subnet: the installer puts every cluster subnet in one VPC. */
    async function clusterVpc(): Promise<string | undefined> {
        const index = pools.findIndex((p) => p.efa);
        const pool = pools[index];
        const zone = pool.zones[0] ?? reservations.get(pool.capacityReservations[0])?.availabilityZone;
        const subnet = zone ? networks.get(zone)?.network.subnet : undefined;
        if (!subnet) return undefined;
        try {
            const found = await aws.ec2.getSubnet({
                ...("id" in subnet
                    ? { id: subnet.id }
                    : "filters" in subnet
                      ? { filters: subnet.filters }
                      : { filters: [{ name: "subnet-arn", values: [subnet.arn] }] }),
                region,
            });
            return found.vpcId;
        } catch (error) {
            problems.push(
                problem(
                    ["pools", index, "efa"],
                    true,
                    `a pool whose subnet's VPC can be read (${describeAwsFailure("ec2:DescribeSubnets", error)})`,
                ),
            );
            throw new ConfigError(problems, "lookups failed", cluster ? CLUSTER_READ : undefined);
        }
    }

    /**
     * Each pool zone's network, by precedence: network.subnets + securityGroups, else (connected) the
     * cluster's worker MachineSet of that zone or network.workerMachineSet with the zone swapped, else
     * (rendering with aws lookups) AWS by the cluster tag. A connected run reads MachineSets by name:
     * the provider cannot look one up without failing the run when it does not exist.
     */
    async function resolveNetworks(): Promise<Map<string, { network: MachineNetwork; source: NetworkSource }>> {
        const { infraId } = config.cluster;
        const { workerMachineSet, subnets, securityGroups: explicitGroups, instanceProfile } = config.network;
        const explicit = subnets && explicitGroups ? { subnets, securityGroups: explicitGroups, instanceProfile } : undefined;
        const zones = pools.flatMap((pool, index) => [
            ...pool.zones.map((zone, z) => ({ zone, at: ["pools", index, "zones", z] as PathSegment[] })),
            ...pool.capacityReservations.flatMap((id, r) => {
                const zone = reservations.get(id)?.availabilityZone;
                return zone ? [{ zone, at: ["pools", index, "capacityReservations", r] as PathSegment[] }] : [];
            }),
        ]);
        const uses = [...firstUse(zones, (u) => u.zone).values()].map((index) => zones[index]);
        const result = new Map<string, { network: MachineNetwork; source: NetworkSource }>();
        const securityGroups = !explicit && !cluster && online ? awsSecurityGroups() : undefined;
        for (const { zone, at } of uses) {
            if (explicit && !explicit.subnets[zone]) {
                problems.push(
                    problem(["network", "subnets"], Object.keys(explicit.subnets), `a subnet for ${zone}, which ${keyPath(at)} uses`),
                );
            } else if (explicit) {
                const identity = installerIdentity(infraId);
                result.set(zone, {
                    network: {
                        ...identity,
                        ...(explicit.instanceProfile && { iamInstanceProfile: { id: explicit.instanceProfile } }),
                        subnet: awsReference(explicit.subnets[zone], "subnet-"),
                        securityGroups: explicit.securityGroups.map((g) => awsReference(g, "sg-")),
                    },
                    source: { kind: "config" },
                });
            } else if (cluster) {
                const name = workerMachineSet ?? workerMachineSetName(infraId, zone);
                const found = networkFromWorkerMachineSet(await cluster.machineSetSpec(name).then((spec) => ({ spec })), zone);
                if ("missing" in found) {
                    problems.push(
                        problem(
                            workerMachineSet ? ["network", "workerMachineSet"] : at,
                            workerMachineSet ?? zone,
                            `a worker MachineSet to copy the network of ${zone} from: openshift-machine-api/${name} cannot serve, ${found.missing} (set network.workerMachineSet, or network.subnets and securityGroups)`,
                        ),
                    );
                } else {
                    result.set(zone, { network: found, source: { kind: "worker-machineset", name } });
                }
            } else if (online) {
                const [subnet, groups] = await Promise.all([awsSubnet(zone, at), securityGroups]);
                if (subnet && groups) {
                    result.set(zone, {
                        network: { ...installerIdentity(infraId), subnet: { id: subnet }, securityGroups: groups },
                        source: { kind: "aws" },
                    });
                }
            }
        }
        if (problems.length > 0) throw new ConfigError(problems, "lookups failed", cluster ? CLUSTER_READ : undefined);
        return result;
    }

    /** The one private subnet of the zone tagged for the cluster, under either installer's name. */
    async function awsSubnet(zone: string, at: PathSegment[]): Promise<string | undefined> {
        const names = SUBNET_NAMES(config.cluster.infraId, zone);
        try {
            const found = await aws.ec2.getSubnets({
                filters: [
                    { name: "tag-key", values: [clusterTag(config.cluster.infraId)] },
                    { name: "availability-zone", values: [zone] },
                    { name: "tag:Name", values: names },
                ],
                region,
            });
            if (found.ids.length === 1) return found.ids[0];
            problems.push(
                problem(
                    at,
                    zone,
                    `a zone with exactly one private subnet of the cluster (tag ${clusterTag(config.cluster.infraId)}, Name ${names.join(" or ")}); found ${found.ids.length > 0 ? found.ids.join(", ") : "none"} (set network.subnets and securityGroups)`,
                ),
            );
        } catch (error) {
            problems.push(problem(at, zone, `a zone whose subnets can be read (${describeAwsFailure("ec2:DescribeSubnets", error)})`));
        }
        return undefined;
    }

    /** The worker security groups of either installer generation, found by the cluster tag. */
    async function awsSecurityGroups(): Promise<{ id: string }[] | undefined> {
        const { terraform, clusterApi } = WORKER_SECURITY_GROUPS(config.cluster.infraId);
        try {
            // One question per Name: the answer lists ids only, not which Name each has.
            const byName = new Map<string, string[]>();
            for (const name of [...clusterApi, ...terraform]) {
                const found = await aws.ec2.getSecurityGroups({
                    filters: [
                        { name: "tag-key", values: [clusterTag(config.cluster.infraId)] },
                        { name: "tag:Name", values: [name] },
                    ],
                    region,
                });
                if (found.ids.length > 0) byName.set(name, [...found.ids]);
            }
            for (const generation of [clusterApi, terraform]) {
                if (generation.every((name) => byName.get(name)?.length === 1))
                    return generation.map((name) => ({ id: (byName.get(name) as string[])[0] }));
            }
            const seen = [...byName].map(([name, ids]) => `${name} (${ids.join(", ")})`).join("; ") || "none";
            problems.push(
                problem(
                    ["network", "securityGroups"],
                    undefined,
                    `the cluster's worker security groups: one each of ${clusterApi.join(" + ")} (4.16+ installs) or ${terraform.join("")} (earlier installs), tagged ${clusterTag(config.cluster.infraId)}; found ${seen}`,
                ),
            );
        } catch (error) {
            problems.push(
                problem(
                    ["network", "securityGroups"],
                    undefined,
                    `readable security groups (${describeAwsFailure("ec2:DescribeSecurityGroups", error)})`,
                ),
            );
        }
        return undefined;
    }

    /**
     * Each pool's AMI, by precedence: the pinned id, else the cluster's own boot image for the pool's
     * architecture and region, else the owners + namePattern lookup. A pool none of them serves is a
     * problem naming every source tried.
     */
    async function resolveAmis(): Promise<Map<string, { id: string; source: AmiSource }>> {
        const needsAmi = pools.filter((p) => !p.ami.id);
        const stream = cluster && needsAmi.length > 0 ? await cluster.bootImageStream() : undefined;
        const lookups = new Map<string, Promise<string | { error: string }>>();
        const result = new Map<string, { id: string; source: AmiSource }>();
        // Pools sharing the stack's ami fail alike: one problem per key and architecture.
        const reportedAmis = new Set<string>();
        for (const [index, pool] of pools.entries()) {
            if (pool.ami.id) {
                result.set(pool.name, { id: pool.ami.id, source: "pinned" });
                continue;
            }
            const arch = architectureOf(pool.instanceType, architectures.get(pool.instanceType));
            const bootImage = cluster ? bootImageFromStream(stream, arch, region) : undefined;
            if (bootImage && "ami" in bootImage) {
                result.set(pool.name, { id: bootImage.ami, source: "cluster" });
                continue;
            }
            const tried = [
                "pinned id: not set",
                `the cluster's boot image (ConfigMap ${BOOT_IMAGES_CONFIGMAP.namespace}/${BOOT_IMAGES_CONFIGMAP.name}): ${
                    bootImage ? bootImage.missing : "not read, renderDirectory renders without a cluster"
                }`,
            ];
            let id: string | undefined;
            if (!pool.ami.namePattern) {
                tried.push("owners + namePattern lookup: no namePattern set");
            } else if (!online) {
                tried.push("owners + namePattern lookup: offline lookups make no AWS call");
            } else {
                const key = amiQueryKey(pool.ami) as string;
                if (!lookups.has(key)) lookups.set(key, amiLookup(pool.ami));
                const found = await (lookups.get(key) as Promise<string | { error: string }>);
                if (typeof found === "string") id = found;
                else tried.push(`owners ${pool.ami.owners.join(", ")} + namePattern ${pool.ami.namePattern}: ${found.error}`);
            }
            const path = amiPath(pool, index);
            const reported = `${path.join(".")}|${arch}`;
            if (id) {
                result.set(pool.name, { id, source: "lookup" });
            } else if (!reportedAmis.has(reported)) {
                reportedAmis.add(reported);
                problems.push(
                    problem(
                        path,
                        pool.ami.namePattern,
                        `an AMI for ${pool.instanceType} (${arch}) in ${region}; tried: ${tried.join("; ")}`,
                    ),
                );
            }
        }
        if (problems.length > 0) throw new ConfigError(problems, "lookups failed", cluster ? CLUSTER_READ : undefined);
        return result;
    }

    async function instanceSpec(type: string, at: PathSegment[]): Promise<InstanceSpec | undefined> {
        const override = config.instanceTypes[type];
        if (!online) {
            const spec = resolveInstanceSpec(type, config.instanceTypes);
            if (!spec) {
                const expected = override
                    ? "vcpus and memoryMiB in its cluster-capacity:instanceTypes entry (not in the built-in catalogue)"
                    : "a type of the built-in catalogue, or an entry in cluster-capacity:instanceTypes (offline lookups)";
                problems.push(problem(at, type, expected));
            }
            return spec;
        }
        try {
            const found = await aws.ec2.getInstanceType({ instanceType: type, region });
            architectures.set(type, found.supportedArchitectures ?? []);
            const fromAws: InstanceSpec = {
                vcpus: found.defaultVcpus,
                memoryMiB: found.memorySize,
                gpus: found.gpuses.reduce((sum, gpu) => sum + gpu.count, 0),
                gpuModel: found.gpuses[0] ? `${found.gpuses[0].manufacturer} ${found.gpuses[0].name}` : undefined,
                gpuMemoryMiB: found.gpuses[0]?.memorySize,
                neuronDevices: found.neuronDevices.reduce((sum, device) => sum + device.count, 0),
                neuronCores: found.neuronDevices.reduce((sum, device) => sum + device.count * device.coreCount, 0),
                efaSupported: found.efaSupported,
            };
            // Config may only add what AWS does not say (a GPU model name, say): a lower vCPU or device
            // count from config would let more machines past the quota than AWS will launch.
            const known = Object.fromEntries(Object.entries(fromAws).filter(([, value]) => value !== undefined));
            return { ...override, ...known } as InstanceSpec;
        } catch (error) {
            problems.push(
                problem(at, type, `an instance type AWS offers in ${region} (${describeAwsFailure("ec2:DescribeInstanceTypes", error)})`),
            );
            return undefined;
        }
    }

    /** An AWS call the credentials were not allowed (or failed): the action and what it was for. */
    function refused(action: string, purpose: string, error: unknown): void {
        problems.push(problem(["lookups"], "aws", `AWS lookups that can ${purpose} (${describeAwsFailure(action, error)})`));
    }

    /** Per quota code, the vCPUs CloudWatch reports in use minus those of this stack's running Machines. */
    async function awsUsage(): Promise<Record<string, number>> {
        const machineSets = pools.flatMap((pool) =>
            pool.zones.flatMap((zone) => [
                machineSetName(config.cluster.infraId, pool.name, zone),
                ...(pool.onDemandFallback ? [fallbackMachineSetName(config.cluster.infraId, pool.name, zone)] : []),
            ]),
        );
        let own: Record<string, number>;
        try {
            own = await ownVcpus(region, config.cluster.infraId, machineSets);
        } catch (error) {
            refused("ec2:DescribeInstances", "count this stack's machines", error);
            return {};
        }
        const result: Record<string, number> = {};
        for (const [code, metric] of usageMetrics) {
            try {
                result[code] = Math.max(0, (await vcpusInUse(region, metric)) - (own[code] ?? 0));
            } catch (error) {
                refused("cloudwatch:GetMetricStatistics", `read the usage of ${code}`, error);
            }
        }
        return result;
    }

    /**
     * Zones for pools that name none: the zones of the cluster's private subnets (explicit
     * network.subnets, else the cluster-tagged subnets of either installer's naming) where AWS
     * offers the pool's type. Fills in `pool.zones`.
     */
    async function defaultZones(offered: ReadonlyMap<string, string[] | undefined>): Promise<void> {
        let clusterZones: string[];
        try {
            clusterZones = config.network.subnets ? Object.keys(config.network.subnets) : await clusterSubnetZones();
        } catch (error) {
            refused("ec2:DescribeSubnets", "find the cluster's zones", error);
            return;
        }
        pools.forEach((pool, index) => {
            if (!pool.zonesFromCluster) return;
            const offeredHere = offered.get(pool.instanceType) ?? [];
            pool.zones = clusterZones.filter((z) => offeredHere.includes(z)).sort();
            if (pool.zones.length === 0) {
                problems.push(
                    problem(
                        ["pools", index, "zones"],
                        undefined,
                        `a list of zones: AWS offers ${pool.instanceType} in none of the cluster's zones (${clusterZones.join(", ") || "none found"})`,
                    ),
                );
            }
            for (const zone of pool.zones) {
                const tooLong = machineSetNameProblem(index, pool.name, machineSetName(config.cluster.infraId, pool.name, zone));
                if (tooLong) problems.push(tooLong);
            }
        });
    }

    /** The availability zones of the cluster's private subnets (cluster tag, either installer's names). */
    async function clusterSubnetZones(): Promise<string[]> {
        const { infraId } = config.cluster;
        const found = await aws.ec2.getSubnets({
            filters: [
                { name: "tag-key", values: [clusterTag(infraId)] },
                { name: "tag:Name", values: SUBNET_NAMES(infraId, "*") },
            ],
            region,
        });
        const zones = await Promise.all(found.ids.map(async (id) => (await aws.ec2.getSubnet({ id, region })).availabilityZone));
        return [...new Set(zones)].sort();
    }

    /** The account of the credentials; expired or missing credentials are a problem, not a stack trace. */
    async function callerAccount(): Promise<string | undefined> {
        try {
            return (await aws.getCallerIdentity({})).accountId;
        } catch (error) {
            problems.push(problem(["lookups"], "aws", `AWS credentials that work (${describeAwsFailure("sts:GetCallerIdentity", error)})`));
            return undefined;
        }
    }

    /** The availability zones of the region where AWS offers the type (one call per type, whatever the zones). */
    async function offeredZones(type: string, poolIndex: number): Promise<string[] | undefined> {
        try {
            const found = await aws.ec2.getInstanceTypeOfferings({
                locationType: "availability-zone",
                filters: [{ name: "instance-type", values: [type] }],
                region,
            });
            return [...found.locations].sort();
        } catch (error) {
            problems.push(
                problem(
                    ["pools", poolIndex, "instanceType"],
                    type,
                    `a type whose zone offerings can be read in ${region} (${describeAwsFailure("ec2:DescribeInstanceTypeOfferings", error)})`,
                ),
            );
            return undefined;
        }
    }

    async function quotaLimit(code: string, poolIndex: number): Promise<number | undefined> {
        const cap = config.quotas[code];
        if (!online) {
            if (cap === undefined) {
                problems.push(
                    problem(
                        ["quotas", code],
                        undefined,
                        `a vCPU limit for ${code}, used by pools[${poolIndex}] (offline lookups read quotas from config)`,
                    ),
                );
            }
            return cap;
        }
        try {
            const quota = await aws.servicequotas.getServiceQuota({ serviceCode: "ec2", quotaCode: code, region });
            if (typeof quota.value !== "number" || !Number.isFinite(quota.value)) {
                // An unknown limit must stop the run: treating it as no limit would pass any size.
                if (cap !== undefined) return cap;
                problems.push(
                    problem(
                        ["pools", poolIndex, "instanceType"],
                        pools[poolIndex].instanceType,
                        `a type whose quota ${code} has a value in ${region} (Service Quotas returned none; set quotas.${code} to the limit you know)`,
                    ),
                );
                return undefined;
            }
            awsQuotaValues[code] = quota.value;
            if (quota.usageMetrics?.[0]?.metricDimensions?.[0]) usageMetrics.set(code, quota.usageMetrics[0]);
            return cap === undefined ? quota.value : Math.min(cap, quota.value);
        } catch (error) {
            problems.push(
                problem(
                    ["pools", poolIndex, "instanceType"],
                    pools[poolIndex].instanceType,
                    `a type whose quota ${code} can be read in ${region} (${describeAwsFailure("servicequotas:GetServiceQuota", error)})`,
                ),
            );
            return undefined;
        }
    }

    function amiPath(pool: PoolConfig, index: number): PathSegment[] {
        const at: PathSegment[] = pool.amiFromPool ? ["pools", index, "ami"] : ["ami"];
        return pool.ami.namePattern ? [...at, "namePattern"] : at;
    }

    async function amiLookup(ami: AmiQuery): Promise<string | { error: string }> {
        try {
            const found = await aws.ec2.getAmi({
                owners: ami.owners,
                mostRecent: true,
                filters: [{ name: "name", values: [ami.namePattern ?? ""] }],
                region,
            });
            return found.id;
        } catch (error) {
            const text = errorText(error);
            return /returned no results/.test(text)
                ? { error: `no AMI matches in ${region} (AWS said: ${text})` }
                : { error: `the AMI lookup failed in ${region} (${describeAwsFailure("ec2:DescribeImages", error)})` };
        }
    }
}
