/**
 * `npm run bench` kept runnable: the same real-engine commands at a size CI can afford (previews of
 * 2 pools × 3 zones, a first `up` against the suite's API server right after its CRDs are installed,
 * and the no-change `up`s), and one fleet under mocks. Speed is the benchmark's to report, not
 * this test's; it fails only when a command of the benchmark does.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { engineBenchmark } from "../../bench/engine";
import { REPO } from "../support/scenarios";

describe("npm run bench, small (bench/)", function () {
    this.timeout(30 * 60_000);

    it("runs every real-engine command through: previews, the first up and the no-change ups exit 0", async () => {
        const results = await engineBenchmark([2], () => {}, 2);
        assert.deepStrictEqual(
            results.map((r) => [r.what, r.pools, r.exit]),
            [
                ["preview", 2, 0],
                ["preview, checkpoints", 2, 0],
                ["first up (creates all)", 2, 0],
                ["no-change up", 2, 0],
                ["no-change up, no checkpoints", 2, 0],
            ],
        );
        assert.ok(
            results.every((r) => r.resources > 0),
            JSON.stringify(results),
        );
    });

    it("measures a fleet under mocks in a process of its own", () => {
        const output = execFileSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(REPO, "bench", "fleet.ts"), "2"],
            {
                cwd: REPO,
                encoding: "utf8",
            },
        );
        const measurement = JSON.parse(output.trim().split("\n").pop() ?? "{}") as { machineSets: number; resources: number };
        assert.strictEqual(measurement.machineSets, 6);
        assert.ok(measurement.resources > measurement.machineSets);
    });
});
