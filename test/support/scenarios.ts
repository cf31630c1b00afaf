/** Stack configs for tests: the committed stack files, and small offline scenarios to vary. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { StackConfig } from "./harness";
import type { AwsFixture } from "./aws";

export const REPO = path.resolve(__dirname, "..", "..");

export function stackFile(stack: string): StackConfig {
    const file = path.join(REPO, `Pulumi.${stack}.yaml`);
    return (YAML.parse(fs.readFileSync(file, "utf8")) as { config: StackConfig }).config;
}

/** What AWS answers for the prod stack in tests: quotas with room, and the RHCOS AMI. */
export const PROD_AWS: AwsFixture = {
    accountId: "111122223333",
    quotas: { "L-DB2E81BA": 512, "L-3819A6DF": 64 },
    amis: { "rhcos-418.94.*-x86_64": "ami-0f1e2d3c4b5a69788" },
    onDemandPrices: { "g6.4xlarge": 1.3232, "g6.12xlarge": 4.6016 },
    spotPrices: { "g6.xlarge": 0.3507 },
};

export type PoolEntry = Record<string, unknown>;

/** An NVIDIA pool of one g6.4xlarge in us-east-2a; `replicas` is left out when `extra` autoscales. */
export function gpuPool(name: string, extra: PoolEntry = {}): PoolEntry {
    return {
        name,
        accelerator: "nvidia",
        instanceType: "g6.4xlarge",
        zones: ["us-east-2a"],
        ...("autoscaling" in extra ? {} : { replicas: 1 }),
        ...extra,
    };
}

/** An offline OpenShift 4.18 stack in us-east-2 with generous quotas; override any key. */
export function offlineStack(overrides: StackConfig = {}, pools: PoolEntry[] = [gpuPool("l4")]): StackConfig {
    return {
        "cluster-capacity:cluster": { name: "test", infraId: "test-abcde", openshiftVersion: "4.18", region: "us-east-2" },
        "cluster-capacity:lookups": "offline",
        "cluster-capacity:ami": { id: "ami-0123456789abcdef0" },
        "cluster-capacity:quotas": { "L-DB2E81BA": 1024, "L-3819A6DF": 1024, "L-417A185B": 4096, "L-1945791B": 1024 },
        "cluster-capacity:renderDirectory": "rendered/test",
        "cluster-capacity:pools": pools,
        ...overrides,
    };
}

/** A cluster with several pool shapes: on-demand, spot, autoscaled, tuned, multi-zone. */
export function multiPoolStack(version = "4.18"): StackConfig {
    return offlineStack(
        {
            "cluster-capacity:cluster": { name: "multi", infraId: "multi-q7w2e", openshiftVersion: version, region: "us-east-2" },
        },
        [
            gpuPool("t4", {
                instanceType: "g4dn.xlarge",
                zones: ["us-east-2a", "us-east-2b", "us-east-2c"],
                autoscaling: { minReplicas: 0, maxReplicas: 3 },
            }),
            gpuPool("a10g-spot", { instanceType: "g5.2xlarge", market: "spot", replicas: 2 }),
            gpuPool("h100", {
                instanceType: "p5.48xlarge",
                zones: ["us-east-2b"],
                autoscaling: { minReplicas: 0, maxReplicas: 2 },
                kernelArguments: ["iommu=pt"],
                sysctls: { "net.core.rmem_max": 16777216 },
                taints: [{ key: "nvidia.com/gpu", value: "h100", effect: "NoSchedule" }],
                rootVolume: { sizeGiB: 1000, type: "io2", iops: 16000, kmsKeyArn: "arn:aws:kms:us-east-2:111122223333:key/abc" },
            }),
        ],
    );
}
