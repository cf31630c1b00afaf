import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_SCHEMA } from "../lib/config/schema";
import { parseConfig } from "../lib/config/validate";
import { rawConfigFrom } from "../lib/config/load";
import { runProgram, rendered, runtimeConfig, StackConfig } from "./support/harness";
import { crdDirectory, CrdIndex, loadCrds, SHARED_DIR, toJsonSchema } from "./support/crds";
import { multiPoolStack, offlineStack, gpuPool, PROD_AWS, REPO, stackFile } from "./support/scenarios";
import type { AwsFixture } from "./support/aws";

const SCENARIOS: [string, StackConfig, AwsFixture?][] = [
    ["the dev stack", stackFile("dev")],
    ["the prod stack", stackFile("prod"), PROD_AWS],
    ["a multi-pool 4.18 cluster", multiPoolStack()],
    ["a multi-pool 4.15 cluster", multiPoolStack("4.15")],
    [
        "a cluster with a retired pool",
        offlineStack({}, [
            gpuPool("l4", { retired: true, autoscaling: { minReplicas: 0, maxReplicas: 2 } }),
            gpuPool("l4-b", { autoscaling: { minReplicas: 0, maxReplicas: 1 } }),
        ]),
    ],
    [
        "a 4.19 cluster with spot and Inferentia pools, the Neuron stack, Kueue and smoke tests",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "inf", infraId: "inf-q2w3e", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:neuron": { enabled: true, neuronCoreQuota: true },
                "cluster-capacity:gpuOperator": { enabled: true },
                "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "inference", create: true }] },
                "cluster-capacity:smokeTests": true,
            },
            [
                gpuPool("starter", {
                    instanceType: "g6.xlarge",
                    market: "spot",
                    autoscaling: { minReplicas: 0, maxReplicas: 1 },
                    timeSlicing: 2,
                }),
                gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.xlarge" }),
            ],
        ),
    ],
    [
        "a Kueue v1beta1 cluster with a cohort, priority classes, HardwareProfiles and the Kueue operator",
        offlineStack(
            {
                "cluster-capacity:kueue": {
                    enabled: true,
                    apiVersion: "v1beta1",
                    cohort: "research",
                    operator: { enabled: true },
                    namespaces: [{ name: "team-a" }],
                    priorityClasses: [{ name: "interactive", value: 1000, description: "notebooks" }],
                    hardwareProfiles: { enabled: true, localQueue: "team-a-queue" },
                },
            },
            [gpuPool("l4"), gpuPool("l4-quad", { instanceType: "g6.12xlarge" })],
        ),
    ],
    [
        "a plain Kubernetes cluster with the GPU Operator from Helm and Kueue",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "homelab", platform: "kubernetes" },
                "cluster-capacity:instanceTypes": { "rtx.4090": { vcpus: 16, memoryMiB: 65536, gpus: 1 } },
                "cluster-capacity:gpuOperator": { enabled: true },
                "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "lab" }] },
            },
            [gpuPool("rtx", { instanceType: "rtx.4090", zones: ["garage"], timeSlicing: 2 })],
        ),
    ],
    [
        "an Inferentia pool on 4.19 with boot-image management",
        offlineStack(
            {
                "cluster-capacity:cluster": { name: "inf", infraId: "inf-abcde", openshiftVersion: "4.19", region: "us-east-2" },
                "cluster-capacity:neuron": { enabled: true },
                "cluster-capacity:ami": { id: "ami-0123456789abcdef0", managedByCluster: true },
            },
            [gpuPool("inf2", { accelerator: "neuron", instanceType: "inf2.8xlarge", autoscaling: { minReplicas: 0, maxReplicas: 2 } })],
        ),
    ],
];

/** Kinds the Kubernetes API itself serves; the provider's typed SDK checks their shape. */
const BUILT_IN = new Set(["v1/Namespace", "v1/ConfigMap", "batch/v1/Job"]);

describe("rendered objects against upstream CRD schemas", () => {
    let crds: CrdIndex;
    before(() => {
        crds = loadCrds();
    });

    for (const [what, config, aws] of SCENARIOS) {
        it(`validates every custom object of ${what} against its CRD`, async () => {
            const run = await runProgram(config, aws);
            assert.ifError(run.error);
            const objects = rendered(run) as { apiVersion: string; kind: string; metadata: { name: string } }[];
            assert.ok(objects.length > 0, "the scenario renders objects");
            for (const object of objects.filter((o) => !BUILT_IN.has(`${o.apiVersion}/${o.kind}`))) {
                const validate = crds.validator(object.apiVersion, object.kind);
                assert.ok(validate, `no CRD in ${crdDirectory()} defines ${object.apiVersion} ${object.kind}`);
                const valid = validate(object);
                assert.ok(valid, `${object.kind} ${object.metadata.name}: ${JSON.stringify(validate.errors, null, 1)}`);
            }
        });
    }

    it("rejects an unknown field and accepts one under x-kubernetes-preserve-unknown-fields", () => {
        const validate = crds.validator("machine.openshift.io/v1beta1", "MachineSet");
        assert.ok(validate);
        const base = { apiVersion: "machine.openshift.io/v1beta1", kind: "MachineSet", metadata: { name: "x" } };
        assert.strictEqual(validate({ ...base, spec: { replica: 1 } }), false);
        assert.strictEqual(validate({ ...base, spec: { template: { spec: { providerSpec: { value: { anything: 1 } } } } } }), true);
    });

    it("treats x-kubernetes-int-or-string as an integer or a string", () => {
        const schema = toJsonSchema({ type: "object", properties: { maxUnavailable: { "x-kubernetes-int-or-string": true } } });
        const validate = new Ajv2020({ strict: false }).compile(schema);
        assert.ok(validate({ maxUnavailable: 1 }) && validate({ maxUnavailable: "10%" }));
        assert.strictEqual(validate({ maxUnavailable: true }), false);
    });

    it("fails with a clear message when the CRD folder is missing", () => {
        const saved = process.env.CRD_DIR;
        process.env.CRD_DIR = "/nonexistent/crds";
        try {
            assert.throws(() => crdDirectory(), /CRD directory \/nonexistent\/crds not found: clone the shared material/);
        } finally {
            if (saved === undefined) delete process.env.CRD_DIR;
            else process.env.CRD_DIR = saved;
        }
    });
});

describe("project and stack files", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config: Record<string, { type: string; description: string }>;
    };

    it("Pulumi.yaml and deploy/Pulumi.yaml validate against Pulumi's project schema", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, "schemas", "pulumi-project.json"), "utf8"));
        const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
        assert.ok(validate(project), JSON.stringify(validate.errors, null, 1));
        assert.strictEqual(project.name, "cluster-capacity");
        const deployProject = YAML.parse(fs.readFileSync(path.join(REPO, "deploy", "Pulumi.yaml"), "utf8")) as unknown;
        assert.ok(validate(deployProject), JSON.stringify(validate.errors, null, 1));
        assert.strictEqual(
            validate({ name: "x", runtime: "nodejs", config: { bad: { type: "float" } } }),
            false,
            "the schema must be able to fail",
        );
    });

    it("Pulumi.yaml declares exactly the program's config keys, with matching types and a description", () => {
        assert.deepStrictEqual(Object.keys(project.config).sort(), [...CONFIG_KEYS].sort());
        for (const [key, schema] of Object.entries(CONFIG_SCHEMA.properties)) {
            const declared = project.config[key];
            const type = "enum" in schema ? "string" : (schema as { type: string }).type;
            assert.strictEqual(declared.type, type, key);
            assert.ok(declared.description.length > 20, `${key} needs a description`);
        }
    });

    for (const stack of fs.readdirSync(REPO).filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f))) {
        it(`${stack} passes the program's config validation`, () => {
            const config = (YAML.parse(fs.readFileSync(path.join(REPO, stack), "utf8")) as { config: StackConfig }).config;
            const all = runtimeConfig(config);
            assert.doesNotThrow(() => parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] }));
        });
    }
});
