import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_SCHEMA, PROJECT_DEFAULTS } from "../../lib/config/schema";
import { parseConfig } from "../../lib/config/validate";
import { rawConfigFrom, runtimeConfig } from "../../lib/config/load";
import { resourcesOfKind, runProgram, rendered, StackConfig } from "../support/harness";
import { isSystemNamespace } from "../../lib/config/operatorSettings";
import { crdDirectory, CrdIndex, loadCrds, markedFields, toJsonSchema } from "../support/crds";
import { hasShared, needsShared, SHARED_DIR } from "../support/shared";
import { gpuPool, offlineStack, REPO, SCENARIOS } from "../support/scenarios";
import { previewMatrix } from "../../scripts/stack-matrix";

/** Kinds the Kubernetes API itself serves; the provider's typed SDK checks their shape. */
const BUILT_IN = new Set([
    "v1/Namespace",
    "v1/ConfigMap",
    "v1/ServiceAccount",
    "batch/v1/Job",
    "apps/v1/DaemonSet",
    "rbac.authorization.k8s.io/v1/RoleBinding",
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
]);

describe("rendered objects against upstream CRD schemas", () => {
    let crds: CrdIndex;
    before(() => {
        if (hasShared()) crds = loadCrds();
    });

    for (const [what, config, aws] of SCENARIOS) {
        it(`validates every custom object of ${what} against its CRD`, async function () {
            needsShared(this);
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

    // An upstream description opening "Deprecated" marks a field the operator ignores or is dropping.
    const deprecated = (node: Record<string, unknown>) =>
        typeof node.description === "string" && /^\s*Deprecated\b/i.test(node.description);
    for (const [what, config, aws] of SCENARIOS) {
        it(`renders no field its CRD marks deprecated in ${what}`, async function () {
            needsShared(this);
            const run = await runProgram(config, aws);
            assert.ifError(run.error);
            const found = (rendered(run) as { apiVersion: string; kind: string; metadata: { name: string } }[]).flatMap((object) => {
                const schema = crds.schema(object.apiVersion, object.kind);
                return schema
                    ? markedFields(object, schema, deprecated).map((field) => `${object.kind} ${object.metadata.name}: ${field}`)
                    : [];
            });
            assert.deepStrictEqual(found, []);
        });
    }

    for (const [what, config, aws] of SCENARIOS) {
        it(`owns no namespace of the platform or an operator as a Namespace resource in ${what}, only patches its labels`, async () => {
            const run = await runProgram(config, aws);
            assert.ifError(run.error);
            const names = (kind: string) =>
                resourcesOfKind(run, kind).map((r) => (r.inputs as { metadata: { name: string } }).metadata.name);
            assert.deepStrictEqual(names("Namespace").filter(isSystemNamespace), []);
        });
    }

    it("rejects an unknown field and accepts one under x-kubernetes-preserve-unknown-fields", function () {
        needsShared(this);
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
        config: Record<string, { type: string; description: string; default?: unknown }>;
    };

    it("Pulumi.yaml and deploy/Pulumi.yaml validate against Pulumi's project schema", function () {
        needsShared(this);
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
            assert.deepStrictEqual(declared.default, PROJECT_DEFAULTS[key], `${key}: Pulumi.yaml's default is the program's`);
        }
    });

    it("Pulumi.yaml leaves only cluster without a default, so the CLI requires nothing else of a stack", () => {
        // The CLI requires every declared key without a default (pulumi pkg/workspace/config.go).
        const required = Object.entries(project.config).filter(([, declared]) => declared.default === undefined);
        assert.deepStrictEqual(
            required.map(([key]) => key),
            ["cluster"],
        );
        assert.deepStrictEqual(CONFIG_SCHEMA.required, ["cluster"]);
    });

    it("a stack setting a key to its project default gets what it gets without the key", () => {
        const base = offlineStack({}, [gpuPool("l4")]);
        const without = parseConfig(rawConfigFrom(runtimeConfig(base)));
        for (const [key, value] of Object.entries(PROJECT_DEFAULTS)) {
            const stack = { ...base };
            if (`cluster-capacity:${key}` in stack) continue;
            stack[`cluster-capacity:${key}`] = value;
            assert.deepStrictEqual(parseConfig(rawConfigFrom(runtimeConfig(stack))), without, key);
        }
    });

    for (const stack of fs.readdirSync(REPO).filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f))) {
        it(`${stack} passes the program's config validation`, () => {
            const config = (YAML.parse(fs.readFileSync(path.join(REPO, stack), "utf8")) as { config: StackConfig }).config;
            const all = runtimeConfig(config);
            assert.doesNotThrow(() => parseConfig(rawConfigFrom(all), { awsRegion: all["aws:region"] }));
        });
    }

    for (const { stack } of previewMatrix(REPO).include.filter((entry) => !entry.aws)) {
        it(`Pulumi.${stack}.yaml, an offline stack, renders without an AWS call or a cluster`, async () => {
            const config = (YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")) as { config: StackConfig }).config;
            const run = await runProgram(config);
            assert.ifError(run.error);
            assert.deepStrictEqual(run.invokes, []);
            assert.deepStrictEqual(run.reads, []);
            assert.ok(rendered(run).length > 0);
        });
    }
});
