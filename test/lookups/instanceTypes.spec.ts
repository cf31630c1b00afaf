import * as assert from "assert";
import { lookupInstanceTypes } from "../../lib/lookups/instanceTypes";
import type { InstanceTypeAnswer } from "../../lib/lookups/awsClient";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack } from "../support/scenarios";

const G6_4XLARGE: InstanceTypeAnswer = {
    defaultVcpus: 16,
    memorySize: 65536,
    gpuses: [{ count: 1, manufacturer: "NVIDIA", name: "L4", memorySize: 22888 }],
    neuronDevices: [],
    efaSupported: false,
    supportedArchitectures: ["x86_64"],
};

describe("lookups: instance types", () => {
    it("offline, takes a type from the built-in catalogue and asks nothing", async () => {
        const { specs, problems } = await lookupInstanceTypes(capacityConfig(offlineStack()), undefined);
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(specs.get("g6.4xlarge")?.vcpus, 16);
        assert.strictEqual(specs.get("g6.4xlarge")?.gpus, 1);
    });

    it("offline, refuses a type neither the catalogue nor instanceTypes knows, at the first pool that uses it", async () => {
        const config = capacityConfig(
            offlineStack({}, [gpuPool("a"), gpuPool("b", { instanceType: "zz9.large" }), gpuPool("c", { instanceType: "zz9.large" })]),
        );
        const { problems } = await lookupInstanceTypes(config, undefined);
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["cluster-capacity:pools[1].instanceType"],
        );
        assert.match(problems[0].expected, /a type of the built-in catalogue, or an entry in cluster-capacity:instanceTypes/);
    });

    it("with aws lookups, asks once per type however many pools use it, and keeps its architectures", async () => {
        const aws = fakeAws({ instanceType: () => Promise.resolve(G6_4XLARGE) });
        const config = capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws" }, [gpuPool("a"), gpuPool("b")]));
        const { specs, architectures, problems } = await lookupInstanceTypes(config, aws);
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(aws.calls, ['instanceType("g6.4xlarge")']);
        assert.deepStrictEqual(specs.get("g6.4xlarge"), {
            vcpus: 16,
            memoryMiB: 65536,
            gpus: 1,
            gpuModel: "NVIDIA L4",
            gpuMemoryMiB: 22888,
            neuronDevices: 0,
            neuronCores: 0,
            efaSupported: false,
        });
        assert.deepStrictEqual(architectures.get("g6.4xlarge"), ["x86_64"]);
    });

    it("lets AWS's counts win over a lower count in instanceTypes, which may only add what AWS does not say", async () => {
        const aws = fakeAws({ instanceType: () => Promise.resolve({ ...G6_4XLARGE, gpuses: [] }) });
        const config = capacityConfig(
            offlineStack({
                "cluster-capacity:lookups": "aws",
                "cluster-capacity:instanceTypes": { "g6.4xlarge": { vcpus: 4, gpus: 1, gpuModel: "NVIDIA L4" } },
            }),
        );
        const spec = (await lookupInstanceTypes(config, aws)).specs.get("g6.4xlarge");
        assert.strictEqual(spec?.vcpus, 16);
        assert.strictEqual(spec?.gpus, 0);
        assert.strictEqual(spec?.gpuModel, "NVIDIA L4");
    });

    it("turns a failed DescribeInstanceTypes into a problem naming the action and the region", async () => {
        const aws = fakeAws({ instanceType: () => Promise.reject(denied("ec2:DescribeInstanceTypes")) });
        const { specs, problems } = await lookupInstanceTypes(capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws" })), aws);
        assert.strictEqual(specs.size, 0);
        assert.strictEqual(problems[0].path, "cluster-capacity:pools[0].instanceType");
        assert.match(problems[0].expected, /^an instance type AWS offers in us-east-2 \(ec2:DescribeInstanceTypes was denied/);
    });
});
