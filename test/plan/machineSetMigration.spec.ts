import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { rendered, runProgram, StackConfig } from "../support/harness";
import { connectedStack, offlineStack, SCENARIOS } from "../support/scenarios";
import { fakeCluster } from "../support/cluster";
import {
    capiConversionBlockers,
    changesToMigratedMachineSets,
    describeMigratedChange,
    fieldsChanged,
    type DesiredMachineSet,
} from "../../lib/plan/machineSetMigration";
import { customObjectsClient, livePoolMachineSets } from "../../lib/lookups/poolMachineSets";
import type { KubernetesObject } from "../../policy/lib/contract";

type Json = Record<string, any>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The cluster's copy of a rendered MachineSet, owned by `authoritativeAPI` (also asked for in spec), with what the server adds. */
function live(machineSet: Json, authoritativeAPI?: string, edit: (spec: Json) => void = () => {}): Json {
    const spec = clone(machineSet.spec);
    if (authoritativeAPI) spec.authoritativeAPI = authoritativeAPI === "Migrating" ? "ClusterAPI" : authoritativeAPI;
    spec.template.spec.taints = spec.template.spec.taints.map((t: Json) => ({ ...t, timeAdded: "2026-12-01T00:00:00Z" }));
    spec.deletePolicy = "Random";
    edit(spec);
    return {
        metadata: { name: machineSet.metadata.name, labels: { ...machineSet.metadata.labels }, generation: 3 },
        spec,
        ...(authoritativeAPI && { status: { authoritativeAPI, replicas: 0 } }),
    };
}

async function renderedMachineSet(config: StackConfig): Promise<Json> {
    const run = await runProgram(config);
    assert.ifError(run.error);
    return rendered(run, "MachineSet")[0];
}

describe("the Machine API's move to Cluster API", () => {
    describe("a run against a cluster whose MachineSets Cluster API owns", () => {
        it("refuses to change a MachineSet whose status.authoritativeAPI is ClusterAPI, naming it and what to do, before registering anything", async () => {
            const machineSet = await renderedMachineSet(connectedStack());
            fakeCluster.machineSets = [
                live(machineSet, "ClusterAPI", (spec) => (spec.template.spec.providerSpec.value.instanceType = "g6.2xlarge")),
            ];
            const run = await runProgram(connectedStack());
            assert.ok(run.error, "the run should have been refused");
            assert.match(
                run.error.message,
                /this run would change 1 MachineSet\(s\) that the Machine API no longer owns; no cluster object was registered\.\n {2}- MachineSet openshift-machine-api\/test-abcde-l4-us-east-2a \(pool l4\) is owned by Cluster API \(status\.authoritativeAPI: ClusterAPI\), so this run's change of spec\.template\.spec\.providerSpec\.value\.instanceType would not hold /,
            );
            assert.match(
                run.error.message,
                /oc patch machineset\.machine\.openshift\.io test-abcde-l4-us-east-2a -n openshift-machine-api --type merge -p '\{"spec":\{"authoritativeAPI":"MachineAPI"\}\}'/,
            );
            assert.deepStrictEqual(
                run.resources.filter((r) => r.type.startsWith("kubernetes:")),
                [],
            );
        });

        it("asks to wait while a MachineSet is Migrating", async () => {
            const machineSet = await renderedMachineSet(connectedStack());
            fakeCluster.machineSets = [
                live(machineSet, "Migrating", (spec) => (spec.template.spec.providerSpec.value.instanceType = "g6.2xlarge")),
            ];
            const run = await runProgram(connectedStack());
            assert.match(
                run.error?.message ?? "",
                /is being migrated .*\(status\.authoritativeAPI: Migrating\) .*run again once its status\.authoritativeAPI is MachineAPI or ClusterAPI/,
            );
        });

        it("goes ahead when it would leave such a MachineSet as the cluster has it, and says why one asked to move could not convert", async () => {
            const machineSet = await renderedMachineSet(connectedStack());
            fakeCluster.machineSets = [live(machineSet, "ClusterAPI")];
            const run = await runProgram(connectedStack());
            assert.ifError(run.error);
            assert.ok(
                run.warnings.some((w) =>
                    /MachineSet test-abcde-l4-us-east-2a \(pool l4\) is to move to Cluster API \(spec\.authoritativeAPI: ClusterAPI\), but cluster-capi-operator cannot convert it as this stack renders it .*spec\.template\.spec\.taints: not supported by the conversion yet/.test(
                        w,
                    ),
                ),
                run.warnings.join("\n"),
            );
        });

        it("changes a MachineSet the Machine API owns as usual, and says nothing of conversion where no admin asked for a move", async () => {
            const machineSet = await renderedMachineSet(connectedStack());
            fakeCluster.machineSets = [
                live(machineSet, "MachineAPI", (spec) => (spec.template.spec.providerSpec.value.instanceType = "g6.2xlarge")),
            ];
            assert.ifError((await runProgram(connectedStack())).error);
            fakeCluster.machineSets = [
                live(machineSet, undefined, (spec) => (spec.template.spec.providerSpec.value.instanceType = "g6.2xlarge")),
            ];
            const defaultFeatureSet = await runProgram(connectedStack());
            assert.ifError(defaultFeatureSet.error);
            assert.deepStrictEqual(
                defaultFeatureSet.warnings.filter((w) => /Cluster API/.test(w)),
                [],
            );
        });

        it("lists only this stack's MachineSets, by the pool label, and none when it renders YAML", async () => {
            await runProgram(connectedStack());
            assert.deepStrictEqual(fakeCluster.requests, [
                {
                    group: "machine.openshift.io",
                    version: "v1beta1",
                    namespace: "openshift-machine-api",
                    plural: "machinesets",
                    labelSelector: "cluster-capacity.io/pool",
                },
            ]);
            fakeCluster.requests = [];
            assert.ifError((await runProgram(offlineStack())).error);
            assert.deepStrictEqual(fakeCluster.requests, []);
        });

        it("stops with what the API server said when it cannot list the MachineSets", async () => {
            fakeCluster.failure = Object.assign(new Error("HTTP-Code: 403"), {
                code: 403,
                body: JSON.stringify({
                    kind: "Status",
                    message: 'machinesets.machine.openshift.io is forbidden: User "ci" cannot list resource "machinesets"',
                }),
            });
            const run = await runProgram(connectedStack());
            assert.match(
                run.error?.message ?? "",
                /listing the MachineSets in openshift-machine-api failed, so the run cannot tell which of this stack's pools the cluster has and who owns them \(the identity that runs Pulumi needs list on machinesets\.machine\.openshift\.io there\); no cluster object was registered: HTTP 403: machinesets\.machine\.openshift\.io is forbidden: User "ci" cannot list/,
            );
        });
    });

    describe("which changes the admission policy would refuse (changesToMigratedMachineSets)", () => {
        const desired = (spec: Json, ignoreChanges: string[] = []): DesiredMachineSet => ({
            pool: "l4",
            manifest: {
                apiVersion: "machine.openshift.io/v1beta1",
                kind: "MachineSet",
                metadata: { name: "ms", labels: { "machine.openshift.io/cluster-api-cluster": "c" } },
                spec,
            },
            ignoreChanges,
        });
        const owned = (
            spec: Json,
            labels: Record<string, string> = { "machine.openshift.io/cluster-api-cluster": "c" },
            ownedByPulumi: string[][] = [],
        ) => ({
            name: "ms",
            labels,
            annotations: {},
            spec,
            replicas: 1,
            statusReplicas: 1,
            ownedByPulumi,
            authoritativeAPI: "ClusterAPI",
        });

        it("counts a field Pulumi applied before and no longer renders as a change: server-side apply removes it", () => {
            const before = {
                replicas: 1,
                template: { spec: { providerSpec: { value: { placementGroupName: "pg", instanceType: "g6.xlarge" } } } },
            };
            const placement = ["spec", "template", "spec", "providerSpec", "value", "placementGroupName"];
            const [change] = changesToMigratedMachineSets(
                [desired({ replicas: 1, template: { spec: { providerSpec: { value: { instanceType: "g6.xlarge" } } } } })],
                [owned(before, undefined, [placement, ["spec", "replicas"]])],
            );
            assert.deepStrictEqual(change.fields, ["spec.template.spec.providerSpec.value.placementGroupName"]);
        });

        it("counts no removal of a field another owner sets (ignoreChanges) or outside what the policy locks", () => {
            assert.deepStrictEqual(
                changesToMigratedMachineSets(
                    [desired({}, ["spec.replicas"])],
                    [
                        owned({ replicas: 3 }, undefined, [
                            ["spec", "replicas"],
                            ["metadata", "annotations", "a"],
                        ]),
                    ],
                ),
                [],
            );
            const [change] = changesToMigratedMachineSets(
                [desired({})],
                [
                    owned({}, { "machine.openshift.io/cluster-api-cluster": "c", "machine.openshift.io/gone": "x" }, [
                        ["metadata", "labels", "machine.openshift.io/gone"],
                    ]),
                ],
            );
            assert.deepStrictEqual(change.fields, ["metadata.labels.machine.openshift.io/gone"]);
        });

        it("counts what the server added (defaults, timeAdded) as no change", () => {
            assert.deepStrictEqual(
                changesToMigratedMachineSets(
                    [desired({ replicas: 1, template: { spec: { taints: [{ key: "k", effect: "NoSchedule" }] } } })],
                    [
                        owned({
                            replicas: 1,
                            deletePolicy: "Random",
                            template: { spec: { taints: [{ key: "k", effect: "NoSchedule", timeAdded: "t" }] } },
                        }),
                    ],
                ),
                [],
            );
        });

        it("names every changed field, an added or removed list element included", () => {
            const [change] = changesToMigratedMachineSets(
                [desired({ replicas: 2, template: { spec: { taints: [] } } })],
                [owned({ replicas: 1, template: { spec: { taints: [{ key: "k", effect: "NoSchedule" }] } } })],
            );
            assert.deepStrictEqual(change.fields, ["spec.replicas", "spec.template.spec.taints"]);
        });

        it("leaves out what another owner sets (ignoreChanges), such as an autoscaler's replicas", () => {
            assert.deepStrictEqual(
                changesToMigratedMachineSets([desired({ replicas: 0 }, ["spec.replicas"])], [owned({ replicas: 4 })]),
                [],
            );
        });

        it("counts a guarded label (machine.openshift.io/*) as a change and others not", () => {
            const [change] = changesToMigratedMachineSets(
                [desired({})],
                [owned({}, { "machine.openshift.io/cluster-api-cluster": "other" })],
            );
            assert.deepStrictEqual(change.fields, ["metadata.labels.machine.openshift.io/cluster-api-cluster"]);
            assert.deepStrictEqual(
                changesToMigratedMachineSets([desired({})], [owned({}, { "machine.openshift.io/cluster-api-cluster": "c", team: "x" })]),
                [],
            );
        });

        it("shows three fields and counts the rest", () => {
            const message = describeMigratedChange({
                machineSet: "ms",
                pool: "l4",
                authoritativeAPI: "ClusterAPI",
                fields: ["a", "b", "c", "d", "e"],
            });
            assert.match(message, /change of a, b, c and 2 more /);
        });

        it("compares lists element by element and scalars by value (fieldsChanged)", () => {
            assert.deepStrictEqual(fieldsChanged({ a: [1, { b: 2 }] }, { a: [1, { b: 3, c: 4 }] }), ["a[1].b"]);
            assert.deepStrictEqual(fieldsChanged({ a: { b: 1 } }, { a: "x" }), ["a"]);
            assert.deepStrictEqual(fieldsChanged({ a: 1 }, {}), ["a"]);
        });
    });

    describe("whether a rendered MachineSet could migrate (capiConversionBlockers, cluster-capi-operator mapi2capi release-4.22)", () => {
        const base = (): KubernetesObject => ({
            apiVersion: "machine.openshift.io/v1beta1",
            kind: "MachineSet",
            metadata: { name: "ms" },
            spec: {
                template: {
                    metadata: { labels: {} },
                    spec: {
                        providerSpec: {
                            value: {
                                ami: { id: "ami-1" },
                                placement: { region: "us-east-2", availabilityZone: "us-east-2a" },
                                credentialsSecret: { name: "aws-cloud-credentials" },
                                deviceIndex: 0,
                                metadataServiceOptions: { authentication: "Required" },
                                blockDevices: [{ ebs: { volumeSize: 120 } }],
                            },
                        },
                    },
                },
            },
        });
        const withProviderSpec = (edit: (value: Json) => void): KubernetesObject => {
            const machineSet = base() as Json;
            edit(machineSet.spec.template.spec.providerSpec.value);
            return machineSet as KubernetesObject;
        };

        it("finds nothing in a providerSpec as this program renders it", () => {
            assert.deepStrictEqual(capiConversionBlockers(base(), "us-east-2"), []);
        });

        for (const [what, edit, blocker] of [
            [
                "an AMI by filters",
                (v: Json) => (v.ami = { filters: [{ name: "name", values: ["rhcos-*"] }] }),
                /ami: only an AMI id converts/,
            ],
            ["an AMI by arn", (v: Json) => (v.ami = { id: "ami-1", arn: "arn:aws:ec2:::image/ami-1" }), /ami: only an AMI id/],
            [
                "another credentials Secret",
                (v: Json) => (v.credentialsSecret = { name: "mine" }),
                /credentialsSecret: "mine" is not the default aws-cloud-credentials/,
            ],
            ["providerSpec metadata", (v: Json) => (v.metadata = { labels: { a: "b" } }), /metadata: not supported/],
            [
                "a network interface type other than ENA or EFA",
                (v: Json) => (v.networkInterfaceType = "SRIOV"),
                /networkInterfaceType: "SRIOV", not ENA or EFA/,
            ],
            [
                "another region",
                (v: Json) => (v.placement.region = "us-west-2"),
                /placement\.region: "us-west-2" is not the cluster's us-east-2/,
            ],
            ["a device index other than 0", (v: Json) => (v.deviceIndex = 1), /deviceIndex: 1, not 0/],
            [
                "load balancers",
                (v: Json) => (v.loadBalancers = [{ name: "lb", type: "network" }]),
                /loadBalancers: not supported on compute machines/,
            ],
            [
                "a block device by virtualName",
                (v: Json) => v.blockDevices.push({ virtualName: "ephemeral0" }),
                /blockDevices\[1\]: noDevice and virtualName/,
            ],
            [
                "a kept non-root volume",
                (v: Json) => v.blockDevices.push({ deviceName: "/dev/xvdb", ebs: { deleteOnTermination: false } }),
                /blockDevices\[1\]\.ebs\.deleteOnTermination/,
            ],
            ["a subnet by arn", (v: Json) => (v.subnet = { arn: "arn:aws:ec2:::subnet/s" }), /subnet\.arn: dropped by the conversion/],
            [
                "an instance profile by arn",
                (v: Json) => (v.iamInstanceProfile = { arn: "arn:aws:iam:::instance-profile/p" }),
                /iamInstanceProfile: only an id converts/,
            ],
            ["an unknown market type", (v: Json) => (v.marketType = "Reserved"), /marketType: "Reserved"/],
        ] as const) {
            it(`finds ${what}`, () => {
                const blockers = capiConversionBlockers(withProviderSpec(edit), "us-east-2");
                assert.ok(
                    blockers.some((b) => blocker.test(b)),
                    blockers.join("; "),
                );
            });
        }

        it("finds taints, which the conversion does not support yet (util.go)", () => {
            const machineSet = base() as Json;
            machineSet.spec.template.spec.taints = [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }];
            assert.deepStrictEqual(capiConversionBlockers(machineSet as KubernetesObject, "us-east-2"), [
                "spec.template.spec.taints: not supported by the conversion yet",
            ]);
        });

        for (const [what, config, aws] of SCENARIOS) {
            it(`renders providerSpecs the conversion accepts, and no authoritativeAPI, in ${what}`, async () => {
                const run = await runProgram(config, aws);
                assert.ifError(run.error);
                // The cluster's region, as the program resolves it: cluster.region, else aws:region.
                const region = ((config["cluster-capacity:cluster"] as { region?: string }).region ?? config["aws:region"]) as string;
                for (const machineSet of rendered(run, "MachineSet") as Json[]) {
                    const blockers = capiConversionBlockers(machineSet as KubernetesObject, region).filter(
                        (b) => !b.startsWith("spec.template.spec.taints"),
                    );
                    assert.deepStrictEqual(blockers, [], machineSet.metadata.name);
                    assert.strictEqual(machineSet.spec.authoritativeAPI, undefined);
                }
            });
        }
    });

    describe("the pool MachineSets as the cluster has them (livePoolMachineSets)", () => {
        it("reads name, labels, spec, the owner asked for and the owner, and the fields Pulumi's field manager applied", async () => {
            const fieldsV1 = {
                "f:metadata": { "f:labels": { ".": {}, "f:cluster-capacity.io/pool": {} } },
                "f:spec": {
                    "f:replicas": {},
                    "f:template": { "f:spec": { "f:taints": {}, "f:providerSpec": { "f:value": { "f:instanceType": {} } } } },
                },
            };
            const client = {
                listNamespacedCustomObject: () =>
                    Promise.resolve({
                        items: [
                            {
                                metadata: {
                                    name: "a",
                                    labels: { p: "1" },
                                    managedFields: [
                                        { manager: "pulumi-kubernetes-4f1c2a", operation: "Apply", fieldsV1 },
                                        {
                                            manager: "cluster-autoscaler",
                                            operation: "Update",
                                            fieldsV1: { "f:spec": { "f:replicas": {} } },
                                        },
                                    ],
                                },
                                spec: { replicas: 1, authoritativeAPI: "ClusterAPI" },
                                status: { authoritativeAPI: "ClusterAPI" },
                            },
                            { metadata: { name: "b" }, spec: {} },
                        ],
                    }),
            };
            assert.deepStrictEqual(await livePoolMachineSets(() => client), [
                {
                    name: "a",
                    labels: { p: "1" },
                    annotations: {},
                    spec: { replicas: 1, authoritativeAPI: "ClusterAPI" },
                    replicas: 1,
                    statusReplicas: 0,
                    ownedByPulumi: [
                        ["metadata", "labels", "cluster-capacity.io/pool"],
                        ["spec", "replicas"],
                        ["spec", "template", "spec", "taints"],
                        ["spec", "template", "spec", "providerSpec", "value", "instanceType"],
                    ],
                    requestedAPI: "ClusterAPI",
                    authoritativeAPI: "ClusterAPI",
                },
                { name: "b", labels: {}, annotations: {}, spec: {}, replicas: 1, statusReplicas: 0, ownedByPulumi: [] },
            ]);
        });

        it("stops the run with the reason when the client cannot even be configured", async () => {
            await assert.rejects(
                livePoolMachineSets(() => {
                    throw new Error("No active cluster!");
                }),
                /listing the MachineSets in openshift-machine-api failed.*: No active cluster!/,
            );
        });

        it("finds the cluster as the Kubernetes provider does: kubernetes.kubeconfig, else $KUBECONFIG, a path (~ expanded) or the contents, else the ambient config; then the context", () => {
            const home = fs.mkdtempSync(path.join(os.tmpdir(), "home-"));
            const saved = process.env.HOME;
            try {
                process.env.HOME = home;
                fs.writeFileSync(path.join(home, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
                customObjectsClient({ kubeconfig: __filename, context: "admin" }, {});
                customObjectsClient({ kubeconfig: "~/kubeconfig" }, {});
                customObjectsClient({ kubeconfig: "apiVersion: v1\nkind: Config\n" }, { KUBECONFIG: __filename });
                customObjectsClient({}, { KUBECONFIG: "~/kubeconfig" });
                customObjectsClient({}, {});
            } finally {
                process.env.HOME = saved;
                fs.rmSync(home, { recursive: true, force: true });
            }
            assert.deepStrictEqual(fakeCluster.loads, [
                { loader: "file", value: __filename, context: "admin" },
                { loader: "file", value: path.join(home, "kubeconfig") },
                { loader: "string", value: "apiVersion: v1\nkind: Config\n" },
                { loader: "file", value: path.join(home, "kubeconfig") },
                { loader: "default" },
            ]);
        });
    });
});
