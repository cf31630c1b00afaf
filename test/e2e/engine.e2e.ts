/**
 * The program as its users run it: `pulumi preview/up/destroy` by the real engine (the project's
 * build of the Pulumi CLI and the Kubernetes provider 4.25.0, scripts/engine.ts), with the policy
 * pack as an analyzer and its config, against the suite's kube-apiserver. The test plays OLM and
 * the cluster autoscaler: nothing else runs on the server. The tests run in order on one stack,
 * each starting from where the one before left it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as YAML from "yaml";
import type { StackConfig } from "../support/harness";
import { REPO } from "../support/scenarios";
import { ApiServer, buildTools, eventually, KUBERNETES_MINORS, startApiServer } from "./support/apiServer";
import { BOX_CONTROLLER_MANAGER, ClusterInABox, NOT_READY_SINCE_ANNOTATION, startClusterInABox } from "./support/clusterInABox";
import { MACHINES } from "./support/awsActuator";
import { machineSetManifest } from "../../components/machineSetManifest";
import { poolConfig } from "../support/pools";
import { VERSION_MATRIX } from "../../lib/versionMatrix";
import { NVIDIADRIVER_IMMUTABLE_FIELDS } from "../../components/gpuOperator";
import { enableMachineApiMigration, handBackToMachineApi, migrateToClusterApi, refusedSpecChange } from "./support/machineApiMigration";
import { CommandResult, EngineProject, kubeconfigFor, StateResource } from "./support/engine";
import { OlmPlayer } from "./support/olm";
import { deletionGuardManifests } from "../../policy/lib/deletionGuard";
import { apply, deleteAll, ensureNamespace, fieldsNotKept, installSharedCrds, KindIndex, ObjectLike } from "./support/objects";

const STACK = "prod";
const INFRA_ID = "e2e-4xk9q";
const ZONES = ["us-east-2a", "us-east-2b", "us-east-2c"];
const MACHINE_API = "/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machinesets";
const GPU_OPERATOR_SUBSCRIPTION = "/apis/operators.coreos.com/v1alpha1/namespaces/nvidia-gpu-operator/subscriptions/gpu-operator-certified";
/** Namespaces an OpenShift cluster has before this program runs. */
const OPENSHIFT_NAMESPACES = ["openshift-machine-api", "openshift-marketplace", "openshift-config", "openshift-monitoring"];

type Pool = Record<string, unknown>;

/** The Kubernetes minor whose run is a cluster in a box (test/e2e/support/clusterInABox.ts). */
const BOX_KUBERNETES = "1.35";

const POOLS: Pool[] = [
    {
        name: "l4",
        accelerator: "nvidia",
        instanceType: "g6.4xlarge",
        zones: ["us-east-2a", "us-east-2b"],
        autoscaling: { minReplicas: 0, maxReplicas: 2 },
    },
    { name: "l4-quad", accelerator: "nvidia", instanceType: "g6.12xlarge", zones: ["us-east-2a"], replicas: 1 },
    {
        name: "spot",
        accelerator: "nvidia",
        instanceType: "g6.xlarge",
        market: "spot",
        zones: ["us-east-2c"],
        autoscaling: { minReplicas: 0, maxReplicas: 2 },
    },
];

/** Where a test stack runs: the suite's API server, and the OpenShift release of its Kubernetes. */
interface Target {
    kubeconfig: string;
    openshiftVersion: string;
}

/** A connected OpenShift stack with offline lookups: everything is applied to the suite's API server. */
function stackConfig(target: Target, pools: Pool[] = POOLS, extra: StackConfig = {}): StackConfig {
    return {
        "cluster-capacity:cluster": { name: "e2e", infraId: INFRA_ID, openshiftVersion: target.openshiftVersion, region: "us-east-2" },
        "cluster-capacity:lookups": "offline",
        "cluster-capacity:kubernetes": { kubeconfig: target.kubeconfig },
        "cluster-capacity:network": {
            subnets: Object.fromEntries(ZONES.map((zone) => [zone, `${INFRA_ID}-subnet-private-${zone}`])),
            securityGroups: [`${INFRA_ID}-node`, `${INFRA_ID}-lb`],
        },
        "cluster-capacity:ami": { id: "ami-0a5e3b2c9d8f71e46" },
        "cluster-capacity:quotas": { "L-DB2E81BA": 128, "L-3819A6DF": 16 },
        "cluster-capacity:pools": pools,
        "cluster-capacity:gpuOperator": { enabled: true, version: "26.7.0", driverPerPool: true, driverVersion: "580.95.05" },
        "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "ml-team", create: true }] },
        "cluster-capacity:smokeTests": true,
        "cluster-capacity:operatorInstallTimeout": "3m",
        ...extra,
    };
}

const machineSetName = (pool: string, zone: string) => `${INFRA_ID}-${pool}-${zone}`;

/** cluster-capi-operator's sync controllers, impersonated with the rights they have on a cluster (RBAC aside, the guard decides). */
const CAPI_SYNC = {
    "Impersonate-User": "system:serviceaccount:openshift-cluster-api:capi-controllers",
    "Impersonate-Group": "system:masters",
};

/** The lists of `sent` that `kept` does not hold exactly, by path. */
function listsRewritten(sent: unknown, kept: unknown, at: string): string[] {
    if (Array.isArray(sent)) return isDeepStrictEqual(sent, kept) ? [] : [at];
    if (typeof sent !== "object" || sent === null) return [];
    return Object.entries(sent).flatMap(([key, value]) =>
        listsRewritten(value, (kept as Record<string, unknown> | undefined)?.[key], `${at}.${key}`),
    );
}

/** The end of what a command printed: the engine's diagnostics and summary are last. */
const tail = (result: CommandResult) => `exit ${result.code} after ${result.seconds} s\n${result.output.slice(-6000)}`;
const succeeded = (result: CommandResult) => assert.strictEqual(result.code, 0, tail(result));
const failed = (result: CommandResult) => assert.notStrictEqual(result.code, 0, tail(result));

/** The commands of a runbook section's shell blocks, one per line, `<pool>` replaced. */
function runbookCommands(heading: string, pool = "", state = ""): string[] {
    const runbook = fs.readFileSync(path.join(REPO, "docs", "runbook.md"), "utf8");
    const start = runbook.indexOf(`## ${heading}`);
    assert.ok(start >= 0, `docs/runbook.md has no section ${heading}`);
    const section = runbook.slice(start, runbook.indexOf("\n## ", start + 1));
    return [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
        .flatMap((m) => m[1].split("\n").map((line) => line.trim()))
        .filter((line) => line.length > 0)
        .map((line) => line.replaceAll("<pool>", pool).replaceAll("<state>", state));
}

/** The newest OpenShift release of the version matrix that runs a Kubernetes minor. */
function openshiftOf(kubernetes: string): string {
    const minors = Object.entries(VERSION_MATRIX).filter(([, row]) => row.kubernetes === kubernetes);
    assert.ok(minors.length > 0, `no OpenShift release of the version matrix runs Kubernetes ${kubernetes}`);
    return `4.${Math.max(...minors.map(([minor]) => Number(minor)))}`;
}

for (const kubernetes of KUBERNETES_MINORS)
    describe(`the program run by the Pulumi engine against a real API server (Kubernetes ${kubernetes}, OpenShift ${openshiftOf(kubernetes)})`, function () {
        // The first run builds the CLI, the provider, kube-apiserver and etcd from source.
        this.timeout(60 * 60_000);
        let server: ApiServer;
        let kinds: KindIndex;
        let project: EngineProject;
        let olm: OlmPlayer;
        let target: Target;
        /** The newest Kubernetes runs the cluster in a box: the real controllers act on what the program applies. */
        const inABox = kubernetes === BOX_KUBERNETES;
        let box: ClusterInABox | undefined;
        const pack = `--policy-pack policy --policy-pack-config policy-config/${STACK}.json`;

        before(async () => {
            const bins = buildTools();
            server = await startApiServer(kubernetes, bins, inABox ? BOX_CONTROLLER_MANAGER : undefined);
            kinds = await installSharedCrds(server);
            for (const namespace of OPENSHIFT_NAMESPACES) await ensureNamespace(server, namespace);
            if (inABox) {
                box = await startClusterInABox(server, kinds, bins, {
                    infraId: INFRA_ID,
                    region: "us-east-2",
                    zones: ZONES,
                    openshiftRelease: `${openshiftOf(kubernetes)}.0`,
                });
            }
            project = new EngineProject(STACK);
            target = { kubeconfig: path.join(project.dir, "kubeconfig"), openshiftVersion: openshiftOf(kubernetes) };
            fs.writeFileSync(target.kubeconfig, kubeconfigFor(server.url, server.caFile, server.token));
            project.writePolicyConfig(STACK, { "pool-within-quota": { quotas: { "L-DB2E81BA": 128, "L-3819A6DF": 16 } } });
            const init = await project.run(`pulumi stack init ${STACK} --non-interactive`);
            succeeded(init);
            project.writeStack(stackConfig(target));
            olm = new OlmPlayer(server);
        });
        after(() => {
            olm?.stop();
            box?.stop();
            server?.stop();
            project?.remove();
        });

        const get = (urlPath: string) => server.request("GET", urlPath);
        const machineSet = async (name: string) => (await get(`${MACHINE_API}/${name}`)).body;
        const stateResources = (): StateResource[] => project.state().deployment.resources ?? [];
        /**
         * As the cluster autoscaler's clusterapi provider scales a MachineSet: an update of its scale
         * subresource (kubernetes/autoscaler cluster-autoscaler/cloudprovider/clusterapi/clusterapi_unstructured.go, SetSize).
         */
        const scaleAsAutoscaler = async (name: string, replicas: number) => {
            const scale = (await get(`${MACHINE_API}/${name}/scale`)).body;
            const scaled = await server.request("PUT", `${MACHINE_API}/${name}/scale?fieldManager=cluster-autoscaler`, {
                ...scale,
                spec: { replicas },
            });
            assert.strictEqual(scaled.status, 200, JSON.stringify(scaled.body));
        };

        it("renders the dev stack as the README runs it, and the YAML `up` writes applies cleanly to the API server", async () => {
            const dev = new EngineProject("dev");
            let objects: ObjectLike[] = [];
            try {
                fs.copyFileSync(path.join(REPO, "Pulumi.dev.yaml"), path.join(dev.dir, "Pulumi.dev.yaml"));
                fs.copyFileSync(path.join(REPO, "policy-config", "dev.json"), path.join(dev.dir, "policy-config", "dev.json"));
                assert.strictEqual((await dev.run("pulumi stack select dev --create --non-interactive")).code, 0);
                const up = await dev.run(
                    "pulumi up -s dev --yes --non-interactive --policy-pack policy --policy-pack-config policy-config/dev.json",
                );
                succeeded(up);
                const files = fs
                    .readdirSync(path.join(dev.dir, "rendered", "dev"), { recursive: true, withFileTypes: true })
                    .filter((f) => f.isFile());
                objects = files.flatMap((f) =>
                    YAML.parseAllDocuments(fs.readFileSync(path.join(f.parentPath, f.name), "utf8")).map((d) => d.toJSON() as ObjectLike),
                );
                assert.ok(objects.some((o) => o.kind === "MachineSet"));
                const problems: string[] = [];
                for (const object of objects.sort((a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"))) {
                    if (kinds.namespaced(object)) await ensureNamespace(server, object.metadata.namespace ?? "default");
                    const answer = await apply(server, kinds, object, "e2e-dev-yaml");
                    if (answer.status >= 300)
                        problems.push(`${object.kind} ${object.metadata.name}: ${answer.status} ${answer.body?.message}`);
                }
                assert.deepStrictEqual(problems, []);
            } finally {
                // The prod stack below owns objects of the same names (ClusterPolicy, ClusterQueue...).
                await deleteAll(server, kinds, objects);
                dev.remove();
            }
        });

        it("previews the stack with the policy pack: every resource to create, every policy passed", async () => {
            const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
            succeeded(preview);
            assert.match(preview.stdout, /\+ \d+ to create/);
            assert.match(preview.stdout, /cluster-capacity-guardrails/);
            assert.doesNotMatch(preview.output, /mandatory policy violation|advisory policy violation/i);
            assert.strictEqual(
                (await get(`${MACHINE_API}/${machineSetName("l4", "us-east-2a")}`)).status,
                404,
                "a preview creates nothing",
            );
        });

        it("fails `up` at the operator install timeout, naming the Subscription, when OLM never installs the operator", async () => {
            project.writeStack(stackConfig(target, POOLS, { "cluster-capacity:operatorInstallTimeout": "20s" }));
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --skip-preview ${pack}`, 10 * 60_000);
            failed(up);
            assert.match(up.output, /gpu-operator-subscription/, tail(up));
            assert.match(up.output, /timed out|timeout/i, tail(up));
            // What does not wait for the operator is there; what needs its CRDs waits behind it.
            assert.strictEqual((await machineSet(machineSetName("l4", "us-east-2a"))).metadata.name, machineSetName("l4", "us-east-2a"));
            assert.strictEqual((await get("/apis/nvidia.com/v1/clusterpolicies/gpu-cluster-policy")).status, 404);
            assert.ok(up.seconds < 5 * 60, `the update took ${up.seconds} s`);
        });

        it("waits for OLM to install the pinned CSV, then applies what needs the operator; every object is read back", async () => {
            project.writeStack(stackConfig(target));
            olm.start({ pendingSeconds: 5 });
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`);
            succeeded(up);
            const installed = olm.installedAt(GPU_OPERATOR_SUBSCRIPTION);
            assert.ok(installed, "OLM was played for the GPU Operator's Subscription");
            const policy = (await get("/apis/nvidia.com/v1/clusterpolicies/gpu-cluster-policy")).body;
            assert.ok(
                new Date(policy.metadata.creationTimestamp).getTime() >= Math.floor(installed / 1000) * 1000,
                "ClusterPolicy before the CSV",
            );

            // Every Kubernetes object in the state exists on the server with what Pulumi applied.
            const problems: string[] = [];
            for (const resource of stateResources().filter(
                (r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:pulumi"),
            )) {
                const object = resource.outputs as unknown as ObjectLike;
                if (!object?.kind) continue;
                const live = await get(kinds.path(object));
                if (live.status !== 200) problems.push(`${resource.urn}: ${live.status}`);
                else if (live.body.metadata.uid !== (object.metadata as { uid?: string }).uid)
                    problems.push(`${resource.urn}: another object`);
            }
            assert.deepStrictEqual(problems, []);
            const l4 = await machineSet(machineSetName("l4", "us-east-2b"));
            assert.strictEqual(l4.spec.template.spec.providerSpec.value.instanceType, "g6.4xlarge");
            assert.strictEqual(l4.spec.template.spec.providerSpec.value.metadataServiceOptions.authentication, "Required");
        });

        it("then has nothing to change: a second `up` and a `preview --refresh`", async () => {
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --expect-no-changes ${pack}`);
            succeeded(up);
            const preview = await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`);
            succeeded(preview);
        });

        // The cluster in a box: what the real OpenShift controllers make of what `up` applied.
        const machinesOf = async (machineSet: string): Promise<any[]> =>
            (await get(`${MACHINES}?labelSelector=${encodeURIComponent(`machine.openshift.io/cluster-api-machineset=${machineSet}`)}`)).body
                .items;
        /** The Node of a MachineSet's one Machine, once nodelink-controller has linked them and the Machine runs. */
        const nodeOf = (machineSet: string, what: string) =>
            eventually(what, 120_000, async () => {
                const machines = await machinesOf(machineSet);
                const machine = machines.find((m) => m.status?.nodeRef && m.status.phase === "Running" && !m.metadata.deletionTimestamp);
                if (machines.length !== 1 || !machine) return undefined;
                const node = await get(`/api/v1/nodes/${machine.status.nodeRef.name}`);
                // Ready, and the node lifecycle controller has lifted the not-ready taint the API server put on it.
                const ready = node.body.status?.conditions?.some(
                    (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
                );
                const untainted = !node.body.spec?.taints?.some((t: { key: string }) => t.key === "node.kubernetes.io/not-ready");
                return node.status === 200 && ready && untainted && node.body.metadata.annotations?.["machine.openshift.io/machine"]
                    ? { machine, node: node.body }
                    : undefined;
            });
        /** A test of the box's controllers: the other Kubernetes minor has none. */
        const boxIt = (title: string, test: () => Promise<void>) => inABox && it(title, test);

        boxIt("passes every MachineSet it applied through the real Machine API webhooks, which rewrite nothing it set", async () => {
            const problems: string[] = [];
            const machineSets = stateResources().filter((r) => r.type === "kubernetes:machine.openshift.io/v1beta1:MachineSet");
            assert.ok(machineSets.length >= 4, `${machineSets.length} MachineSets in the state`);
            for (const resource of machineSets) {
                const inputs = resource.inputs as unknown as ObjectLike;
                const live = await get(kinds.path(inputs));
                assert.strictEqual(live.status, 200, resource.urn);
                // What the webhooks defaulted or changed of the program's own fields (added fields are theirs)...
                problems.push(...fieldsNotKept(inputs.spec, live.body.spec).map((field) => `${inputs.metadata.name}: spec${field}`));
                // ...and every list exactly as sent: an apply replaces an atomic list whole, so what a webhook
                // added inside one (the defaulting's `kmsKey: {}`) would be removed by the next apply.
                problems.push(...listsRewritten(inputs.spec, live.body.spec, "spec").map((field) => `${inputs.metadata.name}: ${field}`));
            }
            assert.deepStrictEqual(problems, []);
        });

        boxIt(
            "gives the `replicas: 1` pool a Machine and a Node that carries the pool's labels, role and taints (nodelink-controller)",
            async () => {
                const name = machineSetName("l4-quad", "us-east-2a");
                const { machine, node } = await nodeOf(name, "l4-quad's Machine linked to its Node");
                assert.strictEqual(
                    node.metadata.annotations["machine.openshift.io/machine"],
                    `openshift-machine-api/${machine.metadata.name}`,
                );
                assert.strictEqual(node.spec.providerID, machine.spec.providerID);
                // As docs/what-it-renders.md says a workload finds the pool's nodes.
                const labels = node.metadata.labels;
                assert.strictEqual(labels["node-role.kubernetes.io/worker"], "", JSON.stringify(labels));
                assert.strictEqual(labels["node-role.kubernetes.io/worker-gpu"], "", JSON.stringify(labels));
                assert.strictEqual(labels["cluster-capacity.io/pool"], "l4-quad");
                assert.strictEqual(labels["cluster-api/accelerator"], "l4-quad");
                assert.deepStrictEqual(
                    node.spec.taints.map((t: { key: string; value?: string; effect: string }) => `${t.key}=${t.value}:${t.effect}`),
                    ["nvidia.com/gpu=true:NoSchedule"],
                );
                assert.strictEqual(node.status.capacity["nvidia.com/gpu"], "4");
                await eventually("the MachineSet controller to count the ready replica", 60_000, async () =>
                    (await machineSet(name)).status?.readyReplicas === 1 ? true : undefined,
                );
                // The installer's workers have Nodes of their own, without the pool's labels or taints.
                for (const worker of box!.workerMachineSets) {
                    const { node: workerNode } = await nodeOf(worker, `${worker}'s Node`);
                    assert.strictEqual(workerNode.metadata.labels?.["cluster-capacity.io/pool"], undefined);
                    assert.strictEqual(workerNode.spec.taints, undefined);
                }
            },
        );

        boxIt(
            "runs the pool's smoke test on that pool's Node, bound by kube-scheduler, to completion; `up` did not wait for it",
            async () => {
                const { node } = await nodeOf(machineSetName("l4-quad", "us-east-2a"), "l4-quad's Node");
                const jobs = "/apis/batch/v1/namespaces/cluster-capacity-smoke-tests/jobs";
                const pods = "/api/v1/namespaces/cluster-capacity-smoke-tests/pods";
                await eventually("smoke-l4-quad to complete", 120_000, async () => {
                    const job = (await get(`${jobs}/smoke-l4-quad`)).body;
                    return job.status?.succeeded === 1 ? true : undefined;
                });
                const pod = (await get(`${pods}?labelSelector=${encodeURIComponent("job-name=smoke-l4-quad")}`)).body.items[0];
                assert.strictEqual(pod.spec.nodeName, node.metadata.name);
                assert.strictEqual(pod.status.phase, "Succeeded");
                // The autoscaled pools have no node yet: their tests wait, unbound, for the autoscaler, as documented.
                const l4 = (await get(`${pods}?labelSelector=${encodeURIComponent("job-name=smoke-l4")}`)).body.items;
                assert.ok(l4.length === 1 && !l4[0].spec.nodeName, JSON.stringify(l4.map((p: any) => p.spec.nodeName)));
                const unschedulable = l4[0].status.conditions?.find((c: { type: string }) => c.type === "PodScheduled");
                assert.strictEqual(unschedulable?.reason, "Unschedulable", JSON.stringify(l4[0].status));
            },
        );

        boxIt(
            "has cluster-autoscaler-operator turn the ClusterAutoscaler into the autoscaler's arguments and each MachineAutoscaler into its MachineSet's min/max",
            async () => {
                const deployment = await eventually("the cluster-autoscaler-default Deployment", 120_000, async () => {
                    const answer = await get("/apis/apps/v1/namespaces/openshift-machine-api/deployments/cluster-autoscaler-default");
                    return answer.status === 200 ? answer.body : undefined;
                });
                const args: string[] = deployment.spec.template.spec.containers[0].args;
                const rendered = (await get("/apis/autoscaling.openshift.io/v1/clusterautoscalers/default")).body.spec;
                for (const gpu of rendered.resourceLimits.gpus)
                    assert.ok(args.includes(`--gpu-total=${gpu.type}:${gpu.min}:${gpu.max}`), args.join(" "));
                assert.ok(
                    args.includes(
                        `--expander=${rendered.expanders.map((e: string) => (e === "LeastWaste" ? "least-waste" : e.toLowerCase())).join(",")}`,
                    ),
                    args.join(" "),
                );
                assert.ok(args.includes(`--scale-down-enabled=${rendered.scaleDown.enabled}`), args.join(" "));
                assert.ok(args.includes(`--scale-down-delay-after-add=${rendered.scaleDown.delayAfterAdd}`), args.join(" "));
                assert.ok(args.includes(`--scale-down-unneeded-time=${rendered.scaleDown.unneededTime}`), args.join(" "));
                assert.ok(args.includes(`--max-node-provision-time=${rendered.maxNodeProvisionTime}`), args.join(" "));
                // The priority expander reads its ConfigMap in the autoscaler's namespace.
                assert.ok(args.includes("--namespace=openshift-machine-api"), args.join(" "));
                assert.strictEqual(
                    (await get("/api/v1/namespaces/openshift-machine-api/configmaps/cluster-autoscaler-priority-expander")).status,
                    200,
                );

                const autoscalers = stateResources().filter(
                    (r) => r.type === "kubernetes:autoscaling.openshift.io/v1beta1:MachineAutoscaler",
                );
                assert.ok(autoscalers.length >= 3);
                for (const resource of autoscalers) {
                    const spec = (resource.inputs as any).spec;
                    const target = spec.scaleTargetRef.name;
                    await eventually(`${target}'s min/max annotations`, 60_000, async () => {
                        const annotations = (await machineSet(target)).metadata.annotations ?? {};
                        return annotations["machine.openshift.io/cluster-api-autoscaler-node-group-min-size"] ===
                            String(spec.minReplicas) &&
                            annotations["machine.openshift.io/cluster-api-autoscaler-node-group-max-size"] === String(spec.maxReplicas) &&
                            annotations["autoscaling.openshift.io/machineautoscaler"] ===
                                `openshift-machine-api/${(resource.inputs as any).metadata.name}`
                            ? true
                            : undefined;
                    });
                    const status = (
                        await get(`/apis/autoscaling.openshift.io/v1beta1/namespaces/openshift-machine-api/machineautoscalers/${target}`)
                    ).body.status;
                    assert.deepStrictEqual(status?.lastTargetRef, {
                        apiVersion: "machine.openshift.io/v1beta1",
                        kind: "MachineSet",
                        name: target,
                    });
                }
                // Exactly those: no MachineSet without a MachineAutoscaler carries the annotations.
                for (const item of (await get(MACHINE_API)).body.items) {
                    const owned = item.metadata.annotations?.["autoscaling.openshift.io/machineautoscaler"];
                    assert.strictEqual(
                        Boolean(owned),
                        autoscalers.some((r) => (r.inputs as any).spec.scaleTargetRef.name === item.metadata.name),
                        item.metadata.name,
                    );
                }
                const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --expect-no-changes ${pack}`);
                succeeded(up);
                const preview = await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`);
                succeeded(preview);
            },
        );

        it("leaves an autoscaled MachineSet's replicas to the cluster autoscaler, through `up` and `preview --refresh`", async () => {
            const name = machineSetName("l4", "us-east-2a");
            if (inABox) {
                // The autoscaler scales within the bounds cluster-autoscaler-operator wrote on the MachineSet.
                const annotations = (await machineSet(name)).metadata.annotations;
                assert.strictEqual(annotations["machine.openshift.io/cluster-api-autoscaler-node-group-max-size"], "2");
            }
            await scaleAsAutoscaler(name, 2);
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --refresh ${pack}`);
            succeeded(up);
            assert.strictEqual((await machineSet(name)).spec.replicas, 2);
            const preview = await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`);
            succeeded(preview);
            assert.strictEqual((await machineSet(name)).spec.replicas, 2);
            if (inABox) {
                await eventually("two l4 Machines in us-east-2a, each with its Node", 120_000, async () => {
                    const machines = await machinesOf(name);
                    return machines.length === 2 && machines.every((m) => m.status?.phase === "Running") ? true : undefined;
                });
            }
        });

        boxIt(
            "replaces the machine of a Node NotReady past the health check's timeout (machine-healthcheck); a machine no health check selects is left alone",
            async () => {
                const name = machineSetName("l4-quad", "us-east-2a");
                assert.strictEqual(
                    (
                        await get(
                            `/apis/machine.openshift.io/v1beta1/namespaces/openshift-machine-api/machinehealthchecks/${INFRA_ID}-l4-quad`,
                        )
                    ).status,
                    200,
                );
                const sick = await nodeOf(name, "l4-quad's Node");
                const worker = await nodeOf(box!.workerMachineSets[0], "an installer worker's Node");
                // Its kubelet stopped reporting 11 minutes ago (kwok's stage test/e2e/support/kwok/node-not-ready.yaml): past the 10 minutes.
                const since = new Date(Date.now() - 11 * 60_000).toISOString();
                for (const { node } of [sick, worker]) {
                    const patched = await server.request(
                        "PATCH",
                        `/api/v1/nodes/${node.metadata.name}`,
                        { metadata: { annotations: { [NOT_READY_SINCE_ANNOTATION]: since } } },
                        "application/merge-patch+json",
                    );
                    assert.strictEqual(patched.status, 200);
                }
                await eventually("the health check to delete l4-quad's Machine", 120_000, async () =>
                    (await get(`${MACHINES}/${sick.machine.metadata.name}`)).status === 404 ? true : undefined,
                );
                const replacement = await nodeOf(name, "the MachineSet's replacement Machine and its Node");
                assert.notStrictEqual(replacement.machine.metadata.name, sick.machine.metadata.name);
                assert.notStrictEqual(replacement.node.metadata.name, sick.node.metadata.name);
                assert.strictEqual((await get(`/api/v1/nodes/${sick.node.metadata.name}`)).status, 404);
                // The worker's Node is as NotReady, and its Machine stays.
                const workerNode = (await get(`/api/v1/nodes/${worker.node.metadata.name}`)).body;
                assert.strictEqual(workerNode.status.conditions.find((c: { type: string }) => c.type === "Ready").status, "False");
                assert.strictEqual((await get(`${MACHINES}/${worker.machine.metadata.name}`)).body.metadata.deletionTimestamp, undefined);
                const healed = await server.request(
                    "PATCH",
                    `/api/v1/nodes/${worker.node.metadata.name}`,
                    { metadata: { annotations: { [NOT_READY_SINCE_ANNOTATION]: null } } },
                    "application/merge-patch+json",
                );
                assert.strictEqual(healed.status, 200);
                const preview = await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`);
                succeeded(preview);
            },
        );

        boxIt("has the Machine API webhooks accept the spot options and the capacity-reservation fields the program renders", async () => {
            // The spot pool's MachineSet, as `up` applied it.
            const spot = await machineSet(machineSetName("spot", "us-east-2c"));
            assert.deepStrictEqual(spot.spec.template.spec.providerSpec.value.spotMarketOptions, {});
            // A reserved pool's MachineSets, from the function the pool component applies, on this cluster's network.
            const value = spot.spec.template.spec.providerSpec.value;
            const network = {
                subnet: value.subnet,
                securityGroups: value.securityGroups,
                iamInstanceProfile: value.iamInstanceProfile,
                userDataSecret: value.userDataSecret,
                credentialsSecret: value.credentialsSecret,
                tags: value.tags,
            };
            const reserved = (id: string, kind: "on-demand" | "capacity-block") =>
                machineSetManifest({
                    infraId: INFRA_ID,
                    region: "us-east-2",
                    pool: poolConfig({ name: "reserved", instanceType: "g6.12xlarge", capacityReservations: [id] }),
                    zone: "us-east-2a",
                    name: `${INFRA_ID}-reserved-us-east-2a-${id.slice(-8)}`,
                    replicas: 1,
                    amiId: value.ami.id,
                    role: "worker-gpu",
                    network,
                    reservation: { id, kind, instanceType: "g6.12xlarge", availabilityZone: "us-east-2a", instanceCount: 2 },
                });
            for (const [id, kind] of [
                ["cr-0123456789abcdef0", "on-demand"],
                ["cr-0fedcba9876543210", "capacity-block"],
            ] as const) {
                const manifest = reserved(id, kind);
                const answer = await server.request("POST", `${MACHINE_API}?dryRun=All`, manifest);
                assert.strictEqual(answer.status, 201, `${kind}: ${JSON.stringify(answer.body)}`);
                assert.deepStrictEqual(fieldsNotKept(manifest.spec, answer.body.spec), [], kind);
            }
            // The webhook was in the path: what it refuses (a reservation with spot options and no market type) is refused.
            const refused = reserved("cr-0123456789abcdef0", "on-demand") as any;
            refused.spec.template.spec.providerSpec.value.spotMarketOptions = {};
            const answer = await server.request("POST", `${MACHINE_API}?dryRun=All`, refused);
            assert.strictEqual(answer.status, 403, JSON.stringify(answer.body));
            assert.match(answer.body.message, /validation\.machineset\.machine\.openshift\.io/);
        });

        boxIt(
            "stops at `up`, not at `preview`, on a MachineSet the webhook refuses: the provider's dry run takes the 403 for a success",
            async () => {
                // The Machine API's AWS validation refuses a partition without a placement group
                // (machine-api-operator pkg/webhooks/machine_webhook.go, validateAWS); the program lets providerSpec through.
                const name = machineSetName("l4-quad", "us-east-2a");
                project.writeStack(
                    stackConfig(
                        target,
                        POOLS.map((p) => (p.name === "l4-quad" ? { ...p, providerSpec: { placementGroupPartition: 3 } } : p)),
                    ),
                );
                // pulumi-kubernetes Update(preview=true) → await.Update: an SSA PATCH with dryRun=All, whose 403 it
                // takes for "no permission to dry-run" and shows the inputs (provider/pkg/provider/provider.go).
                const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive --diff ${pack}`);
                succeeded(preview);
                assert.match(preview.stdout, /placementGroupPartition/);
                const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --skip-preview ${pack}`);
                failed(up);
                assert.match(up.output, /validation\.machineset\.machine\.openshift\.io/, tail(up));
                assert.match(up.output, /placementGroupPartition/, tail(up));
                assert.strictEqual((await machineSet(name)).spec.template.spec.providerSpec.value.placementGroupPartition, undefined);
                project.writeStack(stackConfig(target));
                succeeded(await project.run(`pulumi up -s ${STACK} --yes --non-interactive --refresh ${pack}`));
                succeeded(await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`));
            },
        );

        it("replaces an NVIDIADriver whose immutable field would change, delete first, and the preview says so", async () => {
            const drivers = stateResources().filter((r) => r.type.endsWith(":NVIDIADriver"));
            assert.ok(drivers.length > 0, "the stack has NVIDIADriver CRs (driverPerPool)");
            for (const driver of drivers) assert.deepStrictEqual(driver.replaceOnChanges, [...NVIDIADRIVER_IMMUTABLE_FIELDS], driver.urn);
            const path_ = "/apis/nvidia.com/v1alpha1/nvidiadrivers/default";
            const before = (await get(path_)).body;
            // The API server refuses the change in place (the CRD's `self == oldSelf`).
            const inPlace = await server.request(
                "PATCH",
                `${path_}?fieldManager=pulumi-kubernetes&dryRun=All`,
                { spec: { driverType: "vgpu" } },
                "application/merge-patch+json",
            );
            assert.strictEqual(inPlace.status, 422, JSON.stringify(inPlace.body));
            assert.match(inPlace.body.message, /driverType is an immutable field/);
            // As if an earlier run had applied driverType vgpu: the program's gpu is then a change of an immutable field.
            const state = project.state();
            const recorded = state.deployment.resources!.find(
                (r) => r.type.endsWith(":NVIDIADriver") && r.urn.endsWith("-driver-default"),
            )!;
            for (const props of [recorded.inputs, recorded.outputs] as { spec: { driverType: string } }[]) props.spec.driverType = "vgpu";
            await project.importState(state);
            const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive --diff ${pack}`);
            succeeded(preview);
            assert.match(preview.output, /\+-kubernetes:nvidia\.com\/v1alpha1:NVIDIADriver: \(replace\)\s+\[id=default\]/, tail(preview));
            assert.match(preview.output, /~ driverType: "vgpu" => "gpu"/, tail(preview));
            assert.match(preview.output, /\+-1 to replace/, tail(preview));
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`);
            succeeded(up);
            const after = (await get(path_)).body;
            assert.notStrictEqual(after.metadata.uid, before.metadata.uid, "a new CR");
            assert.strictEqual(after.spec.driverType, "gpu");
            succeeded(await project.run(`pulumi preview -s ${STACK} --non-interactive --expect-no-changes ${pack}`));
        });

        it("refuses a pool sized past the quota in the pack's config at preview, and changes nothing", async () => {
            const bigger = POOLS.map((p) => (p.name === "l4" ? { ...p, autoscaling: { minReplicas: 0, maxReplicas: 6 } } : p));
            // The stack's own cap is raised; the pack keeps the account's quota (policy-config).
            project.writeStack(stackConfig(target, bigger, { "cluster-capacity:quotas": { "L-DB2E81BA": 400, "L-3819A6DF": 16 } }));
            const before = stateResources().length;
            const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
            failed(preview);
            assert.match(preview.output, /pool-within-quota/, tail(preview));
            assert.match(preview.output, /L-DB2E81BA/, tail(preview));
            assert.strictEqual(stateResources().length, before);
            project.writeStack(stackConfig(target));
        });

        it("refuses a run that would delete a removed pool, at preview and up, with and without --ignore-protect; the MachineSet and the state stay", async () => {
            project.writeStack(
                stackConfig(
                    target,
                    POOLS.filter((p) => p.name !== "spot"),
                ),
            );
            const name = machineSetName("spot", "us-east-2c");
            const before = { state: JSON.stringify(stateResources()), live: await machineSet(name) };
            const refusal = new RegExp(
                `this run would delete 1 pool MachineSet\\(s\\) that are not retired and drained; no cluster object was registered\\.\\s+- MachineSet openshift-machine-api/${name} \\(pool spot\\): its pool is not retired`,
            );
            for (const command of [
                `pulumi preview -s ${STACK} --non-interactive ${pack}`,
                `pulumi preview -s ${STACK} --non-interactive --ignore-protect ${pack}`,
                `pulumi up -s ${STACK} --yes --non-interactive ${pack}`,
                `pulumi up -s ${STACK} --yes --non-interactive --ignore-protect ${pack}`,
            ]) {
                const result = await project.run(command);
                failed(result);
                assert.match(result.output, refusal, `${command}\n${tail(result)}`);
                assert.match(result.output, /docs\/runbook\.md#retire-a-pool/, tail(result));
            }
            assert.strictEqual((await machineSet(name)).metadata.resourceVersion, before.live.metadata.resourceVersion);
            assert.strictEqual(JSON.stringify(stateResources()), before.state, "the state is as it was");
            project.writeStack(stackConfig(target));
        });

        it("refuses an HTTP DELETE of a pool MachineSet (what `oc delete` sends) with the guard's message; other MachineSets are deleted as usual", async () => {
            const name = machineSetName("l4", "us-east-2a");
            const refused = await server.request("DELETE", `${MACHINE_API}/${name}`);
            assert.strictEqual(refused.status, 403, JSON.stringify(refused.body));
            assert.match(
                refused.body.message,
                new RegExp(
                    `ValidatingAdmissionPolicy 'cluster-capacity-pool-deletion-guard' with binding 'cluster-capacity-pool-deletion-guard' denied request: MachineSet ${name} of pool l4 is not retired: .*docs/runbook\\.md#retire-a-pool.*docs/runbook\\.md#break-glass-remove-the-deletion-guard`,
                ),
            );
            // `oc delete machinesets -l cluster-capacity.io/pool` deletes item by item: each is refused.
            const collection = await server.request("DELETE", `${MACHINE_API}?labelSelector=cluster-capacity.io/pool`);
            assert.strictEqual(collection.status, 403, JSON.stringify(collection.body));
            // The identity cluster-capi-operator syncs with is refused too while the Machine API owns the MachineSet.
            const asSync = await server.request("DELETE", `${MACHINE_API}/${name}?dryRun=All`, undefined, undefined, CAPI_SYNC);
            assert.strictEqual(asSync.status, 403, JSON.stringify(asSync.body));
            assert.match(asSync.body.message, /cluster-capacity-pool-deletion-guard.*is not retired/);
            assert.strictEqual((await machineSet(name)).metadata.name, name);
            const pools = stateResources().filter((r) => r.type.endsWith(":MachineSet")).length;
            assert.strictEqual(
                (await get(MACHINE_API)).body.items.filter(
                    (m: { metadata: { labels?: Record<string, string> } }) => m.metadata.labels?.["cluster-capacity.io/pool"],
                ).length,
                pools,
            );

            // An installer's worker MachineSet carries no pool label: the guard does not apply to it.
            const worker = {
                apiVersion: "machine.openshift.io/v1beta1",
                kind: "MachineSet",
                metadata: {
                    name: `${INFRA_ID}-worker-us-east-2a`,
                    namespace: "openshift-machine-api",
                    labels: { "machine.openshift.io/cluster-api-cluster": INFRA_ID },
                },
                spec: {
                    replicas: 0,
                    selector: { matchLabels: { "machine.openshift.io/cluster-api-machineset": `${INFRA_ID}-worker-us-east-2a` } },
                },
            };
            // The cluster in a box has the installer's own, with a machine: its MachineSet and its machine go.
            if (!inABox) assert.ok((await apply(server, kinds, worker, "openshift-installer")).status < 300);
            assert.strictEqual((await server.request("DELETE", `${MACHINE_API}/${worker.metadata.name}`)).status, 200);
        });

        it("retires a pool by the runbook, command by command: exactly its MachineSets go, nothing else", async () => {
            const commands = runbookCommands("Retire a pool", "spot");
            const others = async () =>
                (await get(MACHINE_API)).body.items.map((m: { metadata: { name: string } }) => m.metadata.name).sort();
            const everythingElse = (await others()).filter((n: string) => !n.includes("-spot-"));

            const name = machineSetName("spot", "us-east-2c");
            if (inABox) {
                // One spot machine running, as the cluster autoscaler would add it (within the operator's max of 2).
                await scaleAsAutoscaler(name, 1);
                await nodeOf(name, "the spot pool's Machine and Node");
            }

            // Step 1: retired: true, and the update that scales the pool to 0.
            project.writeStack(
                stackConfig(
                    target,
                    POOLS.map((p) => (p.name === "spot" ? { ...p, retired: true } : p)),
                ),
            );
            const retire = await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`);
            succeeded(retire);
            assert.strictEqual((await machineSet(name)).spec.replicas, 0);
            assert.strictEqual((await machineSet(name)).metadata.annotations["cluster-capacity.io/retired"], "true");
            if (inABox) await retireInTheBox(name);
            else await retireWithPlayedStatus(name);

            for (const command of commands) {
                // `oc get machines`, as the API answers it: in the box the pool has none left; elsewhere there is no Machine API.
                if (command.startsWith("oc get machines")) {
                    if (!inABox) continue;
                    const selector = command.slice(command.indexOf("-l ") + 3).replace("<name>", name);
                    const machines = (await get(`${MACHINES}?labelSelector=${encodeURIComponent(selector)}`)).body.items;
                    assert.deepStrictEqual(machines, [], command);
                    continue;
                }
                if (command.startsWith("pulumi up"))
                    project.writeStack(
                        stackConfig(
                            target,
                            POOLS.filter((p) => p.name !== "spot"),
                        ),
                    );
                const answer = await project.run(command);
                assert.strictEqual(answer.code, 0, `${command}\n${tail(answer)}`);
            }
            assert.strictEqual((await get(`${MACHINE_API}/${machineSetName("spot", "us-east-2c")}`)).status, 404);
            assert.deepStrictEqual(await others(), everythingElse);
            assert.deepStrictEqual(
                stateResources()
                    .filter((r) => /spot/.test(r.urn.slice(r.urn.lastIndexOf("::") + 2)))
                    .map((r) => r.urn),
                [],
            );
        });

        /**
         * The real MachineSet controller deletes the retired pool's machine, the actuator player terminates
         * it, and its status counts no machine (machine-api-operator pkg/controller/machineset/controller.go:
         * status.replicas counts the machines not being deleted, shouldExcludeMachine).
         */
        async function retireInTheBox(name: string): Promise<void> {
            await eventually("the retired pool's Machine deleted and its Node gone", 120_000, async () =>
                (await machinesOf(name)).length === 0 && (await machineSet(name)).status?.replicas === 0 ? true : undefined,
            );
            const nodes = (await get(`/api/v1/nodes?labelSelector=${encodeURIComponent("cluster-capacity.io/pool=spot")}`)).body.items;
            assert.deepStrictEqual(nodes, []);
        }

        /** Elsewhere no controller runs: the test reports the machines draining as the MachineSet controller would. */
        async function retireWithPlayedStatus(name: string): Promise<void> {
            // Its machines still draining, as the MachineSet controller reports them: neither the cluster nor the program lets it go.
            const machines = (replicas: number) =>
                server.request(
                    "PATCH",
                    `${MACHINE_API}/${name}/status?fieldManager=machineset-controller`,
                    { status: { replicas } },
                    "application/merge-patch+json",
                );
            assert.strictEqual((await machines(1)).status, 200);
            const draining = await server.request("DELETE", `${MACHINE_API}/${name}?dryRun=All`);
            assert.strictEqual(draining.status, 403, JSON.stringify(draining.body));
            assert.match(
                draining.body.message,
                /MachineSet .*-spot-us-east-2c of pool spot still has machines \(spec\.replicas 0, status\.replicas 1\)/,
            );
            project.writeStack(
                stackConfig(
                    target,
                    POOLS.filter((p) => p.name !== "spot"),
                ),
            );
            const early = await project.run(`pulumi preview -s ${STACK} --non-interactive --ignore-protect ${pack}`);
            failed(early);
            assert.match(early.output, /\(pool spot\): it still has machines \(spec\.replicas 0, status\.replicas 1\)/, tail(early));
            assert.strictEqual((await machines(0)).status, 200);
            project.writeStack(
                stackConfig(
                    target,
                    POOLS.map((p) => (p.name === "spot" ? { ...p, retired: true } : p)),
                ),
            );
        }

        it("removes one zone of a pool by the runbook, command by command: exactly that MachineSet and its autoscaler go", async () => {
            const pools = POOLS.filter((p) => p.name !== "spot");
            const name = machineSetName("l4", "us-east-2b");
            const commands = runbookCommands("Remove one MachineSet of a pool", "l4").map((c) =>
                c.replaceAll("<name>", name).replaceAll("<resource>", name.slice(INFRA_ID.length + 1)),
            );
            const oneZone = pools.map((p) => (p.name === "l4" ? { ...p, zones: ["us-east-2a"] } : p));
            // Removed before it is retired, it is refused, saying its pool is still in the stack file.
            project.writeStack(stackConfig(target, oneZone));
            const early = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
            failed(early);
            assert.match(
                early.output,
                new RegExp(`${name} \\(pool l4\\): its pool is not retired .*its pool is still in the stack file`),
                tail(early),
            );
            project.writeStack(stackConfig(target, pools));

            const autoscaler = `/apis/autoscaling.openshift.io/v1beta1/namespaces/openshift-machine-api/machineautoscalers/${name}`;
            // The oc lines as the API requests oc sends for them (no oc on this machine).
            const oc: Record<string, () => Promise<{ status: number; body: any }>> = {
                [`oc annotate machineset ${name} -n openshift-machine-api cluster-capacity.io/retired=true`]: () =>
                    server.request(
                        "PATCH",
                        `${MACHINE_API}/${name}?fieldManager=kubectl-annotate`,
                        { metadata: { annotations: { "cluster-capacity.io/retired": "true" } } },
                        "application/merge-patch+json",
                    ),
                [`oc delete machineautoscaler ${name} -n openshift-machine-api --ignore-not-found`]: () =>
                    server.request("DELETE", autoscaler),
                [`oc scale machineset ${name} -n openshift-machine-api --replicas=0`]: () =>
                    server.request(
                        "PATCH",
                        `${MACHINE_API}/${name}/scale?fieldManager=kubectl-scale`,
                        { spec: { replicas: 0 } },
                        "application/merge-patch+json",
                    ),
                [`oc get machineset ${name} -n openshift-machine-api -o jsonpath='{.status.replicas}'`]: () =>
                    get(`${MACHINE_API}/${name}`),
            };
            const others = async () =>
                (await get(MACHINE_API)).body.items
                    .map((m: { metadata: { name: string } }) => m.metadata.name)
                    .filter((n: string) => n !== name)
                    .sort();
            const before = await others();
            for (const command of commands) {
                if (command.startsWith("oc ")) {
                    assert.ok(oc[command], `the test plays no such oc command: ${command}`);
                    const answer = await oc[command]();
                    assert.ok(answer.status < 300, `${command}: ${answer.status} ${JSON.stringify(answer.body)}`);
                    continue;
                }
                if (command.startsWith("pulumi preview")) project.writeStack(stackConfig(target, oneZone));
                const answer = await project.run(command);
                assert.strictEqual(answer.code, 0, `${command}\n${tail(answer)}`);
            }
            assert.strictEqual((await get(`${MACHINE_API}/${name}`)).status, 404);
            assert.strictEqual((await get(autoscaler)).status, 404);
            assert.deepStrictEqual(await others(), before);
            assert.ok(
                !stateResources().some((r) => r.urn.endsWith(`::${name.slice(INFRA_ID.length + 1)}`)),
                "the MachineSet left the state",
            );
            // The zone back, as the rest of the suite expects it.
            project.writeStack(stackConfig(target, pools));
            succeeded(await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`));
        });

        it("refuses `destroy` while MachineSets are protected", async () => {
            const destroy = await project.run(`pulumi destroy -s ${STACK} --yes --non-interactive`);
            failed(destroy);
            assert.match(destroy.output, /protect/, tail(destroy));
            assert.strictEqual((await machineSet(machineSetName("l4", "us-east-2a"))).metadata.name, machineSetName("l4", "us-east-2a"));
        });

        it("stops before changing a MachineSet that Cluster API owns, names it and what to do, and leaves the admin's authoritativeAPI alone", async () => {
            const pools = POOLS.filter((p) => p.name !== "spot");
            const name = machineSetName("l4-quad", "us-east-2a");
            // cluster-capi-operator ships the admission policy from 4.22; before, the sync controller alone undoes such changes.
            const admissionPolicy = Number(target.openshiftVersion.split(".")[1]) >= 22;
            await enableMachineApiMigration(server, admissionPolicy);
            await migrateToClusterApi(server, name, INFRA_ID, admissionPolicy);
            // Its Cluster API MachineSet deleted, cluster-capi-operator's sync controller deletes the Machine API mirror
            // (machineset_sync_controller.go, reconcileCAPItoMAPIMachineSetDeletionNormal): the guard lets that identity through, no other.
            const deleteAs = (user?: string) =>
                server.request(
                    "DELETE",
                    `${MACHINE_API}/${name}?dryRun=All`,
                    undefined,
                    undefined,
                    user ? { "Impersonate-User": user, "Impersonate-Group": "system:masters" } : {},
                );
            assert.strictEqual((await deleteAs("system:serviceaccount:openshift-cluster-api:capi-controllers")).status, 200);
            const asAdmin = await deleteAs();
            assert.strictEqual(asAdmin.status, 403, JSON.stringify(asAdmin.body));
            assert.match(asAdmin.body.message, /cluster-capacity-pool-deletion-guard.*is not retired/);
            const probe = await refusedSpecChange(server, name);
            if (admissionPolicy) {
                // What the program prevents: the cluster refuses the change itself, halfway through an `up`.
                assert.strictEqual(probe.status, 422, JSON.stringify(probe.body));
                assert.match(probe.body.message, /machine-api-machine-set-vap.*You may only modify spec\.authoritativeAPI/);
                // The same values applied again, as Pulumi's field manager would, pass.
                const recorded = stateResources().find((r) => r.type.endsWith(":MachineSet") && r.urn.endsWith(`::l4-quad-us-east-2a`))!;
                const manager = (await machineSet(name)).metadata.managedFields.find((f: { manager: string }) =>
                    f.manager.startsWith("pulumi-kubernetes"),
                ).manager;
                // The provider's own bookkeeping keys (`__fieldManager`, …) are not the object's.
                const inputs = Object.fromEntries(Object.entries(recorded.inputs ?? {}).filter(([key]) => !key.startsWith("__")));
                const again = await server.request(
                    "PATCH",
                    `${MACHINE_API}/${name}?fieldManager=${manager}&dryRun=All`,
                    inputs,
                    "application/apply-patch+yaml",
                );
                assert.strictEqual(again.status, 200, JSON.stringify(again.body).slice(0, 600));
            } else {
                assert.strictEqual(probe.status, 200, "nothing on a 4.20 server refuses it");
            }

            const resized = pools.map((p) => (p.name === "l4-quad" ? { ...p, instanceType: "g6.16xlarge" } : p));
            project.writeStack(stackConfig(target, resized));
            const before = { state: JSON.stringify(project.state().deployment.resources), live: await machineSet(name) };
            const refusal = new RegExp(
                `MachineSet openshift-machine-api/${name} \\(pool l4-quad\\) is owned by Cluster API \\(status\\.authoritativeAPI: ClusterAPI\\), so this run's change of spec\\.template\\.spec\\.providerSpec\\.value\\.instanceType would not hold`,
            );
            const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
            failed(preview);
            assert.match(preview.output, refusal, tail(preview));
            const up = await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`);
            failed(up);
            assert.match(up.output, refusal, tail(up));
            assert.match(up.output, /no cluster object was registered/, tail(up));
            const after = await machineSet(name);
            assert.strictEqual(after.metadata.resourceVersion, before.live.metadata.resourceVersion, "the MachineSet was not touched");
            assert.strictEqual(after.spec.template.spec.providerSpec.value.instanceType, "g6.12xlarge");
            assert.strictEqual(JSON.stringify(project.state().deployment.resources), before.state, "the state is as it was");

            // Unchanged, the MachineSet passes: the run goes ahead, warns that it cannot convert, and keeps the admin's choice.
            project.writeStack(stackConfig(target, pools));
            const unchanged = await project.run(`pulumi up -s ${STACK} --yes --non-interactive --refresh ${pack}`);
            succeeded(unchanged);
            assert.match(
                unchanged.output,
                new RegExp(
                    `MachineSet ${name} \\(pool l4-quad\\) is to move to Cluster API .*cannot convert it as this stack renders it .*taints`,
                ),
                tail(unchanged),
            );
            assert.deepStrictEqual(
                [(await machineSet(name)).spec.authoritativeAPI, (await machineSet(name)).status.authoritativeAPI],
                ["ClusterAPI", "ClusterAPI"],
            );

            // Handed back to the Machine API, the change applies.
            await handBackToMachineApi(server, name);
            project.writeStack(stackConfig(target, resized));
            succeeded(await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`));
            assert.strictEqual((await machineSet(name)).spec.template.spec.providerSpec.value.instanceType, "g6.16xlarge");
            project.writeStack(stackConfig(target, pools));
            succeeded(await project.run(`pulumi up -s ${STACK} --yes --non-interactive ${pack}`));
        });

        it("refuses, in the pack, a stack whose pools lack the deletion guard (a cluster before OpenShift 4.17), unless its config says so", async () => {
            const old = stackConfig(
                target,
                POOLS.filter((p) => p.name !== "spot"),
                {
                    "cluster-capacity:cluster": { name: "e2e", infraId: INFRA_ID, openshiftVersion: "4.16", region: "us-east-2" },
                    "cluster-capacity:gpuOperator": { enabled: false },
                    "cluster-capacity:kueue": { enabled: false },
                    "cluster-capacity:smokeTests": false,
                },
            );
            project.writeStack(old);
            const preview = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
            failed(preview);
            assert.match(preview.output, /machineset-protected/, tail(preview));
            assert.match(preview.output, /without the deletion guard cluster-capacity-pool-deletion-guard/, tail(preview));
            assert.match(
                preview.output,
                /OpenShift 4\.16 serves no admissionregistration\.k8s\.io\/v1 ValidatingAdmissionPolicy/,
                tail(preview),
            );
            project.writePolicyConfig(STACK, {
                "pool-within-quota": { quotas: { "L-DB2E81BA": 128, "L-3819A6DF": 16 } },
                "machineset-protected": { requireDeletionGuard: false },
            });
            try {
                const waived = await project.run(`pulumi preview -s ${STACK} --non-interactive ${pack}`);
                succeeded(waived);
                assert.doesNotMatch(waived.output, /mandatory policy violation/i, tail(waived));
            } finally {
                project.writePolicyConfig(STACK, { "pool-within-quota": { quotas: { "L-DB2E81BA": 128, "L-3819A6DF": 16 } } });
                project.writeStack(
                    stackConfig(
                        target,
                        POOLS.filter((p) => p.name !== "spot"),
                    ),
                );
            }
        });

        it("finishes an `up` whose CLI was killed midway: no object lost, duplicated or left out of the state", async () => {
            const added = [
                ...POOLS.filter((p) => p.name !== "spot"),
                ...Array.from({ length: 12 }, (_, i) => ({
                    name: `batch-${i}`,
                    accelerator: "nvidia",
                    instanceType: "g6.4xlarge",
                    zones: ZONES,
                    replicas: 0,
                })),
            ];
            project.writeStack(stackConfig(target, added));
            const { child, done } = project.start(`pulumi up -s ${STACK} --yes --non-interactive --skip-preview ${pack}`);
            await eventually("the update to create some of the new MachineSets", 5 * 60_000, async () => {
                const names: string[] = (await get(MACHINE_API)).body.items.map((m: { metadata: { name: string } }) => m.metadata.name);
                return names.some((n) => n.includes("-batch-")) ? true : undefined;
            });
            EngineProject.killTree(child.pid!);
            await done;
            const atKill: string[] = (await get(MACHINE_API)).body.items.map((m: { metadata: { name: string } }) => m.metadata.name);
            // The file-backend repair first, then the resume itself, each as the runbook writes it.
            const resumed = runbookCommands("Resume an interrupted update", "", path.join(project.dir, "state"));
            assert.deepStrictEqual(
                resumed.map((c) => c.split(" ")[0]),
                ["pulumi", "pulumi", "pulumi", "find"],
            );
            for (const command of [...resumed.filter((c) => c.startsWith("find")), ...resumed.filter((c) => !c.startsWith("find"))]) {
                const answer = await project.run(command);
                assert.strictEqual(answer.code, 0, `${command}\n${tail(answer)}`);
            }
            // The pools' MachineSets (the box's installer workers are not the program's).
            const names: string[] = (await get(MACHINE_API)).body.items
                .filter((m: { metadata: { labels?: Record<string, string> } }) => m.metadata.labels?.["cluster-capacity.io/pool"])
                .map((m: { metadata: { name: string } }) => m.metadata.name);
            const expected = added.flatMap((p) => (p.zones as string[]).map((z) => machineSetName(p.name as string, z)));
            assert.ok(atKill.length < expected.length, `the update had created every MachineSet (${atKill.length}) before it was killed`);
            assert.deepStrictEqual(names.sort(), [...new Set(expected)].sort());
            const inState = stateResources().filter((r) => r.type.endsWith(":MachineSet"));
            assert.deepStrictEqual(
                inState.map((r) => (r.outputs as { metadata: { name: string } }).metadata.name).sort(),
                [...new Set(expected)].sort(),
            );
            assert.ok(
                inState.every((r) => r.protect),
                "every MachineSet is protected again",
            );
            assert.deepStrictEqual(
                (project.state().deployment.pending_operations ?? []).map((op) => `${op.type} ${op.resource.urn}`),
                [],
                "the resumed update leaves no pending operation",
            );
            const again = await project.run(`pulumi preview -s ${STACK} --refresh --non-interactive --expect-no-changes ${pack}`);
            succeeded(again);
        });

        it("keeps every pool MachineSet and the guard through `destroy --ignore-protect`: the cluster refuses, and the engine stops before the guard", async () => {
            const pools = stateResources()
                .filter((r) => r.type.endsWith(":MachineSet"))
                .map((r) => (r.outputs as { metadata: { name: string } }).metadata.name);
            assert.ok(pools.length > 3);
            const destroy = await project.run(`pulumi destroy -s ${STACK} --yes --non-interactive --ignore-protect`);
            failed(destroy);
            assert.match(
                destroy.output,
                /ValidatingAdmissionPolicy 'cluster-capacity-pool-deletion-guard' with binding 'cluster-capacity-pool-deletion-guard' denied request: MachineSet \S+ of pool \S+ is not retired/,
                tail(destroy),
            );
            for (const name of pools) assert.strictEqual((await get(`${MACHINE_API}/${name}`)).status, 200, `MachineSet ${name}`);
            const guard = deletionGuardManifests() as unknown as { policy: ObjectLike; binding: ObjectLike };
            assert.strictEqual((await get(kinds.path(guard.policy))).status, 200);
            assert.strictEqual((await get(kinds.path(guard.binding))).status, 200);
            assert.ok(
                stateResources().some((r) => r.type.endsWith(":ValidatingAdmissionPolicyBinding")),
                "the binding is still in the state",
            );

            // The runbook's break glass: the guard does not guard its own binding; once it is gone, a pool MachineSet can be deleted.
            const binding = await server.request("DELETE", kinds.path(guard.binding));
            assert.strictEqual(binding.status, 200, JSON.stringify(binding.body));
            await eventually("the API server to drop the binding from its policy cache", 30_000, async () =>
                (await server.request("DELETE", `${MACHINE_API}/${pools[0]}`)).status === 200 ? true : undefined,
            );
        });
    });
