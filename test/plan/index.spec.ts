/**
 * The plan's steps called directly, on hand-built pools and facts: no config parsing, no lookups,
 * no Pulumi. Each step is pure; the program-level specs check the same rules end to end.
 */
import * as assert from "assert";
import { BUILTIN_INSTANCE_TYPES, type InstanceSpec } from "../../policy/lib/catalogue";
import type { PoolConfig, ReservationFacts } from "../../lib/config/types";
import { CLUSTER_READ, ConfigError, type ConfigProblem } from "../../lib/errors";
import type { LookupFacts } from "../../lib/lookups/facts";
import type { MachineNetwork } from "../../lib/lookups/machineNetwork";
import {
    acceleratorProblems,
    customMigLayouts,
    efaProblems,
    fallbackMachineSets,
    planCapacity,
    planMig,
    planPool,
    planPoolMachineSets,
    planQuotaTotals,
    type PoolPlan,
    type PoolPlanContext,
    poolQuotaParts,
    zoneMachineSets,
} from "../../lib/plan";
import { planReservations, type ReservationPlanInput, reservationWindow } from "../../lib/plan/reservations";
import { poolConfig } from "../support/pools";

const NOW = new Date("2025-06-01T00:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString();
const ODCR = "cr-0a1b2c3d4e5f60718";
const BLOCK = "cr-0123456789abcdef0";

const autoscaled = (minReplicas: number, maxReplicas: number): Partial<PoolConfig> => ({
    autoscaling: { minReplicas, maxReplicas },
    replicas: minReplicas,
});

function reservation(id: string, extra: Partial<ReservationFacts> = {}): ReservationFacts {
    return { id, kind: "on-demand", instanceType: "g6.4xlarge", availabilityZone: "us-east-2a", instanceCount: 4, ...extra };
}

const network = (zone: string): MachineNetwork => ({
    subnet: { id: `subnet-${zone}` },
    securityGroups: [{ id: "sg-0123456789abcdef0" }],
    iamInstanceProfile: { id: "test-abcde-worker-profile" },
    userDataSecret: { name: "worker-user-data" },
    credentialsSecret: { name: "aws-cloud-credentials" },
    tags: [],
});

function context(
    extra: { facts?: Partial<PoolPlanContext["facts"]>; config?: Partial<PoolPlanContext["config"]>; minor?: number } = {},
): PoolPlanContext {
    return {
        config: {
            cluster: {
                name: "test",
                infraId: "test-abcde",
                platform: "openshift",
                openshiftVersion: { major: 4, minor: extra.minor ?? 18 },
                region: "us-east-2",
            },
            lookups: "offline",
            reservationWarningDays: 7,
            ...extra.config,
        },
        facts: {
            instanceSpecs: new Map(Object.entries(BUILTIN_INSTANCE_TYPES)),
            amis: new Map([["gpu", { id: "ami-0123456789abcdef0", source: "pinned" as const }]]),
            networks: new Map(
                ["us-east-2a", "us-east-2b"].map((zone) => [zone, { network: network(zone), source: { kind: "config" as const } }]),
            ),
            reservations: new Map(),
            ...extra.facts,
        },
        now: NOW,
    };
}

const reservationsOf = (...facts: ReservationFacts[]) => new Map(facts.map((f) => [f.id, f]));
const expectedOf = (problems: readonly ConfigProblem[]) => problems.map((p) => `${p.path}: ${p.expected}`);
const spec = (type: string): InstanceSpec => BUILTIN_INSTANCE_TYPES[type];

/** A pool's plan, which must plan without problems. */
function planned(p: PoolConfig, ctx = context()): PoolPlan {
    const { plan, problems } = planPool(p, 0, ctx);
    assert.deepStrictEqual(problems, []);
    return plan;
}

describe("plan: the MachineSets of one pool", () => {
    it("gives a pool one MachineSet per zone named <infraId>-<pool>-<zone>, on the pool's market and replicas", () => {
        const sets = zoneMachineSets(poolConfig({ zones: ["us-east-2a", "us-east-2b"], market: "spot", replicas: 2 }), context());
        assert.deepStrictEqual(
            sets.map((m) => [m.name, m.zone, m.market, m.replicas, m.maxMachines]),
            [
                ["test-abcde-gpu-us-east-2a", "us-east-2a", "spot", 2, 2],
                ["test-abcde-gpu-us-east-2b", "us-east-2b", "spot", 2, 2],
            ],
        );
    });

    it("sizes an autoscaled pool's MachineSets to the autoscaler's maximum and hands them its bounds", () => {
        const [set] = zoneMachineSets(poolConfig(autoscaled(1, 5)), context());
        assert.deepStrictEqual([set.replicas, set.maxMachines, set.autoscaling], [1, 5, { minReplicas: 1, maxReplicas: 5 }]);
    });

    it("attaches each MachineSet to its zone's network from the lookups, none where they have none", () => {
        const sets = zoneMachineSets(poolConfig({ zones: ["us-east-2a", "us-east-2c"] }), context());
        assert.deepStrictEqual(
            sets.map((m) => m.network),
            [network("us-east-2a"), undefined],
        );
    });

    it("adds nothing but the zone MachineSets to a pool without on-demand fallback", () => {
        assert.deepStrictEqual(fallbackMachineSets(poolConfig({ market: "spot", ...autoscaled(1, 4) }), context()), []);
    });

    it("gives a spot pool's fallback one empty on-demand MachineSet per zone, autoscaled from 0 to the pool's maximum", () => {
        const [fallback] = fallbackMachineSets(poolConfig({ market: "spot", onDemandFallback: true, ...autoscaled(1, 4) }), context());
        assert.deepStrictEqual(
            [fallback.name, fallback.market, fallback.replicas, fallback.maxMachines, fallback.autoscaling],
            ["test-abcde-gpu-us-east-2a-od", "on-demand", 0, 4, { minReplicas: 0, maxReplicas: 4 }],
        );
    });

    it("plans a retired pool's fallback for no machines", () => {
        const [fallback] = fallbackMachineSets(
            poolConfig({ market: "spot", onDemandFallback: true, retired: true, replicas: 0 }),
            context(),
        );
        assert.strictEqual(fallback.maxMachines, 0);
    });

    it("orders a pool's MachineSets: its zones, then its fallbacks, then its reservations", () => {
        const p = poolConfig({ market: "spot", onDemandFallback: true, capacityReservations: [ODCR], ...autoscaled(0, 2) });
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR, { instanceType: "g6.4xlarge" })) } });
        const { machineSets } = planPoolMachineSets(p, 0, ctx);
        assert.deepStrictEqual(
            machineSets.map((m) => m.name),
            ["test-abcde-gpu-us-east-2a", "test-abcde-gpu-us-east-2a-od", "test-abcde-gpu-us-east-2a-e5f60718"],
        );
    });

    it("launches a reservation's MachineSet on-demand in the reservation's zone, autoscaled within the pool's bounds", () => {
        const ctx = context({
            facts: { reservations: reservationsOf(reservation(ODCR, { availabilityZone: "us-east-2b", instanceCount: 3 })) },
        });
        const { machineSets } = planPoolMachineSets(poolConfig({ zones: [], capacityReservations: [ODCR], ...autoscaled(1, 2) }), 0, ctx);
        const reserved = machineSets.find((m) => m.reservation);
        assert.deepStrictEqual(
            [reserved?.zone, reserved?.market, reserved?.maxMachines, reserved?.autoscaling, reserved?.network],
            ["us-east-2b", "on-demand", 2, { minReplicas: 1, maxReplicas: 2 }, network("us-east-2b")],
        );
    });

    it("gives a reservation not started yet a fixed 0 machines, without autoscaler (the CRD needs maxReplicas >= 1)", () => {
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR, { startDate: daysFromNow(2) })) } });
        const { machineSets } = planPoolMachineSets(poolConfig({ capacityReservations: [ODCR], zones: [], ...autoscaled(1, 2) }), 0, ctx);
        assert.deepStrictEqual(
            machineSets.map((m) => [m.replicas, m.maxMachines, m.autoscaling]),
            [[0, 0, undefined]],
        );
    });

    it("marks the MachineSet of a just-ended reservation, so that Pulumi takes its replicas back to 0", () => {
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR, { endDate: daysFromNow(-1) })) } });
        const { machineSets, warnings } = planPoolMachineSets(poolConfig({ capacityReservations: [ODCR], zones: [] }), 0, ctx);
        assert.deepStrictEqual(
            machineSets.map((m) => [m.reservationEnded, m.maxMachines]),
            [[true, 0]],
        );
        assert.match(
            warnings[0],
            /ended .*; its MachineSet is scaled to 0, marked retired and its Kueue quota held\. Once it has no machines, remove it/,
        );
    });
});

describe("plan: a pool's own checks against the lookups' facts", () => {
    it("refuses an nvidia pool on a type whose GPUs AWS says another maker makes", () => {
        const amd = { ...spec("g6.xlarge"), gpuModel: "AMD Radeon Pro V520" };
        assert.deepStrictEqual(expectedOf(acceleratorProblems(poolConfig({ instanceType: "g4ad.xlarge" }), 2, amd, "aws")), [
            "cluster-capacity:pools[2].instanceType: an instance type with NVIDIA GPUs for an nvidia pool (its GPUs are AMD Radeon Pro V520; the GPU Operator, the nvidia.com/gpu resource and the GPU quotas would not apply)",
        ]);
    });

    it("takes any GPU model offline, where models are free text", () => {
        const amd = { ...spec("g6.xlarge"), gpuModel: "AMD Radeon Pro V520" };
        assert.deepStrictEqual(acceleratorProblems(poolConfig(), 0, amd, "offline"), []);
    });

    it("refuses an nvidia pool on a type without GPUs, and a neuron pool on a type without Neuron devices", () => {
        const nvidiaOnInf = acceleratorProblems(poolConfig({ instanceType: "inf2.xlarge" }), 0, spec("inf2.xlarge"), "offline");
        const neuronOnG6 = acceleratorProblems(poolConfig({ accelerator: "neuron" }), 1, spec("g6.4xlarge"), "offline");
        assert.deepStrictEqual(expectedOf([...nvidiaOnInf, ...neuronOnG6]), [
            "cluster-capacity:pools[0].instanceType: an instance type with NVIDIA GPUs for an nvidia pool",
            "cluster-capacity:pools[1].instanceType: an instance type with AWS Neuron devices (inf2, trn1) for a neuron pool",
        ]);
    });

    it("refuses an EFA pool on a type AWS does not say takes EFA", () => {
        const p = poolConfig({ efa: true });
        const sets = zoneMachineSets(p, context());
        assert.deepStrictEqual(efaProblems(p, 0, { ...spec("g6.4xlarge"), efaSupported: true }, sets), []);
        assert.deepStrictEqual(
            efaProblems(p, 0, spec("g6.4xlarge"), sets).map((x) => x.path),
            ["cluster-capacity:pools[0].instanceType"],
        );
    });

    it("refuses an EFA pool whose MachineSets, reservations included, are in more than one zone", () => {
        const p = poolConfig({ efa: true, capacityReservations: [ODCR] });
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR, { availabilityZone: "us-east-2b" })) } });
        const { machineSets } = planPoolMachineSets({ ...p, zones: ["us-east-2a", "us-east-2b"] }, 0, ctx);
        const [zones] = efaProblems(p, 0, { ...spec("g6.4xlarge"), efaSupported: true }, machineSets);
        assert.deepStrictEqual([zones.path, zones.value], ["cluster-capacity:pools[0].zones", ["us-east-2a", "us-east-2b"]]);
    });

    it("checks nothing of EFA on a pool without it", () => {
        const p = poolConfig({ zones: ["us-east-2a", "us-east-2b"] });
        assert.deepStrictEqual(efaProblems(p, 0, spec("g6.4xlarge"), zoneMachineSets(p, context())), []);
    });
});

describe("plan: MIG", () => {
    const layout = (profile: string, devices?: Record<string, number>) =>
        poolConfig({ instanceType: "p5.48xlarge", mig: { profile, ...(devices && { devices }), strategy: "mixed" } });

    it("plans no MIG for a pool without a layout", () => {
        assert.deepStrictEqual(planMig(poolConfig(), 0, spec("g6.4xlarge")), { problems: [] });
    });

    it("reads a MIG pool's GPU model and devices per GPU from its generated layout", () => {
        assert.deepStrictEqual(planMig(layout("all-1g.10gb"), 0, spec("p5.48xlarge")), {
            mig: { migGpu: "H100-80GB", migDevicesPerGpu: { "1g.10gb": 7 } },
            problems: [],
        });
    });

    it("refuses MIG on GPUs that have none, naming the GPUs that do", () => {
        const { mig, problems } = planMig({ ...layout("all-1g.10gb"), instanceType: "g6.4xlarge" }, 3, spec("g6.4xlarge"));
        assert.strictEqual(mig, undefined);
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.value]),
            [["cluster-capacity:pools[3].mig", { profile: "all-1g.10gb" }]],
        );
        assert.match(problems[0].expected, /^no MIG on g6\.4xlarge \(NVIDIA L4\): MIG needs A100/);
    });

    it("refuses a custom layout the GPU cannot hold at mig.devices", () => {
        const { problems } = planMig(layout("custom", { "7g.80gb": 2 }), 0, spec("p5.48xlarge"));
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["cluster-capacity:pools[0].mig.devices"],
        );
    });

    it("advertises a MIG pool's devices times its GPUs under the mixed strategy's resource names", () => {
        const plan = planned(layout("all-1g.10gb"));
        assert.deepStrictEqual(plan.gpuResourcesPerNode, { "nvidia.com/mig-1g.10gb": 56 });
        assert.strictEqual(plan.migGpu, "H100-80GB");
    });

    it("collects no mig-parted layouts when no pool has a custom one", () => {
        assert.deepStrictEqual(customMigLayouts([planned(layout("all-1g.10gb"))]), { problems: [] });
    });

    it("refuses one custom name for other devices on the same GPU model, naming the pool that has it", () => {
        const first = planned({ ...layout("custom", { "1g.10gb": 7 }), name: "first" });
        const second = planned({ ...layout("custom", { "3g.40gb": 2 }), name: "second" });
        const { problems } = customMigLayouts([first, second]);
        assert.deepStrictEqual(expectedOf(problems), [
            'cluster-capacity:pools[1].mig.profile: another name: pool first uses custom on the same H100-80GB GPUs for other devices ({"1g.10gb":7})',
        ]);
    });

    it("collects each custom name's layout per GPU model", () => {
        const { layouts } = customMigLayouts([planned(layout("custom", { "1g.10gb": 7 }))]);
        assert.deepStrictEqual([...(layouts?.get("custom")?.entries() ?? [])], [["H100-80GB", { "1g.10gb": 7 }]]);
    });
});

describe("plan: one pool at its maximum size", () => {
    it("counts nodes, GPUs and vCPUs over every MachineSet of the pool", () => {
        const plan = planned(poolConfig({ zones: ["us-east-2a", "us-east-2b"], instanceType: "g6.12xlarge", ...autoscaled(0, 3) }));
        assert.deepStrictEqual(
            [plan.maxMachinesPerZone, plan.maxNodes, plan.maxGpus, plan.vcpuDemand, plan.maxAllocatableGpus],
            [3, 6, 24, 288, 24],
        );
    });

    it("multiplies the nvidia.com/gpu a node advertises by the time-slicing replicas", () => {
        const plan = planned(poolConfig({ timeSlicing: 4 }));
        assert.deepStrictEqual([plan.gpuResourcesPerNode, plan.maxAllocatableGpus, plan.maxGpus], [{ "nvidia.com/gpu": 4 }, 4, 1]);
    });

    it("counts a neuron pool's devices and advertises no NVIDIA resource", () => {
        const plan = planned(poolConfig({ accelerator: "neuron", instanceType: "inf2.24xlarge", replicas: 2 }));
        assert.deepStrictEqual([plan.maxNeuronDevices, plan.gpuResourcesPerNode, plan.maxAllocatableGpus], [12, {}, 0]);
    });

    it("counts a pool against the EC2 quota of its type and market", () => {
        assert.strictEqual(planned(poolConfig({ market: "spot" })).quota?.code, "L-3819A6DF");
    });

    it("counts a pool of reservations only against them, and no pool on plain Kubernetes against a quota", () => {
        const reservedOnly = poolConfig({ zones: [], capacityReservations: [ODCR] });
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR)) } });
        const kubernetes = context();
        kubernetes.config = { ...kubernetes.config, cluster: { ...kubernetes.config.cluster, platform: "kubernetes" } };
        assert.deepStrictEqual([planned(reservedOnly, ctx).quota, planned(poolConfig(), kubernetes).quota], [undefined, undefined]);
    });

    it("ignores AMI drift from OpenShift 4.19, where the cluster manages boot images, unless ami.managedByCluster says otherwise", () => {
        assert.deepStrictEqual(
            [
                planned(poolConfig(), context({ minor: 18 })).ignoreAmiDrift,
                planned(poolConfig(), context({ minor: 19 })).ignoreAmiDrift,
                planned(poolConfig({ ami: { owners: [], managedByCluster: false } }), context({ minor: 19 })).ignoreAmiDrift,
            ],
            [false, true, false],
        );
    });

    it("takes the pool's AMI from the lookups, and leaves it empty where they have none", () => {
        assert.deepStrictEqual([planned(poolConfig()).amiId, planned(poolConfig({ name: "other" })).amiId], ["ami-0123456789abcdef0", ""]);
    });

    it("stops with an internal error on a type the lookups did not resolve, rather than plan without it", () => {
        assert.throws(
            () => planPool(poolConfig({ instanceType: "g9.huge" }), 0, context()),
            /no instance spec for g9\.huge: the lookups should have refused pool gpu/,
        );
    });

    it("reports a pool's problems in order: its type's accelerator, its reservations, EFA, then MIG", () => {
        const p = poolConfig({
            instanceType: "inf2.xlarge",
            efa: true,
            capacityReservations: [ODCR],
            mig: { profile: "all-1g.10gb", strategy: "mixed" },
        });
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR, { instanceType: "g6.4xlarge" })) } });
        assert.deepStrictEqual(
            planPool(p, 0, ctx).problems.map((x) => x.path),
            [
                "cluster-capacity:pools[0].instanceType",
                "cluster-capacity:pools[0].capacityReservations[0]",
                "cluster-capacity:pools[0].instanceType",
                "cluster-capacity:pools[0].mig",
            ],
        );
    });
});

describe("plan: the quota totals", () => {
    const facts = (extra: Partial<Pick<LookupFacts, "quotaLimits" | "usedOutside">> = {}) => ({
        quotaLimits: {},
        usedOutside: {},
        ...extra,
    });

    it("counts a spot pool's on-demand fallback against the on-demand quota, named as its fallback", () => {
        const plan = planned(poolConfig({ market: "spot", onDemandFallback: true, ...autoscaled(1, 3) }));
        assert.deepStrictEqual(
            poolQuotaParts(plan).map((p) => [p.market, p.source, p.maxMachines, p.desiredMachines]),
            [
                ["spot", "pool gpu", 3, 1],
                ["on-demand", "pool gpu (on-demand fallback)", 3, 0],
            ],
        );
    });

    it("leaves a pool's reservations out of its quota parts", () => {
        const ctx = context({ facts: { reservations: reservationsOf(reservation(ODCR)) } });
        const plan = planned(poolConfig({ capacityReservations: [ODCR], replicas: 2 }), ctx);
        assert.deepStrictEqual(
            poolQuotaParts(plan).map((p) => [p.market, p.maxMachines]),
            [["on-demand", 2]],
        );
    });

    it("asks nothing of a quota for a pool that counts against none", () => {
        assert.deepStrictEqual(poolQuotaParts({ ...planned(poolConfig()), quota: undefined }), []);
    });

    it("sums vCPUs times maximum machines per quota code across pools and compares the sum with the limit", () => {
        const pools = [planned(poolConfig(autoscaled(0, 2))), planned(poolConfig({ name: "b", instanceType: "g6.xlarge", replicas: 3 }))];
        const { quotas } = planQuotaTotals(pools, facts({ quotaLimits: { "L-DB2E81BA": 40 } }));
        assert.deepStrictEqual(
            quotas.map((q) => [q.code, q.demand, q.limit, q.exceeded]),
            [["L-DB2E81BA", 2 * 16 + 3 * 4, 40, true]],
        );
    });

    it("sets each quota's desired size from replicas and what is free now from its limit minus what is used outside", () => {
        const pools = [planned(poolConfig(autoscaled(1, 4)))];
        const [usage] = planQuotaTotals(pools, facts({ quotaLimits: { "L-DB2E81BA": 64 }, usedOutside: { "L-DB2E81BA": 40 } })).usage;
        assert.deepStrictEqual(usage, { code: "L-DB2E81BA", limit: 64, usedOutside: 40, desired: 16, maximum: 64, freeNow: 24 });
    });

    it("leaves what is free now unknown when the usage outside the stack is unknown", () => {
        const [usage] = planQuotaTotals([planned(poolConfig())], facts({ quotaLimits: { "L-DB2E81BA": 64 } })).usage;
        assert.deepStrictEqual([usage.usedOutside, usage.freeNow], [undefined, undefined]);
    });
});

describe("plan: planCapacity", () => {
    const capacity = (pools: PoolConfig[], facts: Partial<LookupFacts> = {}) => {
        const ctx = context();
        const config = { ...ctx.config, pools } as unknown as Parameters<typeof planCapacity>[0];
        return [config, { ...ctx.facts, quotaLimits: {}, awsQuotaValues: {}, usedOutside: {}, ...facts } as LookupFacts] as const;
    };

    it("stops with one ConfigError listing every pool's problems, then the MIG layouts', in order", () => {
        const h100 = (name: string, devices: Record<string, number>) =>
            poolConfig({ name, instanceType: "p5.48xlarge", mig: { profile: "custom", devices, strategy: "mixed" } });
        const [config, facts] = capacity([
            poolConfig({ name: "a", instanceType: "inf2.xlarge" }),
            h100("b", { "1g.10gb": 7 }),
            h100("c", { "3g.40gb": 2 }),
            poolConfig({ name: "d", accelerator: "neuron" }),
        ]);
        assert.throws(
            () => planCapacity(config, facts, false, NOW),
            (error: ConfigError) => {
                assert.deepStrictEqual(
                    error.problems.map((p) => p.path),
                    [
                        "cluster-capacity:pools[0].instanceType",
                        "cluster-capacity:pools[3].instanceType",
                        "cluster-capacity:pools[2].mig.profile",
                    ],
                );
                assert.strictEqual(error.outcome, "nothing was registered");
                return true;
            },
        );
    });

    it("says the Kubernetes provider was registered when the lookups read the cluster", () => {
        const [config, facts] = capacity([poolConfig({ instanceType: "inf2.xlarge" })]);
        assert.throws(
            () => planCapacity(config, facts, true, NOW),
            (error: ConfigError) => error.outcome === CLUSTER_READ,
        );
    });

    it("returns every pool's plan, the quota totals and the reservations' warnings of all pools", () => {
        const ending = reservation(ODCR, { endDate: daysFromNow(3) });
        const block = reservation(BLOCK, { kind: "capacity-block", instanceCount: 1 });
        const [config, facts] = capacity(
            [poolConfig({ capacityReservations: [ODCR] }), poolConfig({ name: "b", capacityReservations: [BLOCK], ...autoscaled(0, 2) })],
            { reservations: reservationsOf(ending, block) },
        );
        config.cluster.openshiftVersion = { major: 4, minor: 19 };
        const plan = planCapacity(config, facts, false, NOW);
        assert.deepStrictEqual(
            plan.pools.map((p) => p.pool.name),
            ["gpu", "b"],
        );
        assert.deepStrictEqual(
            plan.quotas.map((q) => [q.code, q.demand]),
            [["L-DB2E81BA", 16 + 2 * 16]],
        );
        assert.strictEqual(plan.warnings.length, 2);
        assert.match(plan.warnings[0], /^cluster-capacity: pools\[0\]\.capacityReservations\[0\] cr-0a1b2c3d4e5f60718 ends /);
        assert.match(
            plan.warnings[1],
            /^cluster-capacity: pools\[1\] asks for up to 2 machines per zone, but reservation cr-0123456789abcdef0 holds 1/,
        );
        assert.strictEqual(plan.migPartedConfig, undefined);
    });
});

describe("plan: one pool's capacity reservations", () => {
    function input(extra: Partial<ReservationPlanInput> = {}, ...facts: ReservationFacts[]): ReservationPlanInput {
        return {
            pool: poolConfig({ zones: [], capacityReservations: facts.map((f) => f.id) }),
            index: 0,
            perZoneMax: 2,
            cluster: { infraId: "test-abcde", openshiftVersion: { major: 4, minor: 19 } },
            reservations: reservationsOf(...facts),
            now: NOW,
            warningDays: 7,
            ...extra,
        };
    }

    it("names a reservation's MachineSet <infraId>-<pool>-<zone>-<last 8 of the id>, in the reservation's zone", () => {
        const { machineSets } = planReservations(input({}, reservation(ODCR, { availabilityZone: "us-east-2b" })));
        assert.deepStrictEqual(
            machineSets.map((m) => [m.name, m.zone]),
            [["test-abcde-gpu-us-east-2b-e5f60718", "us-east-2b"]],
        );
    });

    it("skips a reservation the lookups know nothing of (they have refused it already)", () => {
        const i = input({}, reservation(ODCR));
        assert.deepStrictEqual(planReservations({ ...i, reservations: new Map() }), { machineSets: [], problems: [], warnings: [] });
    });

    it("caps a reservation's MachineSet at the reservation's instances, and says so", () => {
        const { machineSets, warnings } = planReservations(input({ perZoneMax: 5 }, reservation(ODCR, { instanceCount: 3 })));
        assert.strictEqual(machineSets[0].maxReplicas, 3);
        assert.deepStrictEqual(warnings, [
            "cluster-capacity: pools[0] asks for up to 5 machines per zone, but reservation cr-0a1b2c3d4e5f60718 holds 3: its MachineSet is capped at 3.",
        ]);
    });

    it("starts a reservation's MachineSet at the pool's replicas within the reservation", () => {
        const p = poolConfig({ zones: [], capacityReservations: [ODCR], replicas: 4 });
        const { machineSets } = planReservations(input({ pool: p, perZoneMax: 4 }, reservation(ODCR, { instanceCount: 2 })));
        assert.deepStrictEqual([machineSets[0].replicas, machineSets[0].maxReplicas], [2, 2]);
    });

    it("gives a reservation with a problem no MachineSet and no warning, with every problem it has", () => {
        const wrong = reservation(ODCR, { instanceType: "p5.48xlarge", availabilityZone: "us-east-2c", instanceCount: 1 });
        const p = poolConfig({ zones: ["us-east-2a"], capacityReservations: [ODCR] });
        const plan = planReservations(input({ pool: p, perZoneMax: 5 }, wrong));
        assert.deepStrictEqual([plan.machineSets, plan.warnings], [[], []]);
        assert.deepStrictEqual(expectedOf(plan.problems), [
            "cluster-capacity:pools[0].capacityReservations[0]: a reservation of g6.4xlarge, the pool's type (cr-0a1b2c3d4e5f60718 reserves p5.48xlarge)",
            "cluster-capacity:pools[0].capacityReservations[0]: a reservation in one of the pool's zones, us-east-2a (cr-0a1b2c3d4e5f60718 is in us-east-2c)",
        ]);
    });

    it("refuses a Capacity Block before OpenShift 4.19, where the Machine API cannot launch into one", () => {
        const block = reservation(BLOCK, { kind: "capacity-block" });
        const { problems } = planReservations(
            input({ cluster: { infraId: "test-abcde", openshiftVersion: { major: 4, minor: 18 } } }, block),
        );
        assert.match(
            problems[0].expected,
            /^no Capacity Block on OpenShift 4\.18: the Machine API launches into one \(marketType: CapacityBlock\) from 4\.19$/,
        );
    });

    it("refuses a reservation that ended longer ago than the warning window, unless the pool is retired", () => {
        const stale = reservation(ODCR, { endDate: daysFromNow(-8) });
        assert.deepStrictEqual(
            planReservations(input({}, stale)).problems.map((p) => p.path),
            ["cluster-capacity:pools[0].capacityReservations[0]"],
        );
        const retired = poolConfig({ zones: [], capacityReservations: [ODCR], retired: true, replicas: 0 });
        assert.deepStrictEqual(planReservations(input({ pool: retired }, stale)).problems, []);
    });

    it("refuses a reservation whose MachineSet name would not fit a label value", () => {
        const long = poolConfig({ name: "a-pool-with-a-name-long-enough-xy", zones: [], capacityReservations: [ODCR] });
        const { problems } = planReservations(input({ pool: long }, reservation(ODCR)));
        assert.match(problems[0].expected, /^a shorter name: reserved MachineSet name ".*" has 64 characters, at most 63 are allowed$/);
    });

    it("warns of a reservation ending within the warning window, and of one not started, held at 0 until then", () => {
        const ending = reservation(ODCR, { endDate: daysFromNow(3) });
        const later = reservation(BLOCK, { startDate: daysFromNow(2) });
        const { machineSets, warnings } = planReservations(input({}, ending, later));
        assert.deepStrictEqual(
            machineSets.map((m) => m.maxReplicas),
            [2, 0],
        );
        assert.deepStrictEqual(warnings, [
            `cluster-capacity: pools[0].capacityReservations[0] ${ODCR} ends ${ending.endDate}; its machines stop then (EC2 terminates Capacity Block instances at the end).`,
            `cluster-capacity: pools[0].capacityReservations[1] ${BLOCK} starts ${later.startDate}; its MachineSet stays at 0 machines until then.`,
        ]);
    });

    it("judges a reservation's window at the given moment: ended at its end, stale past the warning days", () => {
        const at = (endDays: number) => reservationWindow(reservation(ODCR, { endDate: daysFromNow(endDays) }), NOW, 7);
        assert.deepStrictEqual(
            [at(0), at(-7.5), at(6)].map((w) => [w.ended, w.endedLongAgo, w.endsSoon]),
            [
                [true, false, false],
                [true, true, false],
                [false, false, true],
            ],
        );
        assert.deepStrictEqual(reservationWindow(reservation(ODCR), NOW, 7), {
            ended: false,
            endedLongAgo: false,
            endsSoon: false,
            notStarted: false,
        });
    });
});
