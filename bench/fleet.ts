/**
 * One benchmark measurement, in a process of its own: the program under Pulumi mocks for a fleet
 * of N autoscaled GPU pools × 3 zones with AWS lookups. Prints one JSON line.
 */
import { cloudWatch, ec2, resetAwsSdk } from "../test/support/awsSdk";
import { runProgram } from "../test/support/harness";
import { PROD_AWS } from "../test/support/scenarios";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

function fleetConfig(pools: number): Record<string, unknown> {
    return {
        "cluster-capacity:cluster": { name: "bench", infraId: "bench-x1y2z", openshiftVersion: "4.18", region: "us-east-1" },
        "cluster-capacity:lookups": "aws",
        "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
        "cluster-capacity:renderDirectory": "rendered/bench",
        "cluster-capacity:pools": Array.from({ length: pools }, (_, i) => ({
            name: `pool-${i}`,
            accelerator: "nvidia",
            instanceType: "g6.4xlarge",
            zones: ZONES,
            autoscaling: { minReplicas: 0, maxReplicas: 2 },
        })),
        "cluster-capacity:gpuOperator": { enabled: true },
        // No Kueue: a ClusterQueue holds at most 64 flavors, one per pool (lib/plan/kueueQuotas.ts).
    };
}

async function measure(pools: number): Promise<void> {
    const aws = {
        ...PROD_AWS,
        quotas: { "L-DB2E81BA": 1_000_000 },
        // Rendering with AWS lookups finds the network by the cluster tag.
        subnets: Object.fromEntries(ZONES.map((zone) => [zone, [`subnet-${zone}`]])),
        securityGroups: { "bench-x1y2z-node": ["sg-0node"], "bench-x1y2z-lb": ["sg-0lb"] },
    };
    resetAwsSdk();
    const started = process.hrtime.bigint();
    const run = await runProgram(fleetConfig(pools), aws);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.error) throw run.error;
    const machineSets = run.resources.filter((r) => r.type.endsWith(":MachineSet")).length;
    const result = {
        pools,
        zones: ZONES.length,
        machineSets,
        resources: run.resources.length,
        // Pulumi invokes plus the AWS SDK calls (CloudWatch usage, EC2 instances).
        awsInvokes: run.invokes.length + cloudWatch.calls().length + ec2.calls().length,
        seconds,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

measure(Number(process.argv[2])).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
