import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runProgram, rendered, resourcesOfKind, ProgramRun, StackConfig } from "../support/harness";
import { mandatory, PolicyPackConfig, runPolicyPack } from "../support/policyHarness";
import { currentReleaseStack, gpuPool, multiPoolStack, offlineStack, PROD_AWS, REPO, stackFixture } from "../support/scenarios";
import { BUILTIN_INSTANCE_TYPES } from "../../policy/lib/catalogue";
import type { QuotaSource } from "../../policy/lib/awsQuotaSource";

const policyConfig = (stack: string): PolicyPackConfig =>
    JSON.parse(fs.readFileSync(path.join(REPO, "policy-config", `${stack}.json`), "utf8")) as PolicyPackConfig;

/** What AWS would answer the pack for the prod account, matching the program's mocked AWS. */
const known = <T>(value: T | undefined, what: string): Promise<T> =>
    value === undefined ? Promise.reject(new Error(`no ${what}`)) : Promise.resolve(value);
const PROD_QUOTA_SOURCE: QuotaSource = {
    quotaValue: (code) => known(PROD_AWS.quotas?.[code], `quota ${code}`),
    vcpus: (type) => known(BUILTIN_INSTANCE_TYPES[type]?.vcpus, `type ${type}`),
};

async function program(config: StackConfig, aws = {}): Promise<ProgramRun> {
    const run = await runProgram(config, aws);
    assert.ifError(run.error);
    return run;
}

describe("the policy pack over the rendered program (pulumi preview --policy-pack policy)", () => {
    it("passes the dev stack with policy-config/dev.json", async () => {
        assert.deepStrictEqual(await runPolicyPack(await program(stackFixture("dev")), policyConfig("dev")), []);
    });

    it("passes the prod stack with policy-config/prod.json, reading quotas from AWS", async () => {
        const run = await program(stackFixture("prod"), PROD_AWS);
        assert.deepStrictEqual(await runPolicyPack(run, policyConfig("prod"), { quotaSource: PROD_QUOTA_SOURCE }), []);
    });

    it("passes a multi-pool cluster and an Inferentia cluster given their quotas", async () => {
        const quotas = {
            "pool-within-quota": { quotas: { "L-DB2E81BA": 1024, "L-3819A6DF": 1024, "L-417A185B": 4096, "L-1945791B": 1024 } },
        };
        assert.deepStrictEqual(await runPolicyPack(await program(multiPoolStack()), quotas), []);
        const inferentia = offlineStack(
            {
                "cluster-capacity:cluster": { name: "inf", infraId: "inf-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:neuron": { enabled: true },
            },
            [
                gpuPool("l4", { autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
                gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" }),
            ],
        );
        assert.deepStrictEqual(await runPolicyPack(await program(inferentia), quotas), []);
    });

    it("passes 4.21 and 4.22 stacks with the GPU Operator, Kueue and Neuron, nothing pinned", async () => {
        const quotas = { "pool-within-quota": { quotas: { "L-DB2E81BA": 1024, "L-1945791B": 1024 } } };
        for (const version of ["4.21", "4.22"]) {
            assert.deepStrictEqual(await runPolicyPack(await program(currentReleaseStack(version)), quotas), [], version);
        }
    });

    it("fails machineset-protected on a stack for a cluster before OpenShift 4.17 (no deletion guard), unless its config says so", async () => {
        const quotas = {
            "pool-within-quota": { quotas: { "L-DB2E81BA": 1024, "L-3819A6DF": 1024, "L-417A185B": 4096, "L-1945791B": 1024 } },
        };
        const run = await program(multiPoolStack("4.16"));
        const violations = mandatory(await runPolicyPack(run, quotas));
        assert.deepStrictEqual(
            violations.map((v) => v.policy),
            ["machineset-protected"],
        );
        assert.match(violations[0].message, /without the deletion guard/);
        assert.deepStrictEqual(
            mandatory(await runPolicyPack(run, { ...quotas, "machineset-protected": { requireDeletionGuard: false } })),
            [],
        );
    });

    it("fails machineset-protected when a MachineSet loses protect", async () => {
        const run = await program(stackFixture("dev"));
        const [first] = resourcesOfKind(run, "MachineSet");
        first.protect = false;
        const violations = mandatory(await runPolicyPack(run, policyConfig("dev")));
        assert.deepStrictEqual(
            violations.map((v) => [v.policy, v.urn]),
            [["machineset-protected", first.urn]],
        );
    });

    it("fails pool-within-quota when an autoscaler's maximum is raised past the real quota, even if the stack's own quota value was raised too", async () => {
        const dev = stackFixture("dev");
        const pools = (dev["cluster-capacity:pools"] as Record<string, unknown>[]).map((p) =>
            p.name === "l4" ? { ...p, autoscaling: { minReplicas: 0, maxReplicas: 3 } } : p,
        );
        const run = await program({
            ...dev,
            "cluster-capacity:pools": pools,
            "cluster-capacity:quotas": { "L-DB2E81BA": 500, "L-3819A6DF": 8 },
        });
        const violations = mandatory(await runPolicyPack(run, policyConfig("dev")));
        assert.deepStrictEqual(
            violations.map((v) => v.policy),
            ["pool-within-quota"],
        );
        assert.match(
            violations[0].message,
            /L-DB2E81BA "Running On-Demand G and VT instances": maximum demand 144 vCPUs exceeds the quota of 96 vCPUs/,
        );
        assert.match(violations[0].message, /MachineSet dev-7xk2p-l4-us-east-2a: g6\.4xlarge \(16 vCPUs\) × 3 machine\(s\) = 48 vCPUs/);
    });
});

describe("retiring a pool on purpose", () => {
    const dev = stackFixture("dev");
    /** The dev stack's 4.22 cluster manages its boot images: the MachineSets leave the AMI to it. */
    const AMI = "spec.template.spec.providerSpec.value.ami";
    const devPools = dev["cluster-capacity:pools"] as Record<string, unknown>[];
    const withPools = (pools: Record<string, unknown>[]) => ({ ...dev, "cluster-capacity:pools": pools });
    const l4Sets = (run: ProgramRun) => resourcesOfKind(run, "MachineSet").filter((r) => r.name.startsWith("l4-us-east-2"));
    const others = (run: ProgramRun) =>
        rendered(run, "MachineSet")
            .filter((m: any) => !m.metadata.name.startsWith("dev-7xk2p-l4-us-east"))
            .map((m) => JSON.stringify(m));

    let active: ProgramRun;
    let retired: ProgramRun;
    let removed: ProgramRun;
    before(async () => {
        active = await program(dev);
        retired = await program(withPools(devPools.map((p) => (p.name === "l4" ? { ...p, retired: true } : p))));
        removed = await program(withPools(devPools.filter((p) => p.name !== "l4")));
    });

    it("step 0, active: the pool's MachineSets are protected and autoscaled", () => {
        assert.deepStrictEqual(
            l4Sets(active).map((r) => [r.protect, r.ignoreChanges]),
            [
                [true, ["spec.replicas", AMI]],
                [true, ["spec.replicas", AMI]],
            ],
        );
        assert.strictEqual(
            rendered(active, "MachineAutoscaler").filter((a: any) => a.spec.scaleTargetRef.name.startsWith("dev-7xk2p-l4-us-east")).length,
            2,
        );
    });

    it("step 1, retired: replicas 0, no autoscaler, still protected, and Pulumi takes spec.replicas back from the autoscaler", () => {
        const sets = l4Sets(retired);
        assert.deepStrictEqual(
            sets.map((r) => [r.protect, r.ignoreChanges, (r.inputs as any).spec.replicas]),
            [
                [true, [AMI], 0],
                [true, [AMI], 0],
            ],
        );
        assert.deepStrictEqual((sets[0].inputs as any).metadata.annotations, {
            "cluster-capacity.io/retired": "true",
            "pulumi.com/patchForce": "true",
        });
        assert.ok(!rendered(retired, "MachineAutoscaler").some((a: any) => a.spec.scaleTargetRef.name.startsWith("dev-7xk2p-l4-us-east")));
        assert.deepStrictEqual(others(retired), others(active));
        assert.deepStrictEqual((retired.outputs as any).pools.l4, {
            ...(active.outputs as any).pools.l4,
            retired: true,
            maxNodes: 0,
            maxGpus: 0,
            vcpuDemand: 0,
        });
    });

    it("step 1 drops the retired pool's GPU limit from the ClusterAutoscaler", () => {
        assert.ok(!(rendered(retired, "ClusterAutoscaler")[0] as any).spec.resourceLimits.gpus.some((g: any) => g.type === "l4"));
    });

    it("step 1 passes the whole pack, the retired pool counting for no quota", async () => {
        assert.deepStrictEqual(await runPolicyPack(retired, policyConfig("dev")), []);
    });

    it("step 2, unprotect, happens in state (pulumi state unprotect): the program still protects the pool until it is removed", () => {
        assert.ok(l4Sets(retired).every((r) => r.protect));
    });

    it("step 3, removed: the pool's MachineSets leave the program and nothing else changes", async () => {
        assert.deepStrictEqual(l4Sets(removed), []);
        assert.deepStrictEqual(others(removed), others(active));
        assert.ok(!(rendered(removed, "ClusterAutoscaler")[0] as any).spec.resourceLimits.gpus.some((g: any) => g.type === "l4"));
        assert.deepStrictEqual(await runPolicyPack(removed, policyConfig("dev")), []);
    });
});
