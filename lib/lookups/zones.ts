/**
 * Where each pool's instance type is offered, and the zones of pools that name none: the zones of the
 * cluster's private subnets (explicit `network.subnets`, else the cluster-tagged subnets of either
 * installer's naming) where AWS offers the type. The config is not changed: `withPoolZones` makes the
 * config the plan reads.
 */
import type { CapacityConfig, PoolConfig } from "../config/types";
import { ConfigProblem, describeAwsFailure, problem, refusedLookup } from "../errors";
import { machineSetName, machineSetNameProblem } from "../naming";
import { clusterTag, subnetNames } from "./machineNetwork";
import type { AwsClient } from "./awsClient";
import { firstUse } from "./firstUse";

export interface OfferedZonesAnswer {
    /** The availability zones of the region where AWS offers each type; none for a type whose offerings could not be read. */
    offered: Map<string, string[]>;
    problems: ConfigProblem[];
}

/** One question per type, whatever the zones. */
export async function lookupOfferedZones(
    config: CapacityConfig,
    client: Pick<AwsClient, "offeredZones" | "region">,
): Promise<OfferedZonesAnswer> {
    const answers = await Promise.all(
        [...firstUse(config.pools, (p) => p.instanceType)].map(async ([type, index]) => {
            try {
                return [type, [...(await client.offeredZones(type))].sort()] as const;
            } catch (error) {
                return [
                    type,
                    problem(
                        ["pools", index, "instanceType"],
                        type,
                        `a type whose zone offerings can be read in ${client.region} (${describeAwsFailure("ec2:DescribeInstanceTypeOfferings", error)})`,
                    ),
                ] as const;
            }
        }),
    );
    const offered = new Map<string, string[]>();
    const problems: ConfigProblem[] = [];
    for (const [type, answer] of answers) {
        if (Array.isArray(answer)) offered.set(type, answer);
        else problems.push(answer);
    }
    return { offered, problems };
}

/**
 * A MachineSet in a zone where EC2 does not offer its type never gets a Machine past `Failed`
 * (Unsupported: the requested configuration is currently not supported), so refuse it up front.
 */
export function zonesNotOffered(config: CapacityConfig, offered: ReadonlyMap<string, string[]>): ConfigProblem[] {
    return config.pools.flatMap((pool, index) => {
        const zones = offered.get(pool.instanceType);
        // A retired pool launches nothing; refusing it would keep it from ever being removed.
        if (!zones || pool.retired) return [];
        return pool.zones.flatMap((zone, z) => {
            if (zones.includes(zone)) return [];
            const where = zones.length > 0 ? `offered in: ${zones.join(", ")}` : `offered in no zone of ${config.cluster.region}`;
            return [
                problem(
                    ["pools", index, "zones", z],
                    zone,
                    `a zone where AWS offers ${pool.instanceType} (${pool.instanceType} is not offered in ${zone}; ${where})`,
                ),
            ];
        });
    });
}

export interface PoolZonesAnswer {
    /** The zones of each pool that names none (`zonesFromCluster`), by pool name. */
    zones: Map<string, string[]>;
    problems: ConfigProblem[];
}

/** The zones of the pools that name none; nothing to ask when every pool names its zones. */
export async function lookupPoolZones(
    config: CapacityConfig,
    client: Pick<AwsClient, "subnetIds" | "subnet">,
    offered: ReadonlyMap<string, string[]>,
): Promise<PoolZonesAnswer> {
    if (!config.pools.some((p) => p.zonesFromCluster)) return { zones: new Map(), problems: [] };
    let clusterZones: string[];
    try {
        clusterZones = config.network.subnets ? Object.keys(config.network.subnets) : await clusterSubnetZones(config, client);
    } catch (error) {
        return { zones: new Map(), problems: [refusedLookup("ec2:DescribeSubnets", "find the cluster's zones", error)] };
    }
    return poolZonesIn(config, clusterZones, offered);
}

/** The availability zones of the cluster's private subnets (cluster tag, either installer's names). */
async function clusterSubnetZones(config: CapacityConfig, client: Pick<AwsClient, "subnetIds" | "subnet">): Promise<string[]> {
    const { infraId } = config.cluster;
    const ids = await client.subnetIds([
        { name: "tag-key", values: [clusterTag(infraId)] },
        { name: "tag:Name", values: subnetNames(infraId, "*") },
    ]);
    const zones = await Promise.all(ids.map(async (id) => (await client.subnet({ id })).availabilityZone));
    return [...new Set(zones)].sort();
}

/** Each `zonesFromCluster` pool takes the cluster's zones that offer its type; its MachineSet names must still fit. */
export function poolZonesIn(
    config: CapacityConfig,
    clusterZones: readonly string[],
    offered: ReadonlyMap<string, string[]>,
): PoolZonesAnswer {
    const zones = new Map<string, string[]>();
    const problems: ConfigProblem[] = [];
    config.pools.forEach((pool, index) => {
        if (!pool.zonesFromCluster) return;
        const offeredHere = offered.get(pool.instanceType) ?? [];
        const poolZones = clusterZones.filter((z) => offeredHere.includes(z)).sort();
        zones.set(pool.name, poolZones);
        if (poolZones.length === 0) {
            problems.push(
                problem(
                    ["pools", index, "zones"],
                    undefined,
                    `a list of zones: AWS offers ${pool.instanceType} in none of the cluster's zones (${clusterZones.join(", ") || "none found"})`,
                ),
            );
        }
        for (const zone of poolZones) {
            const tooLong = machineSetNameProblem(index, pool.name, machineSetName(config.cluster.infraId, pool.name, zone));
            if (tooLong) problems.push(tooLong);
        }
    });
    return { zones, problems };
}

/**
 * The config with the looked-up zones of the pools that name none; the config itself when there are
 * none to give, or they are given already, and the same pool objects for the pools that name theirs.
 */
export function withPoolZones(config: CapacityConfig, zones: ReadonlyMap<string, string[]>): CapacityConfig {
    const unzoned = (pool: PoolConfig) => pool.zonesFromCluster && pool.zones.length === 0 && zones.has(pool.name);
    if (!config.pools.some(unzoned)) return config;
    const pools = config.pools.map((pool): PoolConfig => (unzoned(pool) ? { ...pool, zones: zones.get(pool.name) as string[] } : pool));
    return { ...config, pools };
}
