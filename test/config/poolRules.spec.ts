/**
 * The pools' config rules called directly: each takes a pool entry as written (or the defaulted
 * pools) and returns its problems with their key paths. test/config/validation.spec.ts checks the same rules
 * through parseConfig, with the messages users see.
 */
import * as assert from "assert";
import type { ClusterConfig, PoolConfig } from "../../lib/config/types";
import type { ConfigProblem } from "../../lib/errors";
import type { RawPool } from "../../lib/config/raw";
import {
    autoscalingBounds,
    checkFallbacks,
    checkNetworkSource,
    checkPool,
    checkPoolSet,
    checkReservations,
    checkTraining,
    efaInOnePlacementGroup,
    efaWithAwsLookups,
    explicitNetworkComplete,
    isManagedLabel,
    labelsUnmanaged,
    migLayoutKnown,
    mixedMigPoolsNeverEmpty,
    networkReachable,
    neuronPoolGated,
    neuronStackInstallable,
    POOL_RULES,
    type PoolEntry,
    providerSpecLeavesManagedKeys,
    reservationLaunchable,
    rootVolumeFitsType,
    taintsFitAccelerator,
    throughputSupported,
    timeSlicingOnGpuPools,
    trainingCreatesNothingWhenRendering,
    trainingOnOpenShift,
    tuningOnGpuPools,
    uniqueNamesAndFlavors,
    userDataOfWorkers,
    workerMachineSetSource,
    zonesKnowable,
    zonesOfRegion,
} from "../../lib/config/poolRules";
import { poolConfig } from "../support/pools";

const cluster = (extra: Partial<ClusterConfig> & { minor?: number } = {}): ClusterConfig => {
    const { minor = 18, ...rest } = extra;
    return {
        name: "test",
        infraId: "test-abcde",
        platform: "openshift",
        openshiftVersion: { major: 4, minor },
        region: "us-east-2",
        ...rest,
    };
};

/** A pool entry as a user writes it: an NVIDIA pool of one g6.4xlarge in us-east-2a. */
function entry(raw: RawPool = {}, extra: Partial<Omit<PoolEntry, "raw">> = {}): PoolEntry {
    return {
        raw: { name: "gpu", accelerator: "nvidia", instanceType: "g6.4xlarge", zones: ["us-east-2a"], replicas: 1, ...raw },
        index: 0,
        cluster: cluster(),
        lookups: "offline",
        migStrategy: "none",
        ...extra,
    };
}

const pathsOf = (problems: readonly ConfigProblem[]) => problems.map((p) => p.path);
const ODCR = "cr-0a1b2c3d4e5f60718";

describe("pool rules: one pool entry", () => {
    it("lists each rule once, and an entry that keeps them all has no problem", () => {
        assert.strictEqual(new Set(POOL_RULES).size, POOL_RULES.length);
        assert.deepStrictEqual(checkPool(entry()), []);
    });

    it("aggregates the rules' problems in the order of the rules, each rule's in its own order", () => {
        const problems = checkPool(
            entry({
                zones: ["eu-west-1a"],
                autoscaling: { minReplicas: 3, maxReplicas: 1 },
                labels: { "cluster-capacity.io/pool": "x" },
                rootVolume: { type: "gp2", iops: 3000 },
                timeSlicing: 2,
                mig: { profile: "custom" },
            }),
        );
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:pools[0].zones[0]",
            "cluster-capacity:pools[0].autoscaling.maxReplicas",
            "cluster-capacity:pools[0].replicas",
            'cluster-capacity:pools[0].labels["cluster-capacity.io/pool"]',
            "cluster-capacity:pools[0].rootVolume.iops",
            "cluster-capacity:pools[0].timeSlicing",
            "cluster-capacity:pools[0].mig.devices",
        ]);
    });

    it("names the entry's index in every key path", () => {
        assert.deepStrictEqual(pathsOf(timeSlicingOnGpuPools(entry({ accelerator: "neuron", timeSlicing: 2 }, { index: 4 }))), [
            "cluster-capacity:pools[4].timeSlicing",
        ]);
    });

    it("asks for zones unless aws lookups on OpenShift can find the cluster's, or reservations give them", () => {
        const noZones = { zones: undefined };
        assert.deepStrictEqual(pathsOf(zonesKnowable(entry(noZones))), ["cluster-capacity:pools[0].zones"]);
        assert.deepStrictEqual(pathsOf(zonesKnowable(entry(noZones, { lookups: "aws", cluster: cluster({ platform: "kubernetes" }) }))), [
            "cluster-capacity:pools[0].zones",
        ]);
        assert.deepStrictEqual(zonesKnowable(entry(noZones, { lookups: "aws" })), []);
        assert.deepStrictEqual(zonesKnowable(entry({ zones: undefined, capacityReservations: [ODCR] })), []);
    });

    it("refuses a zone outside the cluster's region, naming the zone's index and an example", () => {
        const [problem] = zonesOfRegion(entry({ zones: ["us-east-2a", "us-east-1b"] }));
        assert.deepStrictEqual(
            [problem.path, problem.value, problem.expected],
            ["cluster-capacity:pools[0].zones[1]", "us-east-1b", "an availability zone of us-east-2, such as us-east-2a"],
        );
    });

    it("takes any zone on plain Kubernetes, whose zones are node labels", () => {
        assert.deepStrictEqual(zonesOfRegion(entry({ zones: ["rack-1"] }, { cluster: cluster({ platform: "kubernetes" }) })), []);
    });

    it("refuses a pool whose zone's MachineSet name would not fit a label value", () => {
        const problems = zonesOfRegion(entry({ name: "p".repeat(42) }));
        assert.deepStrictEqual(pathsOf(problems), ["cluster-capacity:pools[0].name"]);
        assert.match(problems[0].expected, /MachineSet name "test-abcde-p+-us-east-2a" has 64 characters, at most 63/);
    });

    it("refuses autoscaling bounds out of order, and replicas beside autoscaling", () => {
        assert.deepStrictEqual(autoscalingBounds(entry({ autoscaling: { minReplicas: 1, maxReplicas: 2 }, replicas: undefined })), []);
        const problems = autoscalingBounds(entry({ autoscaling: { minReplicas: 3, maxReplicas: 2 } }));
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.value]),
            [
                ["cluster-capacity:pools[0].autoscaling.maxReplicas", 2],
                ["cluster-capacity:pools[0].replicas", 1],
            ],
        );
        assert.strictEqual(problems[0].expected, "a number >= minReplicas (3)");
    });

    it("tells the labels this program, the machine API and Kubernetes set from the user's own", () => {
        const managed = [
            "cluster-capacity.io/pool",
            "cluster-api/accelerator",
            "nvidia.com/device-plugin.config",
            "nvidia.com/mig.config",
            "node-role.kubernetes.io/gpu",
            "machine.openshift.io/interruptible-instance",
            "kubernetes.io/arch",
            "topology.kubernetes.io/zone",
            "node.k8s.io/x",
        ];
        const own = ["team", "example.com/owner", "node-restriction.kubernetes.io/team", "nvidia.com/gpu.product"];
        assert.deepStrictEqual([managed.filter(isManagedLabel), own.filter(isManagedLabel)], [managed, []]);
    });

    it("refuses each managed label at its own key, with the value written", () => {
        const problems = labelsUnmanaged(entry({ labels: { team: "a", "kubernetes.io/arch": "amd64" } }));
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.value]),
            [['cluster-capacity:pools[0].labels["kubernetes.io/arch"]', "amd64"]],
        );
    });

    it("refuses a GPU pool whose taints repel nothing, and each repelling taint of a neuron pool at its effect", () => {
        const soft = [{ key: "a", effect: "PreferNoSchedule" as const }];
        assert.deepStrictEqual(pathsOf(taintsFitAccelerator(entry({ taints: soft }))), ["cluster-capacity:pools[0].taints"]);
        const neuron = entry({
            accelerator: "neuron",
            taints: [...soft, { key: "b", effect: "NoSchedule" }, { key: "c", effect: "NoExecute" }],
        });
        assert.deepStrictEqual(pathsOf(taintsFitAccelerator(neuron)), [
            "cluster-capacity:pools[0].taints[1].effect",
            "cluster-capacity:pools[0].taints[2].effect",
        ]);
        assert.deepStrictEqual(taintsFitAccelerator(entry({ taints: undefined })), []);
    });

    it("takes only the workers' user data, or the Machine Config Operator's managed copy", () => {
        const withUserData = (name: string) => entry({ providerSpec: { userDataSecret: { name } } });
        assert.deepStrictEqual(
            [userDataOfWorkers(withUserData("worker-user-data")), userDataOfWorkers(withUserData("worker-user-data-managed"))],
            [[], []],
        );
        assert.deepStrictEqual(pathsOf(userDataOfWorkers(withUserData("master-user-data"))), [
            "cluster-capacity:pools[0].providerSpec.userDataSecret.name",
        ]);
    });

    it("holds IOPS within the volume type's range, and asks io1 and io2 for theirs", () => {
        const volume = (rootVolume: RawPool["rootVolume"]) => rootVolumeFitsType(entry({ rootVolume })).map((p) => p.expected);
        assert.deepStrictEqual(
            [volume({ iops: 3000 }), volume({ iops: 20000 }), volume({ type: "gp2", iops: 100 }), volume({ type: "io2" })],
            [
                [],
                ["3000 to 16000 IOPS for gp3"],
                ["no iops on gp2 volumes (their IOPS follow their size)"],
                ["provisioned IOPS: io2 volumes require them"],
            ],
        );
    });

    it("takes throughput on gp3 volumes only, and from OpenShift 4.21 only", () => {
        assert.deepStrictEqual(
            rootVolumeFitsType(entry({ rootVolume: { type: "io1", iops: 100, throughputMiBps: 500 } })).map((p) => p.expected),
            ["no throughput on io1 volumes: only gp3 takes it"],
        );
        const throughput = entry({ rootVolume: { throughputMiBps: 500 } });
        assert.deepStrictEqual(pathsOf(throughputSupported(throughput)), ["cluster-capacity:pools[0].rootVolume.throughputMiBps"]);
        assert.deepStrictEqual(throughputSupported({ ...throughput, cluster: cluster({ minor: 21 }) }), []);
        assert.deepStrictEqual(throughputSupported({ ...throughput, cluster: cluster({ platform: "kubernetes" }) }), []);
    });

    it("refuses provider-spec keys the pool's own settings drive, the managed keys before the placement", () => {
        const problems = providerSpecLeavesManagedKeys(
            entry({
                providerSpec: { placement: { availabilityZone: "us-east-2b", tenancy: "default" }, instanceType: "p5.48xlarge", tags: [] },
            }),
        );
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected]),
            [
                ["cluster-capacity:pools[0].providerSpec.instanceType", "no override of instanceType: it is set from pools[].instanceType"],
                [
                    "cluster-capacity:pools[0].providerSpec.placement.availabilityZone",
                    "no override of placement.availabilityZone: it is set from cluster.region and pools[].zones",
                ],
            ],
        );
    });

    it("refuses OS tuning on non-NVIDIA pools, at sysctls when there are some", () => {
        const neuron = (raw: RawPool) => pathsOf(tuningOnGpuPools(entry({ accelerator: "neuron", ...raw })));
        assert.deepStrictEqual(
            [neuron({ sysctls: { "vm.swappiness": 1 }, kernelArguments: ["x"] }), neuron({ kernelArguments: ["x"] }), neuron({})],
            [["cluster-capacity:pools[0].sysctls"], ["cluster-capacity:pools[0].kernelArguments"], []],
        );
    });

    it("limits the name of a tuned GPU pool to what its MachineConfigPool name leaves", () => {
        const tuned = (name: string) => tuningOnGpuPools(entry({ name, kernelArguments: ["iommu=pt"] }));
        assert.deepStrictEqual(tuned("p".repeat(52)), []);
        assert.deepStrictEqual(
            tuned("p".repeat(53)).map((p) => p.expected),
            [`a name of at most 52 characters for a pool with its own OS tuning (MachineConfigPool worker-gpu-${"p".repeat(53)})`],
        );
        assert.deepStrictEqual(
            tuningOnGpuPools(entry({ name: "p".repeat(53) })),
            [],
            "an untuned pool has no MachineConfigPool of its own",
        );
    });

    it("refuses time-slicing on non-NVIDIA pools", () => {
        assert.deepStrictEqual(timeSlicingOnGpuPools(entry({ timeSlicing: 4 })), []);
        assert.deepStrictEqual(pathsOf(timeSlicingOnGpuPools(entry({ accelerator: "neuron", timeSlicing: 4 }))), [
            "cluster-capacity:pools[0].timeSlicing",
        ]);
    });

    it("takes a generated MIG config by its all- name and a custom one with its devices, not the other way round", () => {
        const mig = (profile: string, devices?: Record<string, number>) =>
            pathsOf(migLayoutKnown(entry({ mig: { profile, ...(devices && { devices }) } })));
        assert.deepStrictEqual(
            [mig("all-1g.10gb"), mig("custom", { "1g.10gb": 7 }), mig("all-custom", { "1g.10gb": 7 }), mig("custom")],
            [[], [], ["cluster-capacity:pools[0].mig.profile"], ["cluster-capacity:pools[0].mig.devices"]],
        );
    });

    it("refuses MIG on non-NVIDIA pools, and time-slicing on MIG pools", () => {
        const mig = { profile: "all-1g.10gb" };
        assert.deepStrictEqual(pathsOf(migLayoutKnown(entry({ accelerator: "neuron", mig, timeSlicing: 2 }))), [
            "cluster-capacity:pools[0].mig",
        ]);
        assert.deepStrictEqual(pathsOf(migLayoutKnown(entry({ mig, timeSlicing: 2 }))), ["cluster-capacity:pools[0].timeSlicing"]);
    });

    it("keeps a MIG pool under the mixed strategy from ever being empty: no autoscaling from 0, no fallback", () => {
        const raw: RawPool = { mig: { profile: "all-1g.10gb" }, autoscaling: { minReplicas: 0, maxReplicas: 2 }, onDemandFallback: true };
        assert.deepStrictEqual(pathsOf(mixedMigPoolsNeverEmpty(entry(raw, { migStrategy: "mixed" }))), [
            "cluster-capacity:pools[0].autoscaling.minReplicas",
            "cluster-capacity:pools[0].onDemandFallback",
        ]);
        assert.deepStrictEqual(mixedMigPoolsNeverEmpty(entry(raw, { migStrategy: "single" })), []);
        assert.deepStrictEqual(mixedMigPoolsNeverEmpty(entry({ ...raw, retired: true }, { migStrategy: "mixed" })), []);
    });
});

describe("pool rules: fallbacks, EFA and placement groups", () => {
    it("takes an on-demand fallback on autoscaled spot pools only", () => {
        const problems = checkFallbacks(
            [
                poolConfig({ onDemandFallback: true }),
                poolConfig({ market: "spot", onDemandFallback: true }),
                poolConfig({ market: "spot", onDemandFallback: true, autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
                poolConfig({ market: "spot", onDemandFallback: true, retired: true }),
            ],
            cluster(),
        );
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected.split(":")[0]]),
            [
                ["cluster-capacity:pools[0].onDemandFallback", "false on an on-demand pool"],
                ["cluster-capacity:pools[1].onDemandFallback", "false without autoscaling"],
            ],
        );
    });

    it("refuses a fallback whose MachineSet name would not fit a label value, once per pool", () => {
        const long = poolConfig({
            name: "p".repeat(40),
            market: "spot",
            onDemandFallback: true,
            zones: ["us-east-2a", "us-east-2b"],
            retired: true,
        });
        const problems = checkFallbacks([long], cluster());
        assert.deepStrictEqual(pathsOf(problems), ["cluster-capacity:pools[0].name"]);
        assert.match(problems[0].expected, /fallback MachineSet name "test-abcde-p+-us-east-2a-od"/);
    });

    const training = { cluster: cluster(), lookups: "aws" as const, rendering: false };

    it("says only that EFA or a placement group needs OpenShift on plain Kubernetes", () => {
        const efa = poolConfig({ efa: true, zonesFromCluster: true });
        const kubernetes = { ...training, cluster: cluster({ platform: "kubernetes" }), lookups: "offline" as const };
        assert.deepStrictEqual(pathsOf(trainingOnOpenShift(efa, 0, kubernetes)), ["cluster-capacity:pools[0].efa"]);
        assert.deepStrictEqual(pathsOf(checkTraining([efa], kubernetes)), ["cluster-capacity:pools[0].efa"]);
        const placed = poolConfig({ placementGroup: { name: "pg", create: false } });
        assert.deepStrictEqual(pathsOf(trainingOnOpenShift(placed, 0, kubernetes)), ["cluster-capacity:pools[0].placementGroup"]);
    });

    it("refuses EFA with offline lookups, which cannot say whether the type takes it", () => {
        assert.deepStrictEqual(pathsOf(efaWithAwsLookups(poolConfig({ efa: true }), 0, { ...training, lookups: "offline" })), [
            "cluster-capacity:pools[0].efa",
        ]);
        assert.deepStrictEqual(efaWithAwsLookups(poolConfig({ efa: true }), 0, training), []);
    });

    it("refuses what would create AWS resources in a stack that only renders: EFA's security group, a placement group", () => {
        const p = poolConfig({ efa: true, placementGroup: { name: "pg", create: true } });
        assert.deepStrictEqual(pathsOf(trainingCreatesNothingWhenRendering(p, 0, { ...training, rendering: true })), [
            "cluster-capacity:pools[0].efa",
            "cluster-capacity:pools[0].placementGroup.create",
        ]);
        assert.deepStrictEqual(trainingCreatesNothingWhenRendering(p, 0, training), []);
    });

    it("asks an EFA pool for a placement group and its one zone", () => {
        assert.deepStrictEqual(pathsOf(efaInOnePlacementGroup(poolConfig({ efa: true, zones: [], zonesFromCluster: true }), 0)), [
            "cluster-capacity:pools[0].placementGroup",
            "cluster-capacity:pools[0].zones",
        ]);
        assert.deepStrictEqual(efaInOnePlacementGroup(poolConfig({ efa: true, placementGroup: { name: "pg", create: false } }), 0), []);
    });

    it("reports each pool's EFA problems together, pool by pool", () => {
        const efa = poolConfig({ efa: true });
        assert.deepStrictEqual(pathsOf(checkTraining([efa, efa], { ...training, lookups: "offline", rendering: true })), [
            "cluster-capacity:pools[0].efa",
            "cluster-capacity:pools[0].efa",
            "cluster-capacity:pools[0].placementGroup",
            "cluster-capacity:pools[1].efa",
            "cluster-capacity:pools[1].efa",
            "cluster-capacity:pools[1].placementGroup",
        ]);
    });
});

describe("pool rules: capacity reservations", () => {
    const reserved = (extra: Partial<PoolConfig> = {}) => poolConfig({ capacityReservations: [ODCR], ...extra });
    const named = (p: PoolConfig) => ({ pool: p, id: ODCR, at: ["pools", 0, "capacityReservations", 0] });

    it("launches reservations from OpenShift 4.18, on-demand, and not on plain Kubernetes", () => {
        const launchable = (p: PoolConfig, c: ClusterConfig) => reservationLaunchable(named(p), c).map((x) => x.expected.split(":")[0]);
        assert.deepStrictEqual(
            [
                launchable(reserved(), cluster()),
                launchable(reserved(), cluster({ minor: 17 })),
                launchable(reserved({ market: "spot" }), cluster()),
                launchable(reserved({ market: "spot" }), cluster({ platform: "kubernetes" })),
            ],
            [[], ["no capacity reservations on OpenShift 4.17"], ["an on-demand pool"], ["no capacity reservations on plain Kubernetes"]],
        );
    });

    it("refuses a reservation two pools name, naming the last pool that named it before", () => {
        const problems = checkReservations({}, [reserved(), reserved({ name: "b" }), reserved({ name: "c" })], cluster(), "aws");
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected.split(":")[0]]),
            [
                ["cluster-capacity:pools[1].capacityReservations[0]", "a reservation no other pool uses (pools[0] has it)"],
                ["cluster-capacity:pools[2].capacityReservations[0]", "a reservation no other pool uses (pools[1] has it)"],
            ],
        );
    });

    it("asks offline stacks to describe each reservation, and aws stacks not to", () => {
        const described = {
            capacityReservations: {
                [ODCR]: { kind: "on-demand" as const, instanceType: "g6.4xlarge", availabilityZone: "us-east-2a", instanceCount: 1 },
            },
        };
        assert.deepStrictEqual(pathsOf(checkReservations({}, [reserved()], cluster(), "offline")), [
            "cluster-capacity:pools[0].capacityReservations[0]",
        ]);
        assert.deepStrictEqual(checkReservations(described, [reserved()], cluster(), "offline"), []);
        assert.deepStrictEqual(pathsOf(checkReservations(described, [reserved()], cluster(), "aws")), [
            "cluster-capacity:capacityReservations",
        ]);
    });

    it("reports per reservation: named twice, then not launchable, then not described", () => {
        const problems = checkReservations({}, [reserved(), reserved({ name: "b", market: "spot" })], cluster(), "offline");
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected.split(" ").slice(0, 3).join(" ")]),
            [
                ["cluster-capacity:pools[0].capacityReservations[0]", "a reservation described"],
                ["cluster-capacity:pools[1].capacityReservations[0]", "a reservation no"],
                ["cluster-capacity:pools[1].capacityReservations[0]", "an on-demand pool:"],
                ["cluster-capacity:pools[1].capacityReservations[0]", "a reservation described"],
            ],
        );
    });
});

describe("pool rules: where new machines attach", () => {
    const offlineRender = { lookups: "offline" as const, rendering: true };

    it("asks nothing on plain Kubernetes or without pools", () => {
        assert.deepStrictEqual(checkNetworkSource([poolConfig()], cluster({ platform: "kubernetes" }), {}, offlineRender), []);
        assert.deepStrictEqual(checkNetworkSource([], cluster(), {}, offlineRender), []);
    });

    it("asks a stack that renders offline for explicit subnets and security groups", () => {
        assert.deepStrictEqual(pathsOf(networkReachable(offlineRender)), ["cluster-capacity:network"]);
        assert.deepStrictEqual(networkReachable({ lookups: "aws", rendering: true }), []);
        assert.deepStrictEqual(networkReachable({ lookups: "offline", rendering: false }), []);
    });

    it("refuses a worker MachineSet to copy when rendering, and beside explicit subnets", () => {
        assert.deepStrictEqual(pathsOf(workerMachineSetSource({ workerMachineSet: "w" }, true, true)), [
            "cluster-capacity:network.workerMachineSet",
            "cluster-capacity:network.workerMachineSet",
        ]);
        assert.deepStrictEqual(workerMachineSetSource({}, true, true), []);
    });

    it("asks explicit networks for the security groups and a subnet of every zone a pool uses", () => {
        const pools = [poolConfig({ zones: ["us-east-2a", "us-east-2b"] }), poolConfig({ name: "b", zones: ["us-east-2c", "us-east-2a"] })];
        assert.deepStrictEqual(pathsOf(explicitNetworkComplete(pools, { subnets: { "us-east-2a": "subnet-a" } })), [
            "cluster-capacity:network.securityGroups",
            'cluster-capacity:network.subnets["us-east-2b"]',
            'cluster-capacity:network.subnets["us-east-2c"]',
        ]);
    });

    it("checks an explicit network for completeness instead of whether it can be discovered", () => {
        const network = { subnets: { "us-east-2a": "subnet-a" }, securityGroups: ["sg-a"], workerMachineSet: "w" };
        assert.deepStrictEqual(
            checkNetworkSource([poolConfig()], cluster(), network, offlineRender).map((p) => p.expected.split(":")[0]),
            [
                "no workerMachineSet with renderDirectory",
                "either workerMachineSet (copy) or subnets and securityGroups (explicit), not both",
            ],
        );
    });
});

describe("pool rules: across pools", () => {
    it("refuses a second pool of the same name, and says nothing of its flavor", () => {
        const problems = uniqueNamesAndFlavors([poolConfig(), poolConfig()]);
        assert.deepStrictEqual(problems.map(pathsOf), [[], ["cluster-capacity:pools[1].name"]]);
    });

    it("refuses a flavor another pool has, naming the pool that has it last", () => {
        const problems = uniqueNamesAndFlavors([
            poolConfig({ name: "a", kueueFlavor: "f" }),
            poolConfig({ name: "a", kueueFlavor: "f" }),
            poolConfig({ name: "c", kueueFlavor: "f" }),
        ]);
        assert.deepStrictEqual(
            problems.map((list) => list.map((p) => p.expected.split(":")[0])),
            [[], ['a name not used by another pool (pools[0] is also "a")'], ["a flavor no other pool uses (pools[1] has it)"]],
        );
    });

    it("gates neuron pools behind neuron.enabled", () => {
        const neuron = poolConfig({ accelerator: "neuron", instanceType: "inf2.xlarge" });
        assert.deepStrictEqual(pathsOf(neuronPoolGated(neuron, 2, false)), ["cluster-capacity:pools[2].accelerator"]);
        assert.deepStrictEqual([neuronPoolGated(neuron, 2, true), neuronPoolGated(poolConfig(), 0, false)], [[], []]);
    });

    it("installs the Neuron stack on OpenShift 4.19 and later only", () => {
        const expected = (c: ClusterConfig) => neuronStackInstallable(c, true).map((p) => p.expected.split(":")[0]);
        assert.deepStrictEqual(
            [expected(cluster({ minor: 19 })), expected(cluster({ minor: 18 })), expected(cluster({ platform: "kubernetes" }))],
            [[], ["false on OpenShift 4.18"], ["false on plain Kubernetes"]],
        );
        assert.deepStrictEqual(neuronStackInstallable(cluster({ minor: 18 }), false), []);
    });

    it("reports pool by pool its name, flavor and accelerator, then the Neuron stack", () => {
        const neuron = poolConfig({ name: "n", accelerator: "neuron", instanceType: "inf2.xlarge" });
        const problems = checkPoolSet(
            [neuron, poolConfig({ name: "n" }), poolConfig({ name: "b", accelerator: "neuron", kueueFlavor: "n" })],
            cluster(),
            false,
        );
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:pools[0].accelerator",
            "cluster-capacity:pools[1].name",
            "cluster-capacity:pools[2].kueueFlavor",
            "cluster-capacity:pools[2].accelerator",
        ]);
        assert.deepStrictEqual(pathsOf(checkPoolSet([], cluster({ minor: 18 }), true)), ["cluster-capacity:neuron.enabled"]);
    });
});
