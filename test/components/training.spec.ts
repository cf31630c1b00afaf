import * as assert from "assert";
import { ProgramRun, rendered, resourcesOfKind, runProgram } from "../support/harness";
import { AwsFixture, CLUSTER_VPC } from "../support/aws";
import { BLOCK_ID, daysFromNow, gpuPool, offlineStack, TRAINING_AWS, trainingStack } from "../support/scenarios";
import { DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";
import { ec2 } from "../support/awsSdk";

describe("training pools: EFA and placement groups", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(trainingStack(), TRAINING_AWS);
        assert.ifError(run.error);
    });

    it("launches the pool's machines with an EFA interface in its placement group, in its EFA security group too", () => {
        const spec = (rendered(run, "MachineSet")[0] as any).spec.template.spec.providerSpec.value;
        assert.strictEqual(spec.networkInterfaceType, "EFA");
        assert.strictEqual(spec.placementGroupName, "prod-east-h100");
        assert.deepStrictEqual(spec.securityGroups.at(-1), { filters: [{ name: "tag:Name", values: ["prod-east-x8v2k-h100-efa"] }] });
        assert.ok(spec.securityGroups.length > 1, "the worker security groups stay");
    });

    it("creates a security group in the cluster's VPC open to all traffic within itself, before the MachineSets", () => {
        const [group] = resourcesOfKind(run, "SecurityGroup");
        const inputs = group.inputs as any;
        assert.strictEqual(group.type, "aws:ec2/securityGroup:SecurityGroup");
        assert.strictEqual(inputs.vpcId, CLUSTER_VPC);
        assert.deepStrictEqual(inputs.ingress, [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }]);
        assert.deepStrictEqual(inputs.egress, [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }]);
        assert.strictEqual(inputs.tags.Name, "prod-east-x8v2k-h100-efa");
        const [machineSet] = resourcesOfKind(run, "MachineSet");
        assert.ok(machineSet.dependencies.includes(group.urn));
    });

    it("creates a protected cluster placement group when asked, and none for an existing one", async () => {
        const [group] = resourcesOfKind(run, "PlacementGroup");
        assert.deepStrictEqual(
            [(group.inputs as any).strategy, (group.inputs as any).name, group.protect],
            ["cluster", "prod-east-h100", true],
        );
        const existing = await runProgram(trainingStack({ placementGroup: { name: "shared-pg" } }), TRAINING_AWS);
        assert.ifError(existing.error);
        assert.deepStrictEqual(resourcesOfKind(existing, "PlacementGroup"), []);
        assert.strictEqual(
            (rendered(existing, "MachineSet")[0] as any).spec.template.spec.providerSpec.value.placementGroupName,
            "shared-pg",
        );
    });
});

describe("a p5 Capacity Block pool with EFA and a placement group (aws lookups)", () => {
    it("launches into the block, with EFA, in the placement group, in the block's zone", async () => {
        ec2.on(DescribeCapacityReservationsCommand, { CapacityReservationIds: [BLOCK_ID] }).resolves({
            CapacityReservations: [
                {
                    CapacityReservationId: BLOCK_ID,
                    ReservationType: "capacity-block",
                    StartDate: new Date(Date.now() - 3600_000),
                    TotalInstanceCount: 2,
                },
            ],
        });
        const stack = {
            ...trainingStack({ zones: undefined, capacityReservations: [BLOCK_ID] }),
            "cluster-capacity:cluster": {
                name: "prod-east",
                infraId: "prod-east-x8v2k",
                openshiftVersion: "4.19",
                accountId: "111122223333",
            },
            // The prod stack pins a GPU Operator release NVIDIA supports on 4.18 only.
            "cluster-capacity:gpuOperator": { enabled: false },
        };
        const run = await runProgram(stack, {
            ...TRAINING_AWS,
            capacityReservations: {
                [BLOCK_ID]: { instanceType: "p5.48xlarge", availabilityZone: "us-east-1a", instanceCount: 2, endDate: daysFromNow(10) },
            },
        });
        assert.ifError(run.error);
        const [machineSet] = rendered(run, "MachineSet") as any[];
        const spec = machineSet.spec.template.spec.providerSpec.value;
        assert.strictEqual(machineSet.metadata.name, "prod-east-x8v2k-h100-us-east-1a-e5f60718");
        assert.deepStrictEqual(
            [
                spec.capacityReservationId,
                spec.marketType,
                spec.networkInterfaceType,
                spec.placementGroupName,
                spec.placement.availabilityZone,
            ],
            [BLOCK_ID, "CapacityBlock", "EFA", "prod-east-h100", "us-east-1a"],
        );
        assert.strictEqual(resourcesOfKind(run, "MachineHealthCheck").length, 0, "reserved pools have no health check by default");
    });
});

describe("the EFA device plugin", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(trainingStack({}, true), TRAINING_AWS);
        assert.ifError(run.error);
    });

    it("runs privileged on the EFA pools' nodes only, tolerating their taints, with the privileged SCC", () => {
        const daemonSet = rendered(run, "DaemonSet")[0] as any;
        const pod = daemonSet.spec.template.spec;
        assert.deepStrictEqual(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
            { matchExpressions: [{ key: "cluster-capacity.io/pool", operator: "In", values: ["h100"] }] },
        ]);
        assert.deepStrictEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
        assert.strictEqual(pod.containers[0].securityContext.privileged, true);
        assert.deepStrictEqual(
            pod.volumes.map((v: any) => v.hostPath.path),
            ["/var/lib/kubelet/device-plugins", "/dev/infiniband"],
        );
        const binding = rendered(run, "RoleBinding")[0] as any;
        assert.strictEqual(binding.roleRef.name, "system:openshift:scc:privileged");
        assert.deepStrictEqual(binding.subjects, [
            { kind: "ServiceAccount", name: pod.serviceAccountName, namespace: "cluster-capacity-efa" },
        ]);
    });

    it("has the pool's smoke test take one EFA and check its verbs device", () => {
        const job = rendered(run, "Job")[0] as any;
        const container = job.spec.template.spec.containers[0];
        assert.strictEqual(container.resources.limits["vpc.amazonaws.com/efa"], "1");
        assert.deepStrictEqual(container.command, ["sh", "-c", "nvidia-smi && ls -l /dev/infiniband/uverbs0"]);
    });

    it("is not deployed without an EFA pool", async () => {
        const plain = await runProgram(trainingStack({ efa: false }), TRAINING_AWS);
        assert.ifError(plain.error);
        assert.deepStrictEqual(rendered(plain, "DaemonSet"), []);
    });
});

describe("training pool mistakes", () => {
    const refusal = async (config: Record<string, unknown>, pattern: RegExp, aws: AwsFixture = TRAINING_AWS) => {
        const run = await runProgram(config, aws);
        assert.ok(run.error, "the program should have failed");
        assert.match(run.error.message, pattern);
        assert.deepStrictEqual(
            run.resources.filter((r) => !r.type.startsWith("pulumi:providers:")),
            [],
            "nothing but a provider may be registered",
        );
    };

    it("refuses EFA on an instance type without it, as AWS says", () =>
        refusal(
            trainingStack({ instanceType: "g6.xlarge" }),
            /pools\[0\]\.instanceType: got "g6\.xlarge"; expected an instance type that takes an Elastic Fabric Adapter for an efa pool \(AWS says g6\.xlarge does not\)/,
        ));

    it("refuses EFA across two zones", () =>
        refusal(
            trainingStack({ zones: ["us-east-1a", "us-east-1b"] }),
            /pools\[0\]\.zones: got \["us-east-1a","us-east-1b"\]; expected one zone for an EFA pool: its cluster placement group lives in one zone/,
        ));

    it("refuses EFA without a placement group", () =>
        refusal(
            trainingStack({ placementGroup: undefined }),
            /pools\[0\]\.placementGroup: got nothing; expected a cluster placement group for an EFA pool/,
        ));

    it("refuses EFA with offline lookups and in a stack that only renders", () =>
        refusal(
            offlineStack({}, [gpuPool("h100", { instanceType: "p5.48xlarge", efa: true, placementGroup: { name: "pg", create: true } })]),
            /pools\[0\]\.efa: got true; expected false with offline lookups[\s\S]*pools\[0\]\.efa: got true; expected false when renderDirectory is set[\s\S]*pools\[0\]\.placementGroup\.create: got true; expected false when renderDirectory is set/,
        ));
});
