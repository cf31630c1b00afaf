/**
 * cluster-capacity: reads the stack config, looks up what AWS knows, checks quotas, then builds the
 * node pools, the operators that make them usable and the Kueue queues that share them. Everything
 * that can be wrong with the config stops the program before the first resource is registered.
 */
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type AcceleratorPoolArgs, GpuPool, InferentiaPool } from "./components/acceleratorPool";
import { ClusterAutoscaling, expanderPriorities } from "./components/clusterAutoscaling";
import { planTeams } from "./lib/plan/kueueTeams";
import { type QueueQuotas, queueQuotas } from "./lib/plan/kueueQuotas";
import { EfaDevicePlugin } from "./components/efaDevicePlugin";
import { GpuNodeTuning, machineConfigRoleOf } from "./components/gpuNodeTuning";
import { GpuOperator } from "./components/gpuOperator";
import { Kueue, KUEUE_MANAGED_NAMESPACE_LABELS } from "./components/kueue";
import { NeuronOperator } from "./components/neuronOperator";
import { NodeFeatureDiscovery } from "./components/nodeFeatureDiscovery";
import { kubernetesProvider } from "./components/provider";
import { SmokeTests } from "./components/smokeTests";
import { daemonTolerations } from "./components/tolerations";
import { loadConfig } from "./lib/config/load";
import { clusterReads } from "./lib/lookups/clusterReads";
import { resolveLookups } from "./lib/lookups";
import type { LookupFacts } from "./lib/lookups/facts";
import { costReport, pricesWanted } from "./lib/report/cost";
import { formatSummary } from "./lib/report/summary";
import { assertWithinQuotas, type CapacityPlan, exceededQuotas, planCapacity, quotaExcessMessage } from "./lib/plan";
import type { QuotaCheck } from "./policy/lib/quota";
import { resolvePrices } from "./lib/lookups/prices";
import { capacityReport } from "./lib/report/outputs";
import { DEFAULT_TAINTS } from "./policy/lib/contract";
import { poolMachineSets } from "./components/machineSetManifest";
import type { CapacityConfig } from "./lib/config/types";
import { MigratedMachineSetError, PoolDeletionError } from "./lib/errors";
import {
    capiConversionBlockers,
    changesToMigratedMachineSets,
    describeMigratedChange,
    type DesiredMachineSet,
} from "./lib/plan/machineSetMigration";
import { customObjectsClient, type LiveMachineSet, livePoolMachineSets } from "./lib/lookups/poolMachineSets";
import { describeRefusedDeletion, refusedDeletions, RETIREMENT_STEPS } from "./lib/plan/poolDeletions";
import { PoolDeletionGuard } from "./components/poolDeletionGuard";
import { ADMISSION_POLICY_MIN_MINOR, servesAdmissionPolicies } from "./lib/openshift";

/**
 * The cluster's pool MachineSets, read with one LIST before anything is registered, and the run
 * stopped if the engine would delete one that is not retired and drained (lib/plan/poolDeletions.ts):
 * `protect` does not stop `pulumi up --ignore-protect`. Rendering reads no cluster, and says so.
 */
async function checkPoolDeletions(config: CapacityConfig, plan: CapacityPlan): Promise<LiveMachineSet[] | undefined> {
    if (config.cluster.platform !== "openshift") return undefined;
    if (config.renderDirectory) {
        await pulumi.log.warn(
            "cluster-capacity: renderDirectory: no cluster is asked, so this run cannot check that it deletes no pool MachineSet that is not retired and drained; where the YAML is applied, the rendered deletion guard (ValidatingAdmissionPolicy) refuses such a delete.",
        );
        return undefined;
    }
    const live = await livePoolMachineSets(() => customObjectsClient(config.kubernetes));
    const rendered = new Set(plan.pools.flatMap((p) => p.machineSets.map((m) => m.name)));
    const configured = new Set(config.pools.map((p) => p.name));
    const refused = refusedDeletions(live, rendered, configured, config.cluster.infraId);
    if (refused.length > 0) throw new PoolDeletionError(refused.map(describeRefusedDeletion), RETIREMENT_STEPS);
    return live;
}

/**
 * Stops the run before it changes a MachineSet that Cluster API owns or is migrating
 * (lib/plan/machineSetMigration.ts). Where an admin has asked to move one (spec.authoritativeAPI
 * ClusterAPI), also says what would stop its conversion.
 */
async function checkMachineSetOwners(desired: DesiredMachineSet[], live: LiveMachineSet[], region: string): Promise<void> {
    const refused = changesToMigratedMachineSets(desired, live);
    if (refused.length > 0) throw new MigratedMachineSetError(refused.map(describeMigratedChange));
    const moving = new Set(live.filter((m) => m.requestedAPI === "ClusterAPI").map((m) => m.name));
    for (const { pool, manifest } of desired.filter((d) => moving.has(d.manifest.metadata.name))) {
        const blockers = capiConversionBlockers(manifest, region);
        if (blockers.length === 0) continue;
        await pulumi.log.warn(
            `cluster-capacity: MachineSet ${manifest.metadata.name} (pool ${pool}) is to move to Cluster API (spec.authoritativeAPI: ClusterAPI), but cluster-capi-operator cannot convert it as this stack renders it (pkg/conversion/mapi2capi): ${blockers.join("; ")}; its migration waits until it is Synchronized, which it will not be.`,
        );
    }
}

/** Offline lookups ask AWS nothing, not even whose credentials these are. */
async function warnUncheckedAccount(config: CapacityConfig): Promise<void> {
    if (config.cluster.accountId && config.lookups === "offline") {
        await pulumi.log.warn(
            `cluster-capacity: cluster.accountId ${config.cluster.accountId} is not checked: offline lookups ask AWS nothing, not even whose credentials these are.`,
        );
    }
}

/**
 * Whether the lookups read the cluster's boot image and worker MachineSets (which needs the provider
 * before them): connected OpenShift runs with pools that need an AMI or a network; rendering reads nothing.
 */
function readsCluster(config: CapacityConfig): boolean {
    const explicitNetwork = config.network.subnets !== undefined;
    return (
        config.cluster.platform === "openshift" &&
        !config.renderDirectory &&
        config.pools.length > 0 &&
        (!explicitNetwork || config.pools.some((p) => !p.ami.id))
    );
}

async function warnUnassignedDevices(teams: ReturnType<typeof planTeams> | undefined): Promise<void> {
    for (const [flavor, devices] of Object.entries(teams?.unassigned ?? {}).filter(([, d]) => d > 0)) {
        await pulumi.log.warn(
            `cluster-capacity: ${devices} device(s) of flavor ${flavor} belong to no team: the teams' shares add up to less than 1.`,
        );
    }
}

/**
 * The quotas to ask AWS to raise, when `quotas.requestIncrease` is on and every exceeded quota is
 * one AWS itself limits: a cap in config is the user's to raise.
 */
function quotaIncreasesToRequest(config: CapacityConfig, plan: CapacityPlan, facts: LookupFacts): QuotaCheck[] | undefined {
    const exceeded = exceededQuotas(plan);
    const requestable = exceeded.filter((c) => c.demand > (facts.awsQuotaValues[c.code] ?? Infinity));
    return requestable.length > 0 && requestable.length === exceeded.length && config.requestQuotaIncrease ? requestable : undefined;
}

/**
 * Registers only the increase requests; logging an error fails the update after they are made, so
 * the pools wait until AWS grants the new limits.
 */
async function requestQuotaIncreases(config: CapacityConfig, facts: LookupFacts, requestable: QuotaCheck[]): Promise<void> {
    const quotas = new aws.Provider("aws-service-quotas", { region: config.cluster.region });
    for (const check of requestable) {
        new aws.servicequotas.ServiceQuota(
            `quota-increase-${check.code}`,
            // The limit must also hold what the rest of the account uses now.
            { serviceCode: "ec2", quotaCode: check.code, value: check.demand + (facts.usedOutside[check.code] ?? 0) },
            { provider: quotas },
        );
    }
    await pulumi.log.error(`cluster-capacity: quota pre-flight failed.\n${quotaExcessMessage(requestable, true)}`);
}

/** Whether the run registers anything in the cluster: MachineSets on OpenShift, or an operator, queues or smoke tests. */
function rendersAnything(config: CapacityConfig, plan: CapacityPlan): boolean {
    const { gpuOperator, kueue, neuron } = config;
    return (
        (config.cluster.platform === "openshift" && plan.pools.length > 0) ||
        gpuOperator.enabled ||
        kueue.enabled ||
        neuron.enabled ||
        config.smokeTests
    );
}

/**
 * The ClusterAutoscaler's expander priorities: only with more than one capacity type, and only where
 * it has `expanders` (4.16+, openshift/cluster-autoscaler-operator); before that, a warning.
 */
async function supportedExpanderPriorities(config: CapacityConfig, plan: CapacityPlan): Promise<ReturnType<typeof expanderPriorities>> {
    const priorities = expanderPriorities(plan.pools);
    const { minor } = config.cluster.openshiftVersion;
    if (!priorities || minor >= 16) return priorities;
    await pulumi.log.warn(
        `cluster-capacity: OpenShift 4.${minor} has no ClusterAutoscaler expanders (4.16+): the autoscaler picks among spot and on-demand MachineSets at random.`,
    );
    return undefined;
}

type PoolArgs = Omit<AcceleratorPoolArgs, "plan">;

/** The MachineSets of every pool the components will render, as the migration check compares them with the cluster's. */
function desiredMachineSets(plan: CapacityPlan, poolArgs: PoolArgs): DesiredMachineSet[] {
    // A pool without an AMI or a network is refused by its component, with the argument it lacks.
    return plan.pools
        .filter((p) => p.amiId && p.machineSets.every((m) => m.network))
        .flatMap((poolPlan) =>
            poolMachineSets({ ...poolArgs, plan: poolPlan }, machineConfigRoleOf(poolPlan.pool)).map((m) => ({
                pool: poolPlan.pool.name,
                ...m,
            })),
        );
}

/**
 * The admission policy that refuses deleting a pool MachineSet that is not retired and drained,
 * for whatever sends the DELETE; before OpenShift 4.17 (no admissionregistration.k8s.io/v1
 * ValidatingAdmissionPolicy) a warning says what still guards the pools.
 */
async function poolDeletionGuard(
    config: CapacityConfig,
    plan: CapacityPlan,
    inCluster: pulumi.ComponentResourceOptions,
): Promise<pulumi.Resource | undefined> {
    if (plan.pools.length === 0) return undefined;
    const version = config.cluster.openshiftVersion;
    if (!servesAdmissionPolicies(version)) {
        await pulumi.log.warn(
            `cluster-capacity: OpenShift 4.${version.minor} serves no admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (4.${ADMISSION_POLICY_MIN_MINOR}+), so the cluster does not refuse deleting a pool MachineSet: only this program's check (every preview and up) and protect guard the pools, and oc delete, another tool's prune or pulumi destroy --ignore-protect are not stopped. The pack's machineset-protected refuses the stack unless its config says requireDeletionGuard: false.`,
        );
        return undefined;
    }
    return new PoolDeletionGuard("pool-deletion-guard", inCluster).binding;
}

/** The node pools of an OpenShift cluster: MachineSets per pool, their OS tuning and the cluster autoscaler. */
async function createPools(config: CapacityConfig, plan: CapacityPlan, args: PoolArgs, inCluster: pulumi.ComponentResourceOptions) {
    const gpuPlans = plan.pools.filter((p) => p.pool.accelerator === "nvidia");
    const deletionGuard = await poolDeletionGuard(config, plan, inCluster);
    const poolArgs: PoolArgs = { ...args, deletionGuard };
    for (const poolPlan of plan.pools) {
        if (poolPlan.pool.accelerator === "nvidia") {
            new GpuPool(
                poolPlan.pool.name,
                { ...poolArgs, plan: poolPlan, machineConfigRole: machineConfigRoleOf(poolPlan.pool) },
                inCluster,
            );
        } else {
            new InferentiaPool(poolPlan.pool.name, { ...poolArgs, plan: poolPlan }, inCluster);
        }
    }
    if (gpuPlans.length > 0) {
        new GpuNodeTuning(
            "gpu-node-tuning",
            { openshiftVersion: config.cluster.openshiftVersion, pools: gpuPlans.map((p) => p.pool) },
            inCluster,
        );
    }
    if (plan.pools.some((p) => p.pool.autoscaling)) {
        // The autoscaler counts a node's allocatable nvidia.com/gpu, which time-slicing multiplies.
        // A retired pool can have none, and a limit must allow at least one; a MIG pool under the
        // mixed strategy has none and no accelerator label (components/machineSetManifest.ts).
        const gpuLimits = gpuPlans
            .filter((p) => p.maxAllocatableGpus > 0)
            .map((p) => ({ type: p.pool.name, maxGpus: p.maxAllocatableGpus }));
        const priorities = await supportedExpanderPriorities(config, plan);
        new ClusterAutoscaling("cluster-autoscaling", { settings: config.clusterAutoscaler, gpuLimits, priorities }, inCluster);
    }
    const efaPools = plan.pools.filter((p) => p.pool.efa && !p.pool.retired).map((p) => p.pool);
    if (efaPools.length > 0) {
        new EfaDevicePlugin("efa-device-plugin", { pools: efaPools, image: config.efaDevicePluginImage }, inCluster);
    }
}

/** NFD labels the nodes the GPU Operator (when it is to manage NFD) and the Neuron stack select; OpenShift only. */
function needsNodeFeatureDiscovery(config: CapacityConfig): boolean {
    const { gpuOperator, neuron } = config;
    return config.cluster.platform === "openshift" && ((gpuOperator.enabled && gpuOperator.nfd) || neuron.enabled);
}

function nodeFeatureDiscovery(
    config: CapacityConfig,
    plan: CapacityPlan,
    inCluster: pulumi.ComponentResourceOptions,
): NodeFeatureDiscovery {
    const { nfd } = config.operators;
    return new NodeFeatureDiscovery(
        "node-feature-discovery",
        {
            channel: nfd.channel,
            workerTolerations: nfd.workerTolerations ? daemonTolerations(plan.pools.flatMap((p) => p.pool.taints)) : undefined,
            operatorInstallTimeout: config.operatorInstallTimeout,
        },
        inCluster,
    );
}

/** The operators that make the pools usable, the queues that share them and the smoke tests. */
async function createOperators(
    config: CapacityConfig,
    plan: CapacityPlan,
    kueue: { quotas: QueueQuotas; teams?: ReturnType<typeof planTeams> } | undefined,
    inCluster: pulumi.ComponentResourceOptions,
) {
    const { gpuOperator, neuron } = config;
    const gpuPlans = plan.pools.filter((p) => p.pool.accelerator === "nvidia");
    const nfd = needsNodeFeatureDiscovery(config) ? nodeFeatureDiscovery(config, plan, inCluster) : undefined;
    if (gpuOperator.enabled && gpuOperator.driverPerPool) {
        await pulumi.log.warn(
            "cluster-capacity: gpuOperator.driverPerPool: when the ClusterPolicy's driver.useNvidiaDriverCRD turns true (see the diff), the GPU Operator hands every GPU node's driver to the NVIDIADriver CRs and restarts each, node by node per their upgradePolicy, after the node's Kueue pods finish.",
        );
    }
    if (gpuOperator.enabled) {
        const gpuTaints = gpuPlans.flatMap((p) => p.pool.taints);
        new GpuOperator(
            "gpu-operator",
            {
                settings: gpuOperator,
                tolerations: daemonTolerations(gpuTaints.length > 0 ? gpuTaints : [DEFAULT_TAINTS.nvidia]),
                timeSlicingReplicas: gpuPlans.flatMap((p) => (p.pool.timeSlicing === undefined ? [] : [p.pool.timeSlicing])),
                gpuPools: gpuPlans.filter((p) => !p.pool.retired).map((p) => p.pool),
                migPartedConfig: plan.migPartedConfig,
                nodeFeatureDiscovery: nfd?.instance,
                operatorInstallTimeout: config.operatorInstallTimeout,
            },
            inCluster,
        );
    }
    if (neuron.enabled && nfd) {
        new NeuronOperator(
            "neuron",
            {
                settings: neuron,
                kmmChannel: config.operators.kmm.channel,
                nodeFeatureDiscovery: nfd.subscription,
                operatorInstallTimeout: config.operatorInstallTimeout,
            },
            inCluster,
        );
    }
    if (kueue) {
        new Kueue(
            "kueue",
            {
                settings: config.kueue,
                pools: plan.pools,
                quotas: kueue.quotas,
                tenantNamespaceLabels: config.cluster.platform === "openshift" ? KUEUE_MANAGED_NAMESPACE_LABELS : {},
                teams: kueue.teams,
                operatorInstallTimeout: config.operatorInstallTimeout,
            },
            inCluster,
        );
    }
    if (config.smokeTests) {
        new SmokeTests("smoke-tests", { pools: plan.pools, images: config.smokeTestImages }, inCluster);
    }
}

async function main() {
    const config = loadConfig();
    await warnUncheckedAccount(config);
    let provider: k8s.Provider | undefined;
    const facts = await resolveLookups(
        config,
        readsCluster(config) ? () => clusterReads((provider = kubernetesProvider("cluster-capacity", config))) : undefined,
    );
    const { cluster } = config;
    const plan = planCapacity(config, facts, provider !== undefined);
    const live = await checkPoolDeletions(config, plan);
    // Kueue's quotas, once; the teams' shares of them are checked before anything else is registered.
    const quotas = config.kueue.enabled ? queueQuotas(plan.pools, config.neuron.neuronCoreQuota) : undefined;
    const teams = quotas && config.kueue.teams.length > 0 ? planTeams(config.kueue.teams, quotas) : undefined;
    await warnUnassignedDevices(teams);
    const increases = quotaIncreasesToRequest(config, plan, facts);
    if (increases) {
        await requestQuotaIncreases(config, facts, increases);
        // No prices are looked up for a run that registers no pool.
        return capacityReport(config, facts, plan, costReport(plan, new Map()), quotas && { quotas });
    }
    for (const warning of [...plan.warnings, ...assertWithinQuotas(plan)]) await pulumi.log.warn(warning);

    // Prices are read once the plan stands; the Price List API is served from us-east-1 only.
    const onlineOpenShift = config.lookups === "aws" && cluster.platform === "openshift";
    const cost = costReport(
        plan,
        await resolvePrices(
            config,
            pricesWanted(plan),
            onlineOpenShift ? new aws.Provider("aws-pricing", { region: "us-east-1" }) : undefined,
        ),
    );
    await pulumi.log.info(formatSummary(plan, cost));
    const kueue = quotas && { quotas, teams };
    if (!rendersAnything(config, plan)) return capacityReport(config, facts, plan, cost, kueue);

    const poolArgs: PoolArgs = { infraId: cluster.infraId, region: cluster.region, vpcId: facts.vpcId };
    if (live) await checkMachineSetOwners(desiredMachineSets(plan, poolArgs), live, cluster.region);
    // Every component hands the stack's Kubernetes provider on to its children (parent: this).
    const inCluster = { provider: (provider ??= kubernetesProvider("cluster-capacity", config)) };
    if (cluster.platform === "openshift") await createPools(config, plan, poolArgs, inCluster);
    await createOperators(config, plan, kueue, inCluster);
    return capacityReport(config, facts, plan, cost, kueue);
}

export = main();
