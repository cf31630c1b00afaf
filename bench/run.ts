/**
 * `npm run bench`: the program under mocks for fleets of 1, 10, 100 and 500 pools × 3 zones, each in
 * a fresh process. Prints wall time, peak memory, resources and AWS invokes per size, and last the
 * ratio of time per MachineSet at 500 pools to that at 10. A benchmark, not a test: it never fails on speed.
 */
import { execFileSync } from "child_process";
import * as path from "path";

const SIZES = [1, 10, 100, 500];

interface Measurement {
    pools: number;
    zones: number;
    machineSets: number;
    resources: number;
    awsInvokes: number;
    seconds: number;
    peakRssMiB: number;
}

function measure(pools: number): Measurement {
    const output = execFileSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(__dirname, "fleet.ts"), String(pools)],
        {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    return JSON.parse(output.trim().split("\n").pop() ?? "{}") as Measurement;
}

const results = SIZES.map(measure);
const header = ["pools × zones", "MachineSets", "resources", "AWS invokes", "wall time (s)", "ms per MachineSet", "peak RSS (MiB)"];
const rows = results.map((r) => [
    `${r.pools} × ${r.zones}`,
    String(r.machineSets),
    String(r.resources),
    String(r.awsInvokes),
    r.seconds.toFixed(2),
    ((r.seconds * 1000) / r.machineSets).toFixed(2),
    r.peakRssMiB.toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join("  "));
const perMachineSet = (pools: number) => {
    const r = results.find((m) => m.pools === pools) as Measurement;
    return r.seconds / r.machineSets;
};
const invokes = new Set(results.map((r) => r.awsInvokes));
console.log(`AWS invokes ${invokes.size === 1 ? "are the same at every size" : "vary with fleet size"}: ${[...invokes].join(", ")}`);
const r100 = results.find((m) => m.pools === 100) as Measurement;
const r500 = results.find((m) => m.pools === 500) as Measurement;
const marginalMs = ((r500.seconds - r100.seconds) * 1000) / (r500.machineSets - r100.machineSets);
console.log(`marginal cost from 100 to 500 pools: ${marginalMs.toFixed(2)} ms per MachineSet`);
console.log(`time per MachineSet at 500 pools / at 10 pools = ${(perMachineSet(500) / perMachineSet(10)).toFixed(2)} (target <= 1.5)`);
