import * as assert from "assert";
import { BUILTIN_INSTANCE_TYPES, resolveInstanceSpec } from "../../policy/lib/catalogue";
import { checkQuotas, describeQuotaExcess, quotaDemand } from "../../policy/lib/quota";
import { quotaFor, quotaGroupOf } from "../../policy/lib/contract";

describe("quota groups", () => {
    // The quota codes of each group, as Service Quotas names them: group, On-Demand, Spot.
    const G_AND_VT = ["G and VT", "L-DB2E81BA", "L-3819A6DF"] as const;
    const P = ["P", "L-417A185B", "L-7212CCBC"] as const;
    const STANDARD = ["Standard", "L-1216C47A", "L-34B43A08"] as const;
    const typesByGroup: [readonly string[], readonly [string, string, string]][] = [
        [["g6.4xlarge", "gr6.4xlarge", "g4dn.xlarge", "vt1.3xlarge"], G_AND_VT],
        [["p5.48xlarge", "p4d.24xlarge"], P],
        [["inf2.xlarge"], ["Inf", "L-1945791B", "L-B5D1601B"]],
        [["trn1.32xlarge"], ["Trn", "L-2C3B7624", "L-6B0D517C"]],
        [["dl1.24xlarge"], ["DL", "L-6E869C2A", "L-85EED4F7"]],
        [["i4i.large", "t3.micro", "d3.xlarge", "m6i.xlarge"], STANDARD],
    ];
    const cases = typesByGroup.flatMap(([types, group]) => types.map((type): [string, string, string, string] => [type, ...group]));
    for (const [type, group, onDemand, spot] of cases) {
        it(`puts ${type} in ${group} (${onDemand} On-Demand, ${spot} Spot) by its longest prefix`, () => {
            assert.strictEqual(quotaGroupOf(type)?.group, group);
            assert.strictEqual(quotaFor(type, "on-demand")?.code, onDemand);
            assert.strictEqual(quotaFor(type, "spot")?.code, spot);
        });
    }

    it("knows no quota group for families outside the table", () => {
        assert.strictEqual(quotaFor("x2idn.16xlarge", "on-demand"), undefined);
        assert.strictEqual(quotaFor("u-6tb1.metal", "spot"), undefined);
    });

    it("gives every built-in catalogue type a quota group", () => {
        for (const type of Object.keys(BUILTIN_INSTANCE_TYPES)) {
            assert.ok(quotaFor(type, "on-demand"), type);
        }
    });
});

describe("quota demand", () => {
    it("sums vCPUs × maximum machines per quota code, separating spot from on-demand", () => {
        const { demands, unmatched } = quotaDemand([
            { source: "a", instanceType: "g6.4xlarge", market: "on-demand", vcpus: 16, maxMachines: 3 },
            { source: "b", instanceType: "g6.12xlarge", market: "on-demand", vcpus: 48, maxMachines: 1 },
            { source: "c", instanceType: "g6.xlarge", market: "spot", vcpus: 4, maxMachines: 2 },
            { source: "d", instanceType: "x2idn.16xlarge", market: "spot", vcpus: 64, maxMachines: 1 },
        ]);
        assert.deepStrictEqual(
            demands.map((d) => [d.code, d.demand, d.contributions.map((c) => c.vcpuDemand)]),
            [
                ["L-3819A6DF", 8, [8]],
                ["L-DB2E81BA", 96, [48, 48]],
            ],
        );
        assert.deepStrictEqual(
            unmatched.map((u) => u.source),
            ["d"],
        );
    });

    it("passes a demand equal to the quota and fails one vCPU more", () => {
        const at = (vcpus: number) =>
            quotaDemand([{ source: "s", instanceType: "g5.xlarge", market: "spot", vcpus, maxMachines: 1 }]).demands;
        assert.strictEqual(checkQuotas(at(4), { "L-3819A6DF": 4 })[0].exceeded, false);
        assert.strictEqual(checkQuotas(at(5), { "L-3819A6DF": 4 })[0].exceeded, true);
    });

    it("reports a quota without a known limit as unknown, not as passing headroom", () => {
        const [check] = checkQuotas(
            quotaDemand([{ source: "s", instanceType: "p5.48xlarge", market: "on-demand", vcpus: 192, maxMachines: 1 }]).demands,
            {},
        );
        assert.strictEqual(check.limit, undefined);
        assert.strictEqual(check.headroom, undefined);
    });

    it("describes an excess with the code, name, limit, demand and each source", () => {
        const [check] = checkQuotas(
            quotaDemand([{ source: "pool spot", instanceType: "g5.2xlarge", market: "spot", vcpus: 8, maxMachines: 1 }]).demands,
            { "L-3819A6DF": 4 },
        );
        const text = describeQuotaExcess(check);
        assert.match(text, /L-3819A6DF "All G and VT Spot Instance Requests": maximum demand 8 vCPUs exceeds the quota of 4 vCPUs by 4/);
        assert.match(text, /pool spot: g5\.2xlarge \(8 vCPUs\) × 1 machine\(s\) = 8 vCPUs/);
    });
});

describe("instance catalogue", () => {
    it("knows the L4 sizes used for two-node-type clusters", () => {
        assert.deepStrictEqual(BUILTIN_INSTANCE_TYPES["g6.4xlarge"], {
            vcpus: 16,
            memoryMiB: 65536,
            gpus: 1,
            gpuModel: "NVIDIA L4",
            gpuMemoryMiB: 24576,
            neuronDevices: 0,
        });
        assert.strictEqual(BUILTIN_INSTANCE_TYPES["g6.12xlarge"].gpus, 4);
    });

    it("covers g4dn, g5, g6, g6e, gr6, p4d, p5, inf2 and trn1", () => {
        for (const family of ["g4dn", "g5", "g6", "g6e", "gr6", "p4d", "p5", "inf2", "trn1"]) {
            assert.ok(
                Object.keys(BUILTIN_INSTANCE_TYPES).some((t) => t.startsWith(`${family}.`)),
                family,
            );
        }
    });

    it("lets config override one field of a built-in entry", () => {
        assert.strictEqual(resolveInstanceSpec("g6.4xlarge", { "g6.4xlarge": { vcpus: 15 } })?.vcpus, 15);
        assert.strictEqual(resolveInstanceSpec("g6.4xlarge", { "g6.4xlarge": { vcpus: 15 } })?.gpus, 1);
    });

    it("accepts a new type from config only with vcpus and memoryMiB", () => {
        assert.strictEqual(resolveInstanceSpec("g7.xlarge", { "g7.xlarge": { vcpus: 4 } }), undefined);
        assert.deepStrictEqual(resolveInstanceSpec("g7.xlarge", { "g7.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1 } }), {
            vcpus: 4,
            memoryMiB: 16384,
            gpus: 1,
            neuronDevices: 0,
        });
    });

    it("returns undefined for a type nobody knows", () => {
        assert.strictEqual(resolveInstanceSpec("g9.xlarge"), undefined);
    });
});
