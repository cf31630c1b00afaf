/**
 * Where each zone's new machines attach, by precedence: `network.subnets` + `securityGroups`, else
 * (connected) the cluster's worker MachineSet of that zone or `network.workerMachineSet` with the zone
 * swapped, else (rendering with aws lookups) AWS by the cluster tag. A connected run reads
 * MachineSets by name: the provider cannot look one up without failing the run when it does not
 * exist. Also the VPC of the cluster's subnets, where EFA pools get their security group.
 */
import type { CapacityConfig, ReservationFacts } from "../config/types";
import { ConfigProblem, describeAwsFailure, keyPath, PathSegment, problem } from "../errors";
import {
    awsReference,
    clusterTag,
    installerIdentity,
    MachineNetwork,
    networkFromWorkerMachineSet,
    NetworkSource,
    subnetNames,
    workerSecurityGroupNames,
    workerMachineSetName,
} from "./machineNetwork";
import type { AwsClient } from "./awsClient";
import type { ClusterReads } from "./clusterReads";
import { firstUse } from "./firstUse";

export type ZoneNetworks = Map<string, { network: MachineNetwork; source: NetworkSource }>;

export interface NetworksAnswer {
    networks: ZoneNetworks;
    problems: ConfigProblem[];
}

/** Every zone a pool or one of its reservations uses, with the first key path that uses it. */
export function zoneUses(
    config: CapacityConfig,
    reservations: ReadonlyMap<string, ReservationFacts>,
): { zone: string; at: PathSegment[] }[] {
    const zones = config.pools.flatMap((pool, index) => [
        ...pool.zones.map((zone, z) => ({ zone, at: ["pools", index, "zones", z] as PathSegment[] })),
        ...pool.capacityReservations.flatMap((id, r) => {
            const zone = reservations.get(id)?.availabilityZone;
            return zone ? [{ zone, at: ["pools", index, "capacityReservations", r] as PathSegment[] }] : [];
        }),
    ]);
    return [...firstUse(zones, (u) => u.zone).values()].map((index) => zones[index]);
}

/**
 * @param config with the pools' zones known (lookups/zones.ts).
 * @param cluster the cluster's reads when connected; none when rendering.
 * @param client AWS with aws lookups; none offline.
 */
export async function lookupNetworks(
    config: CapacityConfig,
    reservations: ReadonlyMap<string, ReservationFacts>,
    cluster: ClusterReads | undefined,
    client: Pick<AwsClient, "subnetIds" | "securityGroupIds"> | undefined,
): Promise<NetworksAnswer> {
    const { infraId } = config.cluster;
    const { workerMachineSet, subnets, securityGroups: explicitGroups, instanceProfile } = config.network;
    const explicit = subnets && explicitGroups ? { subnets, securityGroups: explicitGroups, instanceProfile } : undefined;
    const answer: NetworksAnswer = { networks: new Map(), problems: [] };
    const fromAws = !explicit && !cluster && client ? { client, securityGroups: awsSecurityGroups(config, client) } : undefined;
    for (const { zone, at } of zoneUses(config, reservations)) {
        if (explicit && !explicit.subnets[zone]) {
            answer.problems.push(
                problem(["network", "subnets"], Object.keys(explicit.subnets), `a subnet for ${zone}, which ${keyPath(at)} uses`),
            );
        } else if (explicit) {
            answer.networks.set(zone, {
                network: {
                    ...installerIdentity(infraId),
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
                answer.problems.push(
                    problem(
                        workerMachineSet ? ["network", "workerMachineSet"] : at,
                        workerMachineSet ?? zone,
                        `a worker MachineSet to copy the network of ${zone} from: openshift-machine-api/${name} cannot serve, ${found.missing} (set network.workerMachineSet, or network.subnets and securityGroups)`,
                    ),
                );
            } else {
                answer.networks.set(zone, { network: found, source: { kind: "worker-machineset", name } });
            }
        } else if (fromAws) {
            const [subnet, groups] = await Promise.all([awsSubnet(config, fromAws.client, zone, at), fromAws.securityGroups]);
            if ("problem" in subnet) answer.problems.push(subnet.problem);
            // One question for every zone: its problem is said once.
            if ("problem" in groups && !answer.problems.includes(groups.problem)) answer.problems.push(groups.problem);
            if ("id" in subnet && "ids" in groups) {
                answer.networks.set(zone, {
                    network: { ...installerIdentity(infraId), subnet: { id: subnet.id }, securityGroups: groups.ids },
                    source: { kind: "aws" },
                });
            }
        }
    }
    return answer;
}

/** The one private subnet of the zone tagged for the cluster, under either installer's name. */
async function awsSubnet(
    config: CapacityConfig,
    client: Pick<AwsClient, "subnetIds">,
    zone: string,
    at: PathSegment[],
): Promise<{ id: string } | { problem: ConfigProblem }> {
    const tag = clusterTag(config.cluster.infraId);
    const names = subnetNames(config.cluster.infraId, zone);
    try {
        const ids = await client.subnetIds([
            { name: "tag-key", values: [tag] },
            { name: "availability-zone", values: [zone] },
            { name: "tag:Name", values: names },
        ]);
        if (ids.length === 1) return { id: ids[0] };
        return {
            problem: problem(
                at,
                zone,
                `a zone with exactly one private subnet of the cluster (tag ${tag}, Name ${names.join(" or ")}); found ${ids.length > 0 ? ids.join(", ") : "none"} (set network.subnets and securityGroups)`,
            ),
        };
    } catch (error) {
        return { problem: problem(at, zone, `a zone whose subnets can be read (${describeAwsFailure("ec2:DescribeSubnets", error)})`) };
    }
}

/** The worker security groups of either installer generation, found by the cluster tag. */
async function awsSecurityGroups(
    config: CapacityConfig,
    client: Pick<AwsClient, "securityGroupIds">,
): Promise<{ ids: { id: string }[] } | { problem: ConfigProblem }> {
    const tag = clusterTag(config.cluster.infraId);
    const { terraform, clusterApi } = workerSecurityGroupNames(config.cluster.infraId);
    try {
        // One question per Name: the answer lists ids only, not which Name each has.
        const byName = new Map<string, string[]>();
        for (const name of [...clusterApi, ...terraform]) {
            const ids = await client.securityGroupIds([
                { name: "tag-key", values: [tag] },
                { name: "tag:Name", values: [name] },
            ]);
            if (ids.length > 0) byName.set(name, [...ids]);
        }
        for (const generation of [clusterApi, terraform]) {
            if (generation.every((name) => byName.get(name)?.length === 1)) {
                return { ids: generation.map((name) => ({ id: (byName.get(name) as string[])[0] })) };
            }
        }
        const seen = [...byName].map(([name, ids]) => `${name} (${ids.join(", ")})`).join("; ") || "none";
        return {
            problem: problem(
                ["network", "securityGroups"],
                undefined,
                `the cluster's worker security groups: one each of ${clusterApi.join(" + ")} (4.16+ installs) or ${terraform.join("")} (earlier installs), tagged ${tag}; found ${seen}`,
            ),
        };
    } catch (error) {
        return {
            problem: problem(
                ["network", "securityGroups"],
                undefined,
                `readable security groups (${describeAwsFailure("ec2:DescribeSecurityGroups", error)})`,
            ),
        };
    }
}

/** The VPC of the first EFA pool's subnet: the installer puts every cluster subnet in one VPC. */
export async function lookupClusterVpc(
    config: CapacityConfig,
    client: Pick<AwsClient, "subnet">,
    networks: ZoneNetworks,
    reservations: ReadonlyMap<string, ReservationFacts>,
): Promise<{ vpcId?: string; problems: ConfigProblem[] }> {
    const index = config.pools.findIndex((p) => p.efa);
    if (index < 0) return { problems: [] };
    const pool = config.pools[index];
    const zone = pool.zones[0] ?? reservations.get(pool.capacityReservations[0])?.availabilityZone;
    const subnet = zone ? networks.get(zone)?.network.subnet : undefined;
    if (!subnet) return { problems: [] };
    try {
        const found = await client.subnet(
            "id" in subnet
                ? { id: subnet.id }
                : "filters" in subnet
                  ? { filters: subnet.filters }
                  : { filters: [{ name: "subnet-arn", values: [subnet.arn] }] },
        );
        return { vpcId: found.vpcId, problems: [] };
    } catch (error) {
        return {
            problems: [
                problem(
                    ["pools", index, "efa"],
                    true,
                    `a pool whose subnet's VPC can be read (${describeAwsFailure("ec2:DescribeSubnets", error)})`,
                ),
            ],
        };
    }
}
