import * as assert from "assert";
import { lookupAmis } from "../../lib/lookups/amis";
import { capacityConfig, fakeAws } from "../support/fakeAws";
import { gpuPool, offlineStack } from "../support/scenarios";

const stream = (arch: string, region: string, image: string) =>
    JSON.stringify({ architectures: { [arch]: { images: { aws: { regions: { [region]: { image } } } } } } });
const byPattern = { "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" } };

describe("lookups: AMIs", () => {
    it("takes a pinned id as it is and reads neither the cluster nor AWS", async () => {
        const aws = fakeAws({});
        let read = false;
        const cluster = { bootImageStream: () => ((read = true), Promise.resolve(undefined)) };
        const { amis, problems } = await lookupAmis(capacityConfig(offlineStack()), new Map(), cluster, aws);
        assert.deepStrictEqual([...amis], [["l4", { id: "ami-0123456789abcdef0", source: "pinned" }]]);
        assert.deepStrictEqual([problems, aws.calls, read], [[], [], false]);
    });

    it("prefers the cluster's own boot image for the pool's architecture and region over a namePattern", async () => {
        const aws = fakeAws({});
        const cluster = { bootImageStream: () => Promise.resolve(stream("x86_64", "us-east-2", "ami-0c1c1c1c1c1c1c1c1")) };
        const { amis } = await lookupAmis(
            capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", ...byPattern })),
            new Map(),
            cluster,
            aws,
        );
        assert.deepStrictEqual(amis.get("l4"), { id: "ami-0c1c1c1c1c1c1c1c1", source: "cluster" });
        assert.deepStrictEqual(aws.calls, []);
    });

    it("boots a type AWS says is arm64 from the aarch64 image", async () => {
        const cluster = { bootImageStream: () => Promise.resolve(stream("aarch64", "us-east-2", "ami-0a0a0a0a0a0a0a0a0")) };
        const { amis } = await lookupAmis(
            capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", ...byPattern })),
            new Map([["g6.4xlarge", ["arm64"]]]),
            cluster,
            undefined,
        );
        assert.deepStrictEqual(amis.get("l4"), { id: "ami-0a0a0a0a0a0a0a0a0", source: "cluster" });
    });

    it("searches by owners and namePattern once for pools that share the stack's ami", async () => {
        const aws = fakeAws({ newestAmi: () => Promise.resolve("ami-0f1e2d3c4b5a69788") });
        const config = capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", ...byPattern }, [gpuPool("a"), gpuPool("b")]));
        const { amis } = await lookupAmis(config, new Map(), undefined, aws);
        assert.deepStrictEqual(
            [...amis.values()].map((a) => a.source),
            ["lookup", "lookup"],
        );
        assert.strictEqual(aws.calls.length, 1);
    });

    it("names every source it tried when none serves, once for pools that share the stack's ami", async () => {
        const config = capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", ...byPattern }, [gpuPool("a"), gpuPool("b")]));
        // No cluster (rendering) and no client (offline): every source is out of reach.
        const { amis, problems } = await lookupAmis(config, new Map(), undefined, undefined);
        assert.strictEqual(amis.size, 0);
        assert.deepStrictEqual(
            problems.map((p) => p.path),
            ["cluster-capacity:ami.namePattern"],
        );
        assert.match(
            problems[0].expected,
            /pinned id: not set; the cluster's boot image .*not read, renderDirectory renders without a cluster; owners \+ namePattern lookup: offline lookups make no AWS call/,
        );
    });

    it("says AWS found no AMI for the pattern, with AWS's words", async () => {
        const aws = fakeAws({
            newestAmi: () => Promise.reject(new Error("Your query returned no results. Please change your search criteria and try again.")),
        });
        const { problems } = await lookupAmis(
            capacityConfig(offlineStack({ "cluster-capacity:lookups": "aws", ...byPattern })),
            new Map(),
            undefined,
            aws,
        );
        assert.match(problems[0].expected, /no AMI matches in us-east-2 \(AWS said: Your query returned no results/);
    });
});
