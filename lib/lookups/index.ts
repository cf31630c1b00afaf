/**
 * Facts the program needs from the world before it plans: the account, instance types, quotas and
 * what is in use of them, where the types are offered, reservations, AMIs and networks. Each step
 * below is one fact's module, which asks each distinct question once however many pools and zones
 * share it (with `lookups: offline`, no client: nothing calls AWS). The first questions' problems
 * stop the run together, listed module by module; nothing is read from the cluster (which registers
 * the Kubernetes provider) until the AWS answers are in order.
 */
import type { CapacityConfig } from "../config/types";
import { CLUSTER_READ, ConfigError, type ConfigProblem } from "../errors";
import { accountMismatch, lookupAccount } from "./account";
import { type AwsClient, awsClient } from "./awsClient";
import type { ClusterReads } from "./clusterReads";
import type { LookupFacts } from "./facts";
import { lookupAmis } from "./amis";
import { lookupInstanceTypes } from "./instanceTypes";
import { lookupClusterVpc, lookupNetworks } from "./network";
import { lookupQuotas, unknownQuotaGroups } from "./quotas";
import { lookupUsedOutside } from "./quotaUsage";
import { lookupReservations } from "./reservations";
import { lookupOfferedZones, lookupPoolZones, withPoolZones, zonesNotOffered } from "./zones";

/**
 * @param readCluster reads from the cluster, called once the AWS answers have no problem (it creates
 *   the Kubernetes provider); absent when rendering YAML, with no cluster to read from.
 * @param client AWS for `lookups: aws`; none offline.
 */
export async function resolveLookups(
    config: CapacityConfig,
    readCluster?: () => ClusterReads,
    client: AwsClient | undefined = config.lookups === "aws" ? awsClient(config.cluster.region) : undefined,
): Promise<LookupFacts> {
    // EC2 quotas, offerings, reservations, AMIs and networks matter to MachineSets; on plain Kubernetes the pools are existing nodes.
    const onAws = config.cluster.platform === "openshift";
    const machineSetAws = onAws ? client : undefined;
    const [account, types, quotas, offerings] = await Promise.all([
        lookupAccount(client),
        lookupInstanceTypes(config, client),
        lookupQuotas(config, client),
        machineSetAws ? lookupOfferedZones(config, machineSetAws) : { offered: new Map<string, string[]>(), problems: [] },
    ]);
    const reservations = await lookupReservations(config, machineSetAws);
    const poolZones = machineSetAws
        ? await lookupPoolZones(config, machineSetAws, offerings.offered)
        : { zones: new Map<string, string[]>(), problems: [] };
    stopOn([
        ...unknownQuotaGroups(config),
        ...account.problems,
        ...types.problems,
        ...quotas.problems,
        ...offerings.problems,
        ...reservations.problems,
        ...poolZones.problems,
        ...zonesNotOffered(config, offerings.offered),
        ...accountMismatch(config, account.accountId),
    ]);
    // From here on the pools' zones are known; the config itself stays as it was read.
    const zoned = withPoolZones(config, poolZones.zones);
    const usage = machineSetAws
        ? await lookupUsedOutside(zoned, machineSetAws, quotas.usageMetrics)
        : { usedOutside: config.usage, problems: [] };
    stopOn(usage.problems);

    const cluster = onAws ? readCluster?.() : undefined;
    const afterRead = cluster ? CLUSTER_READ : undefined;
    const amis = onAws ? await lookupAmis(zoned, types.architectures, cluster, machineSetAws) : { amis: new Map(), problems: [] };
    stopOn(amis.problems, afterRead);
    const networks = onAws
        ? await lookupNetworks(zoned, reservations.reservations, cluster, machineSetAws)
        : { networks: new Map(), problems: [] };
    stopOn(networks.problems, afterRead);
    const vpc = machineSetAws
        ? await lookupClusterVpc(zoned, machineSetAws, networks.networks, reservations.reservations)
        : { problems: [] };
    stopOn(vpc.problems, afterRead);

    return {
        accountId: account.accountId,
        instanceSpecs: types.specs,
        quotaLimits: quotas.limits,
        awsQuotaValues: quotas.awsValues,
        usedOutside: usage.usedOutside,
        poolZones: poolZones.zones,
        amis: amis.amis,
        networks: networks.networks,
        reservations: reservations.reservations,
        vpcId: vpc.vpcId,
    };
}

function stopOn(problems: readonly ConfigProblem[], outcome?: string): void {
    if (problems.length > 0) throw new ConfigError(problems, "lookups failed", outcome);
}
