import * as assert from "assert";
import type { KueueTeam } from "../../lib/config/types";
import { flavorDevices, planTeams, teamFlavorQuota, teamWeights, unknownFlavorProblems } from "../../lib/plan/kueueTeams";
import type { QueueQuotas } from "../../lib/plan/kueueQuotas";

const team = (name: string, fields: Partial<KueueTeam> = {}): KueueTeam => ({
    name,
    namespaces: [{ name, localQueue: "gpu", create: false }],
    ...fields,
});

const quotas: QueueQuotas = {
    coveredResources: ["cpu", "memory", "nvidia.com/gpu"],
    flavors: [
        { flavor: "h100", pool: "h100", nominalQuota: { cpu: "384", memory: "4096000Mi", "nvidia.com/gpu": "16" } },
        { flavor: "l4", pool: "l4", nominalQuota: { cpu: "96", memory: "393216Mi", "nvidia.com/gpu": "8" } },
    ],
};

describe("Kueue teams, step by step (lib/plan/kueueTeams.ts)", () => {
    describe("unknownFlavorProblems", () => {
        it("names each nominal quota of a flavor no pool has, with the pools' flavors", () => {
            const problems = unknownFlavorProblems(
                [team("a", { nominal: { h100: 4 } }), team("b", { nominal: { a100: 2, l40s: 1 } })],
                quotas,
            );
            assert.deepStrictEqual(
                problems.map((p) => [p.path, p.value, p.expected]),
                [
                    ["cluster-capacity:kueue.teams[1].nominal.a100", 2, "a flavor of the pools (h100, l4)"],
                    ["cluster-capacity:kueue.teams[1].nominal.l40s", 1, "a flavor of the pools (h100, l4)"],
                ],
            );
        });

        it("has nothing to say about teams with shares", () => {
            assert.deepStrictEqual(unknownFlavorProblems([team("a", { share: 0.5 })], quotas), []);
        });
    });

    describe("flavorDevices", () => {
        it("counts a flavor's devices in its first device resource with any, skipping cpu, memory and empty ones", () => {
            assert.deepStrictEqual(flavorDevices({ cpu: "64", "nvidia.com/mig-1g.10gb": "0", "nvidia.com/mig-3g.40gb": "14" }), {
                accelerator: "nvidia.com/mig-3g.40gb",
                devices: 14,
            });
        });

        it("finds no devices in a flavor of cpu and memory only", () => {
            assert.deepStrictEqual(flavorDevices({ cpu: "8", memory: "32768Mi" }), { devices: 0 });
        });
    });

    describe("teamWeights", () => {
        it("gives a team with nominal devices that fraction of the flavor, and a team with a share its share", () => {
            assert.deepStrictEqual(
                teamWeights([team("a", { nominal: { h100: 4 } }), team("b", { share: 0.25 })], "h100", 16),
                [0.25, 0.25],
            );
        });

        it("gives a team with nominal devices none of a flavor it does not name, or of one without devices", () => {
            const nominal = [team("a", { nominal: { h100: 4 } })];
            assert.deepStrictEqual([teamWeights(nominal, "l4", 8), teamWeights(nominal, "h100", 0)], [[0], [0]]);
        });
    });

    describe("teamFlavorQuota", () => {
        it("formats the team's parts as Kueue quantities, with its limits as rounded-down fractions of them", () => {
            const quota = teamFlavorQuota(team("a", { borrowingLimit: 0.5, lendingLimit: 0.25 }), "l4", {
                cpu: 2500,
                memory: 3000,
                "nvidia.com/gpu": 3,
            });
            assert.deepStrictEqual(quota, {
                flavor: "l4",
                nominalQuota: { cpu: "2500m", memory: "3000Mi", "nvidia.com/gpu": "3" },
                borrowingLimit: { cpu: "1250m", memory: "1500Mi", "nvidia.com/gpu": "1" },
                lendingLimit: { cpu: "625m", memory: "750Mi", "nvidia.com/gpu": "0" },
            });
        });

        it("sets no limits a team does not have", () => {
            assert.deepStrictEqual(Object.keys(teamFlavorQuota(team("a"), "l4", { "nvidia.com/gpu": 3 })), ["flavor", "nominalQuota"]);
        });
    });

    describe("planTeams", () => {
        it("lets a team borrow what the others lend, within its borrowing limit", () => {
            const plan = planTeams([team("a", { share: 0.5, borrowingLimit: 0.5 }), team("b", { share: 0.5, lendingLimit: 0.25 })], quotas);
            // a holds 8 + 4 GPUs, may borrow half of that (6) but b lends only a quarter of its 12 (3); b may borrow all of a's 12.
            assert.deepStrictEqual(
                plan.teams.map((t) => [t.team.name, t.guaranteedDevices, t.borrowableDevices]),
                [
                    ["a", 12, 3],
                    ["b", 12, 12],
                ],
            );
        });

        it("reports per flavor the devices no team holds when the shares add up to less than 1", () => {
            assert.deepStrictEqual(planTeams([team("a", { share: 0.5 }), team("b", { share: 0.3 })], quotas).unassigned, {
                h100: 4,
                l4: 2,
            });
        });
    });
});
