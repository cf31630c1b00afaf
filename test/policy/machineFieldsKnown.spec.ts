import * as assert from "assert";
import { needsShared } from "../support/shared";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { KNOWN_FIELDS } from "../../policy/policies/machineFieldsKnown";
import { crdDirectory } from "../support/crds";
import { REPO } from "../support/scenarios";
import { violationsOf } from "../support/policyHarness";
import { edited, machineAutoscaler, machineSet } from "../support/policyFixtures";
import { MACHINE_AUTOSCALER, MACHINE_SET } from "../../policy/lib/contract";

interface SchemaNode {
    properties?: Record<string, SchemaNode>;
}

function crdSpecSchema(file: string): SchemaNode {
    const crd = YAML.parse(fs.readFileSync(path.isAbsolute(file) ? file : path.join(crdDirectory(), file), "utf8")) as {
        spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
    };
    return crd.spec.versions[0].schema.openAPIV3Schema.properties?.spec as SchemaNode;
}

function keysAt(schema: SchemaNode, ...path: string[]): string[] {
    const node = path.reduce<SchemaNode | undefined>((n, key) => n?.properties?.[key], schema);
    return Object.keys(node?.properties ?? {}).sort();
}

describe("policy machine-fields-known", () => {
    it("passes the MachineSets and MachineAutoscalers the program renders", async () => {
        const resources = [machineSet({}, { replicas: 0 }), machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2)];
        assert.deepStrictEqual(await violationsOf("machine-fields-known", resources), []);
    });

    it("fails a capitalised InstanceType in the providerSpec, naming the field it meant", async () => {
        const ms = edited(machineSet(), (p) => (p.spec.template.spec.providerSpec.value.InstanceType = "p5.48xlarge"));
        const [message] = await violationsOf("machine-fields-known", [ms]);
        assert.match(
            message,
            /spec\.template\.spec\.providerSpec\.value\.InstanceType is not a field of the API \(field names are case-sensitive: did you mean instanceType\?\)/,
        );
    });

    it("fails a MaxReplicas on a MachineAutoscaler, which the server would drop", async () => {
        const autoscaler = edited(machineAutoscaler("test-abcde-l4-us-east-2a", 0, 2), (p) => (p.spec.MaxReplicas = 100));
        const [message] = await violationsOf("machine-fields-known", [machineSet(), autoscaler]);
        assert.match(message, /MachineAutoscaler .*: spec\.MaxReplicas is not a field of the API \(.*did you mean maxReplicas\?\)/);
    });

    it("fails an unknown MachineSet spec field without a case-insensitive match", async () => {
        const ms = edited(machineSet(), (p) => (p.spec.maxReplicas = 3));
        const [message] = await violationsOf("machine-fields-known", [ms]);
        assert.match(message, /spec\.maxReplicas is not a field of the API; the server drops it/);
    });

    it("passes a refreshed MachineSet of a TechPreviewNoUpgrade cluster, which defaults authoritativeAPI", async () => {
        const ms = edited(machineSet(), (p) => {
            p.spec.authoritativeAPI = "MachineAPI";
            p.spec.template.spec.authoritativeAPI = "MachineAPI";
        });
        assert.deepStrictEqual(await violationsOf("machine-fields-known", [ms]), []);
    });

    it("knows exactly the spec fields of the upstream MachineSet CRDs of every feature set, and of the MachineAutoscaler CRD", function () {
        needsShared(this);
        const featureSets = [
            crdSpecSchema("machine.openshift.io_machinesets.yaml"),
            crdSpecSchema(
                path.join(REPO, "test", "fixtures", "machine-api-migration", "machine.openshift.io_machinesets-TechPreviewNoUpgrade.yaml"),
            ),
        ];
        const union = (...at: string[]) => [...new Set(featureSets.flatMap((schema) => keysAt(schema, ...at)))].sort();
        assert.deepStrictEqual([...KNOWN_FIELDS[MACHINE_SET].spec].sort(), union());
        assert.deepStrictEqual([...KNOWN_FIELDS[MACHINE_SET]["spec.template.spec"]].sort(), union("template", "spec"));
        const autoscalerSpec = crdSpecSchema("autoscaling.openshift.io_machineautoscalers.yaml");
        assert.deepStrictEqual([...KNOWN_FIELDS[MACHINE_AUTOSCALER].spec].sort(), keysAt(autoscalerSpec));
        assert.deepStrictEqual(
            [...KNOWN_FIELDS[MACHINE_AUTOSCALER]["spec.scaleTargetRef"]].sort(),
            keysAt(autoscalerSpec, "scaleTargetRef"),
        );
    });
});
