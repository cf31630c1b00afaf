import * as assert from "assert";
import { DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";
import { ProgramRun, rendered, resourcesOfKind, runProgram } from "../support/harness";
import { ec2 } from "../support/awsSdk";
import { violationsOf } from "../support/policyHarness";
import { BLOCK_ID, daysFromNow, explicitNetwork, gpuPool, ODCR_ID, PROD_AWS, reservations, reservedStack } from "../support/scenarios";

const byName = (run: ProgramRun, kind: string) => new Map(rendered(run, kind).map((o: any) => [o.metadata.name as string, o]));

describe("capacity reservations (pools[].capacityReservations)", () => {
    let run: ProgramRun;
    const facts = reservations();
    before(async () => {
        run = await runProgram(reservedStack({}, facts));
        assert.ifError(run.error);
    });

    it("gives each reservation its own MachineSet in its zone, named <infraId>-<pool>-<zone>-<last 8 of the id>", () => {
        const names = [...byName(run, "MachineSet").keys()].sort();
        assert.deepStrictEqual(names, [
            "train-x7k2p-g6-us-east-2a",
            "train-x7k2p-g6-us-east-2b",
            "train-x7k2p-g6e-us-east-2b-b0a09080",
            "train-x7k2p-p5-us-east-2a-e5f60718",
        ]);
    });

    it("launches a Capacity Block's machines with capacityReservationId and marketType CapacityBlock, an ODCR's with the id alone", () => {
        const sets = byName(run, "MachineSet");
        const block = sets.get("train-x7k2p-p5-us-east-2a-e5f60718").spec.template.spec.providerSpec.value;
        assert.deepStrictEqual(
            [block.capacityReservationId, block.marketType, block.placement.availabilityZone],
            [BLOCK_ID, "CapacityBlock", "us-east-2a"],
        );
        assert.strictEqual(block.spotMarketOptions, undefined);
        const odcr = sets.get("train-x7k2p-g6e-us-east-2b-b0a09080").spec.template.spec.providerSpec.value;
        assert.deepStrictEqual([odcr.capacityReservationId, odcr.marketType], [ODCR_ID, undefined]);
        const spot = sets.get("train-x7k2p-g6-us-east-2a").spec.template.spec.providerSpec.value;
        assert.deepStrictEqual([spot.capacityReservationId, spot.spotMarketOptions], [undefined, {}]);
    });

    it("sizes a reserved MachineSet within its reservation and counts it against no EC2 quota", () => {
        const autoscalers = byName(run, "MachineAutoscaler");
        assert.deepStrictEqual(autoscalers.get("train-x7k2p-p5-us-east-2a-e5f60718").spec.maxReplicas, 2);
        assert.strictEqual(byName(run, "MachineSet").get("train-x7k2p-g6e-us-east-2b-b0a09080").spec.replicas, 4);
        const quotas = run.outputs?.quotas as Record<string, { demand: number }>;
        assert.strictEqual(quotas["L-417A185B"], undefined, "the p5 block counts against no P quota");
        assert.strictEqual(quotas["L-DB2E81BA"], undefined, "the g6e reservation counts against no G quota");
        assert.strictEqual(quotas["L-3819A6DF"].demand, 2 * 3 * 16);
    });

    it("passes the policy pack given the reservations' sizes, and fails it when a MachineSet outgrows its reservation", async () => {
        const config = { quotas: { "L-3819A6DF": 96 }, capacityReservations: { [BLOCK_ID]: 2, [ODCR_ID]: 4 } };
        assert.deepStrictEqual(await violationsOf("pool-within-quota", run.resources, config), []);
        const [message] = await violationsOf("pool-within-quota", run.resources, {
            ...config,
            capacityReservations: { [BLOCK_ID]: 1, [ODCR_ID]: 4 },
        });
        assert.match(
            message,
            /train-x7k2p-p5-us-east-2a-e5f60718 can have 2 machine\(s\) in capacity reservation cr-0a1b2c3d4e5f60718, which holds 1/,
        );
        const [unknown] = await violationsOf("pool-within-quota", run.resources, { quotas: { "L-3819A6DF": 96 } });
        assert.match(unknown, /whose size is unknown: set capacityReservations\.cr-/);
    });

    it("shows each reservation's kind, zone, size and window in the report and the summary", () => {
        const pools = (run.outputs as any).pools;
        assert.deepStrictEqual(pools.p5.reservations, [
            {
                id: BLOCK_ID,
                kind: "capacity-block",
                zone: "us-east-2a",
                instances: 2,
                start: facts[BLOCK_ID].startDate,
                end: facts[BLOCK_ID].endDate,
            },
        ]);
        assert.strictEqual(pools.g6.reservations, undefined);
        assert.ok(
            run.logs.some((l) =>
                /cr-0f0e0d0c0b0a09080 \(on-demand, pool g6e, g6e\.12xlarge, us-east-2b\): 4 instance\(s\), now to no end/.test(l),
            ),
        );
    });

    it("caps a pool's maximum at the reservation's instance count, with a warning", async () => {
        const capped = await runProgram(reservedStack({ p5: { autoscaling: { minReplicas: 0, maxReplicas: 5 } } }));
        assert.ifError(capped.error);
        assert.strictEqual(byName(capped, "MachineAutoscaler").get("train-x7k2p-p5-us-east-2a-e5f60718").spec.maxReplicas, 2);
        assert.ok(capped.warnings.some((w) => /asks for up to 5 machines per zone, but reservation cr-0a1b2c3d4e5f60718 holds 2/.test(w)));
    });

    it("keeps a Capacity Block that has not started at 0 machines, without an autoscaler, and says when it starts", async () => {
        const early = await runProgram(
            reservedStack({}, reservations({ [BLOCK_ID]: { startDate: daysFromNow(2), endDate: daysFromNow(16) } })),
        );
        assert.ifError(early.error);
        assert.strictEqual(byName(early, "MachineSet").get("train-x7k2p-p5-us-east-2a-e5f60718").spec.replicas, 0);
        assert.strictEqual(byName(early, "MachineAutoscaler").get("train-x7k2p-p5-us-east-2a-e5f60718"), undefined);
        assert.ok(early.warnings.some((w) => /cr-0a1b2c3d4e5f60718 starts .*stays at 0 machines until then/.test(w)));
    });

    it("scales a just-ended Capacity Block's MachineSet to 0, taking replicas back from the autoscaler, marks it retired and holds its quota", async () => {
        const ended = await runProgram(
            reservedStack({}, reservations({ [BLOCK_ID]: { startDate: daysFromNow(-15), endDate: daysFromNow(-1) } }), {
                "cluster-capacity:kueue": { enabled: true },
            }),
        );
        assert.ifError(ended.error);
        const machineSet = byName(ended, "MachineSet").get("train-x7k2p-p5-us-east-2a-e5f60718");
        assert.deepStrictEqual(
            [machineSet.spec.replicas, machineSet.metadata.annotations],
            [0, { "cluster-capacity.io/retired": "true", "pulumi.com/patchForce": "true" }],
        );
        assert.strictEqual(byName(ended, "MachineAutoscaler").get("train-x7k2p-p5-us-east-2a-e5f60718"), undefined);
        const p5 = (rendered(ended, "ClusterQueue")[0] as any).spec.resourceGroups[0].flavors.find((f: any) => f.name === "p5");
        assert.strictEqual(p5.resources.find((r: any) => r.name === "nvidia.com/gpu").nominalQuota, "0");
        assert.ok(ended.warnings.some((w) => /cr-0a1b2c3d4e5f60718 ended .*scaled to 0, marked retired and its Kueue quota held/.test(w)));
    });

    it("warns when a reservation ends within reservationWarningDays", async () => {
        const soon = await runProgram(reservedStack({}, reservations({ [BLOCK_ID]: { endDate: daysFromNow(3) } })));
        assert.ifError(soon.error);
        assert.ok(soon.warnings.some((w) => /pools\[0\]\.capacityReservations\[0\] cr-0a1b2c3d4e5f60718 ends /.test(w)));
        const quiet = await runProgram(
            reservedStack({}, reservations({ [BLOCK_ID]: { endDate: daysFromNow(3) } }), { "cluster-capacity:reservationWarningDays": 2 }),
        );
        assert.ok(!quiet.warnings.some((w) => / ends /.test(w)));
    });

    it("gives ordinary pools a MachineHealthCheck over exactly their MachineSets, and reserved pools none", () => {
        const checks = byName(run, "MachineHealthCheck");
        assert.deepStrictEqual([...checks.keys()], ["train-x7k2p-g6"]);
        const check = checks.get("train-x7k2p-g6");
        assert.deepStrictEqual(check.spec.selector.matchExpressions, [
            {
                key: "machine.openshift.io/cluster-api-machineset",
                operator: "In",
                values: ["train-x7k2p-g6-us-east-2a", "train-x7k2p-g6-us-east-2b"],
            },
        ]);
        assert.deepStrictEqual([check.spec.maxUnhealthy, check.spec.nodeStartupTimeout], [1, "25m"]);
    });

    it("checks a reserved pool's health when asked, with its own limits", async () => {
        const healed = await runProgram(
            reservedStack({ g6e: { healthCheck: { enabled: true, maxUnhealthy: "25%", nodeStartupTimeout: "40m" } } }),
        );
        assert.ifError(healed.error);
        const check = byName(healed, "MachineHealthCheck").get("train-x7k2p-g6e");
        assert.deepStrictEqual([check.spec.maxUnhealthy, check.spec.nodeStartupTimeout], ["25%", "40m"]);
    });

    it("makes the autoscaler prefer reserved, then spot, then on-demand MachineSets, keeping every other node group eligible", () => {
        const autoscaler = byName(run, "ClusterAutoscaler").get("default");
        assert.deepStrictEqual(autoscaler.spec.expanders, ["Priority", "LeastWaste"]);
        const config = byName(run, "ConfigMap").get("cluster-autoscaler-priority-expander");
        assert.strictEqual(config.metadata.namespace, "openshift-machine-api");
        assert.strictEqual(
            config.data.priorities,
            [
                "30:",
                '  - "(^|/)train-x7k2p-p5-us-east-2a-e5f60718$"',
                "20:",
                '  - "(^|/)train-x7k2p-g6-us-east-2a$"',
                '  - "(^|/)train-x7k2p-g6-us-east-2b$"',
                "0:",
                '  - ".*"',
                "",
            ].join("\n"),
        );
    });

    it("leaves the autoscaler's default expander alone when every autoscaled MachineSet is of one capacity type", async () => {
        const plain = await runProgram(
            reservedStack({ p5: { capacityReservations: undefined, zones: ["us-east-2a"] }, g6: { market: "on-demand" } }),
        );
        assert.ifError(plain.error);
        assert.strictEqual(byName(plain, "ClusterAutoscaler").get("default").spec.expanders, undefined);
        assert.strictEqual(byName(plain, "ConfigMap").get("cluster-autoscaler-priority-expander"), undefined);
    });

    it("reads each reservation through aws.ec2.CapacityReservation.get and its kind from EC2, with aws lookups", async () => {
        ec2.on(DescribeCapacityReservationsCommand, { CapacityReservationIds: [ODCR_ID] }).resolves({
            CapacityReservations: [{ CapacityReservationId: ODCR_ID, ReservationType: "default", TotalInstanceCount: 4 }],
        });
        const stack = {
            ...reservedStack(),
            "cluster-capacity:lookups": "aws",
            ...explicitNetwork([{ zones: ["us-east-1b"] }], "prod-east-x8v2k"),
            "cluster-capacity:capacityReservations": undefined,
            "cluster-capacity:cluster": { name: "prod-east", infraId: "prod-east-x8v2k", openshiftVersion: "4.19", region: "us-east-1" },
            "cluster-capacity:pools": [gpuPool("g6e", { instanceType: "g6e.12xlarge", replicas: 2, capacityReservations: [ODCR_ID] })].map(
                ({ zones: _zones, ...rest }) => rest,
            ),
        };
        delete (stack as Record<string, unknown>)["cluster-capacity:capacityReservations"];
        const online = await runProgram(stack, {
            ...PROD_AWS,
            quotas: { ...PROD_AWS.quotas, "L-DB2E81BA": 512 },
            capacityReservations: {
                [ODCR_ID]: { instanceType: "g6e.12xlarge", availabilityZone: "us-east-1b", instanceCount: 4, endDateType: "unlimited" },
            },
        });
        assert.ifError(online.error);
        assert.ok(online.reads.includes(`aws:ec2/capacityReservation:CapacityReservation::${ODCR_ID}`));
        assert.deepStrictEqual(resourcesOfKind(online, "MachineSet").length, 1);
        assert.strictEqual((rendered(online, "MachineSet")[0] as any).metadata.name, "prod-east-x8v2k-g6e-us-east-1b-b0a09080");
    });
});

describe("Kueue over reserved, spot and on-demand capacity", () => {
    const kueue = { "cluster-capacity:kueue": { enabled: true } };
    const flavorQuotas = (run: ProgramRun) =>
        (rendered(run, "ClusterQueue")[0] as any).spec.resourceGroups[0].flavors.map((f: any) => [
            f.name,
            f.resources.find((r: any) => r.name === "nvidia.com/gpu").nominalQuota,
        ]);

    it("lists reserved flavors first, then spot, then on-demand, each with its part's GPUs at maximum size", async () => {
        const run = await runProgram(reservedStack({ g6e: { zones: ["us-east-2b"] } }, reservations(), kueue));
        assert.ifError(run.error);
        assert.deepStrictEqual(flavorQuotas(run), [
            ["p5", "16"],
            ["g6e-reserved", "16"],
            ["g6", "6"],
            ["g6e", "16"],
        ]);
    });

    it("tells a pool's reserved nodes from its others by the capacity-type label, on MachineSets and flavors alike", async () => {
        const run = await runProgram(reservedStack({ g6e: { zones: ["us-east-2b"] } }, reservations(), kueue));
        const flavors = byName(run, "ResourceFlavor");
        assert.deepStrictEqual(flavors.get("g6e-reserved").spec.nodeLabels, {
            "cluster-capacity.io/pool": "g6e",
            "cluster-capacity.io/capacity-type": "reserved",
        });
        assert.deepStrictEqual(flavors.get("g6e").spec.nodeLabels, {
            "cluster-capacity.io/pool": "g6e",
            "cluster-capacity.io/capacity-type": "on-demand",
        });
        const sets = byName(run, "MachineSet");
        const label = (name: string) => sets.get(name).spec.template.spec.metadata.labels["cluster-capacity.io/capacity-type"];
        assert.deepStrictEqual(
            [label("train-x7k2p-g6e-us-east-2b-b0a09080"), label("train-x7k2p-g6e-us-east-2b"), label("train-x7k2p-g6-us-east-2a")],
            ["reserved", "on-demand", undefined],
        );
        assert.deepStrictEqual(await violationsOf("kueue-flavor-selects-nodes", run.resources), []);
    });

    it("holds a Capacity Block's flavor at zero GPUs before the block starts", async () => {
        const run = await runProgram(
            reservedStack({}, reservations({ [BLOCK_ID]: { startDate: daysFromNow(2), endDate: daysFromNow(16) } }), kueue),
        );
        assert.ifError(run.error);
        assert.deepStrictEqual(flavorQuotas(run)[0], ["p5", "0"]);
    });
});

describe("one stack of reserved, spot and on-demand capacity (issue 13's done-when)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(
            reservedStack({ g6: { onDemandFallback: true } }, reservations(), { "cluster-capacity:kueue": { enabled: true } }),
        );
        assert.ifError(run.error);
    });

    it("gives the spot pool an on-demand MachineSet beside each spot one, starting empty", () => {
        const sets = byName(run, "MachineSet");
        const fallback = sets.get("train-x7k2p-g6-us-east-2a-od");
        assert.strictEqual(fallback.spec.replicas, 0);
        assert.strictEqual(fallback.spec.template.spec.providerSpec.value.spotMarketOptions, undefined);
        assert.deepStrictEqual(sets.get("train-x7k2p-g6-us-east-2a").spec.template.spec.providerSpec.value.spotMarketOptions, {});
        const autoscaler = byName(run, "MachineAutoscaler").get("train-x7k2p-g6-us-east-2b-od");
        assert.deepStrictEqual([autoscaler.spec.minReplicas, autoscaler.spec.maxReplicas], [0, 3]);
    });

    it("ranks reserved, then spot, then on-demand MachineSets for the autoscaler", () => {
        const priorities = byName(run, "ConfigMap").get("cluster-autoscaler-priority-expander").data.priorities as string;
        assert.deepStrictEqual(priorities.split("\n"), [
            "30:",
            '  - "(^|/)train-x7k2p-p5-us-east-2a-e5f60718$"',
            "20:",
            '  - "(^|/)train-x7k2p-g6-us-east-2a$"',
            '  - "(^|/)train-x7k2p-g6-us-east-2b$"',
            "10:",
            '  - "(^|/)train-x7k2p-g6-us-east-2a-od$"',
            '  - "(^|/)train-x7k2p-g6-us-east-2b-od$"',
            "0:",
            '  - ".*"',
            "",
        ]);
    });

    it("lists Kueue flavors reserved, then spot, then on-demand, each with its part's GPUs", () => {
        const flavors = (rendered(run, "ClusterQueue")[0] as any).spec.resourceGroups[0].flavors.map((f: any) => [
            f.name,
            f.resources.find((r: any) => r.name === "nvidia.com/gpu").nominalQuota,
        ]);
        assert.deepStrictEqual(flavors, [
            ["p5", "16"],
            ["g6e", "16"],
            ["g6", "6"],
            ["g6-on-demand", "6"],
        ]);
        assert.deepStrictEqual(byName(run, "ResourceFlavor").get("g6-on-demand").spec.nodeLabels, {
            "cluster-capacity.io/pool": "g6",
            "cluster-capacity.io/capacity-type": "on-demand",
        });
    });

    it("prices the fallback's machines at the on-demand price, the spot ones at spot", async () => {
        const priced = await runProgram(
            reservedStack({ g6: { onDemandFallback: true } }, reservations(), {
                "cluster-capacity:prices": { "g6.4xlarge": { spotHourlyUsd: 0.5, onDemandHourlyUsd: 1.25 } },
            }),
        );
        assert.ifError(priced.error);
        assert.strictEqual((priced.outputs as any).cost.pools.g6.maxHourlyUsd, 6 * 0.5 + 6 * 1.25);
    });

    it("counts the spot MachineSets against the spot quota and the fallback against the on-demand one", () => {
        const quotas = run.outputs?.quotas as Record<string, { demand: number }>;
        assert.deepStrictEqual([quotas["L-3819A6DF"].demand, quotas["L-DB2E81BA"].demand], [96, 96]);
    });

    it("passes the policy pack given the quotas and reservations", async () => {
        const config = { quotas: { "L-3819A6DF": 96, "L-DB2E81BA": 96 }, capacityReservations: { [BLOCK_ID]: 2, [ODCR_ID]: 4 } };
        assert.deepStrictEqual(await violationsOf("pool-within-quota", run.resources, config), []);
        assert.deepStrictEqual(await violationsOf("kueue-flavor-selects-nodes", run.resources), []);
    });
});

describe("capacity reservation mistakes", () => {
    const refusal = async (config: Record<string, unknown>, pattern: RegExp) => {
        const run = await runProgram(config);
        assert.ok(run.error, "the program should have failed");
        assert.match(run.error.message, pattern);
        assert.deepStrictEqual(run.resources, [], "nothing may be registered");
    };

    it("refuses a reservation in a zone the pool does not use", () =>
        refusal(
            reservedStack({ g6e: { zones: ["us-east-2a"] } }),
            /pools\[1\]\.capacityReservations\[0\]: got "cr-0f0e0d0c0b0a09080"; expected a reservation in one of the pool's zones, us-east-2a \(cr-0f0e0d0c0b0a09080 is in us-east-2b\)/,
        ));

    it("refuses a reservation of another instance type", () =>
        refusal(
            reservedStack({ g6e: { instanceType: "g6e.24xlarge" } }),
            /pools\[1\]\.capacityReservations\[0\]: got "cr-0f0e0d0c0b0a09080"; expected a reservation of g6e\.24xlarge, the pool's type \(cr-0f0e0d0c0b0a09080 reserves g6e\.12xlarge\)/,
        ));

    it("refuses a Capacity Block that ended longer ago than reservationWarningDays", () =>
        refusal(
            reservedStack({}, reservations({ [BLOCK_ID]: { startDate: daysFromNow(-25), endDate: daysFromNow(-10) } })),
            /pools\[0\]\.capacityReservations\[0\]: got "cr-0a1b2c3d4e5f60718"; expected a reservation that has not ended/,
        ));

    it("refuses a Capacity Block before OpenShift 4.19", () =>
        refusal(
            {
                ...reservedStack(),
                "cluster-capacity:cluster": { name: "train", infraId: "train-x7k2p", openshiftVersion: "4.18", region: "us-east-2" },
            },
            /no Capacity Block on OpenShift 4\.18: the Machine API launches into one \(marketType: CapacityBlock\) from 4\.19/,
        ));

    it("refuses reservations before OpenShift 4.18", () =>
        refusal(
            {
                ...reservedStack(),
                "cluster-capacity:cluster": { name: "train", infraId: "train-x7k2p", openshiftVersion: "4.17", region: "us-east-2" },
            },
            /no capacity reservations on OpenShift 4\.17: the Machine API launches into one from 4\.18/,
        ));

    it("refuses a reservation on a spot pool", () =>
        refusal(
            reservedStack({ g6e: { market: "spot" } }),
            /expected an on-demand pool: the Machine API refuses a capacity reservation with spot/,
        ));

    it("refuses a reservation offline lookups know nothing of", () =>
        refusal(
            reservedStack({}, { [BLOCK_ID]: reservations()[BLOCK_ID] }),
            /pools\[1\]\.capacityReservations\[0\]: got "cr-0f0e0d0c0b0a09080"; expected a reservation described in cluster-capacity:capacityReservations\.cr-0f0e0d0c0b0a09080/,
        ));

    it("refuses an on-demand fallback on an on-demand pool, and on a spot pool without autoscaling", async () => {
        await refusal(
            reservedStack({ g6: { market: "on-demand", onDemandFallback: true } }),
            /pools\[2\]\.onDemandFallback: got true; expected false on an on-demand pool/,
        );
        await refusal(
            reservedStack({ g6: { onDemandFallback: true, autoscaling: undefined, replicas: 1 } }),
            /pools\[2\]\.onDemandFallback: got true; expected false without autoscaling/,
        );
    });

    it("refuses a reservation id that is not cr- and 17 hex digits, and one named by two pools", async () => {
        await refusal(
            reservedStack({ g6e: { capacityReservations: ["cr-123"] } }),
            /pools\[1\]\.capacityReservations\[0\]: got "cr-123"; expected a capacity reservation id/,
        );
        await refusal(
            reservedStack({ g6: { market: "on-demand", capacityReservations: [ODCR_ID], instanceType: "g6e.12xlarge" } }),
            /pools\[2\]\.capacityReservations\[0\]: got "cr-0f0e0d0c0b0a09080"; expected a reservation no other pool uses \(pools\[1\] has it\)/,
        );
    });
});
