/**
 * How much of each EC2 quota is in use now outside this stack: clusters that share an account share
 * its quotas. Usage is the `AWS/Usage` CloudWatch metric that Service Quotas names for the code;
 * this stack's share is its running Machines' instances, whose Name tag is the Machine's name: its
 * MachineSet's name, a dash and 5 random characters.
 */
import { machineNamePrefix } from "../../policy/lib/resources";
import { addVcpusByQuota, type InstanceLike } from "../../policy/lib/usage";
import type { CapacityConfig } from "../config/types";
import { ConfigProblem, refusedLookup } from "../errors";
import { fallbackMachineSetName, machineSetName } from "../naming";
import type { AwsClient, ServiceQuotaUsageMetric } from "./awsClient";

export interface UsageAnswer {
    /** vCPUs in use now outside this stack, per code whose usage could be read. */
    usedOutside: Record<string, number>;
    problems: ConfigProblem[];
}

/**
 * Per quota code whose usage metric Service Quotas names, the vCPUs in use now minus this stack's
 * running Machines. `config` has the pools' zones known (lookups/zones.ts), so their MachineSets' names are.
 */
export async function lookupUsedOutside(
    config: CapacityConfig,
    client: Pick<AwsClient, "clusterInstances" | "newestUsage">,
    usageMetrics: ReadonlyMap<string, ServiceQuotaUsageMetric>,
): Promise<UsageAnswer> {
    let own: Record<string, number>;
    try {
        own = ownVcpus(stackMachineSetNames(config), await client.clusterInstances(config.cluster.infraId));
    } catch (error) {
        return { usedOutside: {}, problems: [refusedLookup("ec2:DescribeInstances", "count this stack's machines", error)] };
    }
    const answer: UsageAnswer = { usedOutside: {}, problems: [] };
    for (const [code, metric] of usageMetrics) {
        try {
            answer.usedOutside[code] = Math.max(0, (await client.newestUsage(metric)) - (own[code] ?? 0));
        } catch (error) {
            answer.problems.push(refusedLookup("cloudwatch:GetMetricStatistics", `read the usage of ${code}`, error));
        }
    }
    return answer;
}

/** The names of the zone MachineSets (and their on-demand fallbacks) of this stack's pools. */
function stackMachineSetNames(config: CapacityConfig): string[] {
    const { infraId } = config.cluster;
    return config.pools.flatMap((pool) =>
        pool.zones.flatMap((zone) => [
            machineSetName(infraId, pool.name, zone),
            ...(pool.onDemandFallback ? [fallbackMachineSetName(infraId, pool.name, zone)] : []),
        ]),
    );
}

/**
 * vCPUs per quota code of the instances that are Machines of `machineSets`, counted by their own type
 * and market (a MachineSet changed in place keeps machines of its old type).
 */
export function ownVcpus(
    machineSets: Iterable<string>,
    instances: readonly (InstanceLike & { Tags?: { Key?: string; Value?: string }[] })[],
): Record<string, number> {
    const prefixes = new Set([...machineSets].map(machineNamePrefix));
    const ours = instances.filter((instance) => {
        const name = instance.Tags?.find((t) => t.Key === "Name")?.Value ?? "";
        return /[a-z0-9]{5}$/.test(name) && prefixes.has(name.slice(0, -5));
    });
    const vcpus: Record<string, number> = {};
    addVcpusByQuota(vcpus, ours);
    return vcpus;
}
