/**
 * `npm run bench`: first the real engine (bench/engine.ts: previews of 10, 100 and 500 pools × 3
 * zones, and a no-change `up` of 100 pools against the e2e API server), then the program under mocks
 * for fleets of 1, 10, 100 and 500 pools × 3 zones, each in a fresh process (bench/fleet.ts).
 * `npm run bench -- --mocks` runs the second table only. A benchmark, not a test: it never fails on speed.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { EngineMeasurement, engineBenchmark } from "./engine";

const ENGINE_SIZES = [10, 100, 500];
const MOCK_SIZES = [1, 10, 100, 500];

interface MockMeasurement {
    pools: number;
    zones: number;
    machineSets: number;
    resources: number;
    awsInvokes: number;
    seconds: number;
    peakRssMiB: number;
}

function table(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join("  "));
}

async function engineTable(): Promise<void> {
    console.log("The real engine (npm run pulumi: the project's Pulumi CLI and Kubernetes provider, the program in-process):");
    const results = await engineBenchmark(ENGINE_SIZES, (m) => process.stderr.write(`${JSON.stringify(m)}\n`));
    table(
        [
            "command",
            "pools × zones",
            "resources",
            "wall time (s)",
            "ms per resource",
            "peak RSS, all (MiB)",
            "peak RSS, one process (MiB)",
            "exit",
        ],
        results.map((r) => [
            r.what,
            `${r.pools} × 3`,
            String(r.resources),
            r.seconds.toFixed(1),
            r.resources > 0 ? ((r.seconds * 1000) / r.resources).toFixed(2) : "-",
            r.peakRssMiB.toFixed(0),
            r.peakProcessRssMiB.toFixed(0),
            String(r.exit),
        ]),
    );
    const perResource = (pools: number) => {
        const r = results.find((m) => m.what === "preview" && m.pools === pools) as EngineMeasurement;
        return r.seconds / r.resources;
    };
    console.log(
        `preview time per resource at 500 pools / at 10 pools = ${(perResource(500) / perResource(10)).toFixed(2)} (target <= 0.5; 500 pools target <= 30 s, <= 1.5 GB)`,
    );
}

function mockTable(): void {
    console.log("The program under mocks (aws lookups answered by fixtures), each size in a fresh process:");
    const results = MOCK_SIZES.map((pools) => {
        const output = execFileSync(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, "fleet.ts"), String(pools)],
            { cwd: path.join(__dirname, ".."), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        return JSON.parse(output.trim().split("\n").pop() ?? "{}") as MockMeasurement;
    });
    table(
        ["pools × zones", "MachineSets", "resources", "AWS invokes", "wall time (s)", "ms per MachineSet", "peak RSS (MiB)"],
        results.map((r) => [
            `${r.pools} × ${r.zones}`,
            String(r.machineSets),
            String(r.resources),
            String(r.awsInvokes),
            r.seconds.toFixed(2),
            ((r.seconds * 1000) / r.machineSets).toFixed(2),
            r.peakRssMiB.toFixed(0),
        ]),
    );
    const perMachineSet = (pools: number) => {
        const r = results.find((m) => m.pools === pools) as MockMeasurement;
        return r.seconds / r.machineSets;
    };
    const invokes = new Set(results.map((r) => r.awsInvokes));
    console.log(`AWS invokes ${invokes.size === 1 ? "are the same at every size" : "vary with fleet size"}: ${[...invokes].join(", ")}`);
    const r100 = results.find((m) => m.pools === 100) as MockMeasurement;
    const r500 = results.find((m) => m.pools === 500) as MockMeasurement;
    const marginalMs = ((r500.seconds - r100.seconds) * 1000) / (r500.machineSets - r100.machineSets);
    console.log(`marginal cost from 100 to 500 pools: ${marginalMs.toFixed(2)} ms per MachineSet`);
    console.log(`time per MachineSet at 500 pools / at 10 pools = ${(perMachineSet(500) / perMachineSet(10)).toFixed(2)} (target <= 1.5)`);
}

async function main(): Promise<void> {
    if (!process.argv.includes("--mocks")) {
        await engineTable();
        console.log("");
    }
    mockTable();
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
});
