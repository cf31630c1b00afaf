import * as assert from "assert";
import { runProgram, rendered, ProgramRun } from "../support/harness";
import { gpuPool, offlineStack } from "../support/scenarios";

describe("smoke tests", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(
            offlineStack(
                {
                    "cluster-capacity:cluster": { name: "t", infraId: "t-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                    "cluster-capacity:neuron": { enabled: true },
                    "cluster-capacity:smokeTests": true,
                },
                [gpuPool("l4"), gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" }), gpuPool("old", { retired: true })],
            ),
        );
        assert.ifError(run.error);
    });

    const job = (name: string): any => (rendered(run, "Job") as any[]).find((j) => j.metadata.name === name);

    it("renders one Job per active accelerator pool in its own namespace, none for a retired pool", () => {
        assert.deepStrictEqual((rendered(run, "Job") as any[]).map((j) => `${j.metadata.namespace}/${j.metadata.name}`).sort(), [
            "cluster-capacity-smoke-tests/smoke-inf2",
            "cluster-capacity-smoke-tests/smoke-l4",
        ]);
    });

    it("runs nvidia-smi on one GPU of the pool's nodes, tolerating its taint", () => {
        const pod = job("smoke-l4").spec.template.spec;
        assert.deepStrictEqual(pod.nodeSelector, { "cluster-capacity.io/pool": "l4" });
        assert.deepStrictEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        assert.deepStrictEqual(pod.containers[0].command, ["nvidia-smi"]);
        assert.deepStrictEqual(pod.containers[0].resources.limits, { "nvidia.com/gpu": "1" });
        assert.strictEqual(pod.restartPolicy, "Never");
    });

    it("runs neuron-ls on one Neuron device of an Inferentia pool", () => {
        const pod = job("smoke-inf2").spec.template.spec;
        assert.deepStrictEqual(pod.containers[0].command, ["neuron-ls"]);
        assert.deepStrictEqual(pod.containers[0].resources.limits, { "aws.amazon.com/neuron": "1" });
        assert.deepStrictEqual(pod.tolerations, [
            { key: "aws.amazon.com/neuron", operator: "Equal", value: "true", effect: "PreferNoSchedule" },
        ]);
    });

    it("does not hold pulumi up while a pool scales up from zero, and fails fast", () => {
        assert.strictEqual(job("smoke-l4").metadata.annotations["pulumi.com/skipAwait"], "true");
        assert.strictEqual(job("smoke-l4").spec.backoffLimit, 0);
    });

    it("renders nothing without smokeTests", async () => {
        const quiet = await runProgram(offlineStack());
        assert.deepStrictEqual(rendered(quiet, "Job"), []);
    });
});
