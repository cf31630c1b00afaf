/**
 * A cluster in a box for the e2e suite (Kubernetes 1.35, OpenShift 4.22): beside the suite's
 * kube-apiserver and kube-controller-manager, the real controllers that act on what the program
 * renders, each built from a module pinned in tools/ (scripts/build-tools.sh), each on 127.0.0.1 with
 * every port set explicitly:
 *
 * - kube-scheduler (k8s.io/kubernetes v1.35.4) binds pods;
 * - kwok (sigs.k8s.io/kwok v0.8.0) plays every Node's kubelet with its upstream stages;
 * - the Machine API (openshift/machine-api-operator): the MachineSet controller and its admission
 *   webhooks (reached by URL with a CA the suite makes), nodelink-controller, machine-healthcheck;
 * - cluster-autoscaler-operator (openshift/cluster-autoscaler-operator) and its webhooks.
 *
 * With the OpenShift objects those read (Infrastructure, DNS, APIServer, FeatureGate, ClusterVersion,
 * the machine-api ClusterOperator) and the worker MachineSets the installer makes. Played, because
 * the module proxy does not serve them: the AWS machine actuator with AWS and the kubelet's
 * registration (./awsActuator.ts), and the cluster autoscaler (the tests scale a MachineSet as it does).
 */
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";
import { REPO } from "../../support/scenarios";
import { ApiServer, ControllerManagerOptions, freePort, start, waitFor } from "./apiServer";
import { MACHINE_API_NAMESPACE } from "../../../policy/lib/contract";
import { AwsActuatorPlayer, MACHINES } from "./awsActuator";
import { created, ensureNamespace, installCrds, KindIndex } from "./objects";

const MACHINE_SETS = `/apis/machine.openshift.io/v1beta1/namespaces/${MACHINE_API_NAMESPACE}/machinesets`;
/** CRDs of what the controllers read, byte-exact from openshift/api (test/fixtures/cluster-in-a-box/SOURCES.md). */
const BOX_CRD_DIR = path.join(REPO, "test", "fixtures", "cluster-in-a-box");
/** The kwok stage the suite adds to the upstream ones: a kubelet that stopped reporting (./kwok/node-not-ready.yaml). */
const NOT_READY_STAGE = path.join(__dirname, "kwok", "node-not-ready.yaml");
/** The annotation that makes kwok play a kubelet that stopped reporting at the given time. */
export const NOT_READY_SINCE_ANNOTATION = "e2e.cluster-capacity.io/not-ready-since";
/** What the installer's worker MachineSets launch. */
export const WORKER_INSTANCE_TYPE = "m6i.xlarge";

export interface ClusterInABoxOptions {
    infraId: string;
    region: string;
    /** One installer worker MachineSet per zone, one replica each. */
    zones: readonly string[];
    /** The OpenShift release the config objects report, e.g. `4.22.0`. */
    openshiftRelease: string;
}

export interface ClusterInABox {
    /** The installer's worker MachineSets, by name. */
    workerMachineSets: string[];
    actuator: AwsActuatorPlayer;
    /** The log files of the controllers, for assertion messages. */
    logs: Record<string, string>;
    stop(): void;
}

/** A CA and a serving certificate for 127.0.0.1, made with openssl: what service-ca would inject. */
function webhookCertificates(dir: string): { certDir: string; caBundle: string } {
    const certDir = path.join(dir, "webhook-tls");
    fs.mkdirSync(certDir, { recursive: true });
    const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: certDir, stdio: ["ignore", "ignore", "pipe"] });
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=cluster-capacity-e2e-ca",
    );
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr", "-subj", "/CN=127.0.0.1");
    fs.writeFileSync(path.join(certDir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl(
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tls.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    );
    return { certDir, caBundle: fs.readFileSync(path.join(certDir, "ca.crt")).toString("base64") };
}

/** The kwok module's own stages: a Node initialized and kept Ready by heartbeats, pods run and Job pods completed. */
function kwokStages(): string[] {
    const dir = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/kwok"], {
        cwd: path.join(REPO, "tools", "kwok"),
        encoding: "utf8",
    }).trim();
    const stage = path.join(dir, "kustomize", "stage");
    return [
        path.join(stage, "node", "fast", "node-initialize.yaml"),
        path.join(stage, "node", "heartbeat", "node-heartbeat.yaml"),
        path.join(stage, "pod", "fast", "pod-ready.yaml"),
        path.join(stage, "pod", "fast", "pod-complete.yaml"),
        path.join(stage, "pod", "fast", "pod-delete.yaml"),
    ];
}

async function statusOf(server: ApiServer, urlPath: string, status: unknown): Promise<void> {
    const answer = await server.request("PATCH", `${urlPath}/status`, { status }, "application/merge-patch+json");
    if (answer.status !== 200) throw new Error(`PATCH ${urlPath}/status: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/**
 * The cluster-scoped config objects of an OpenShift cluster on AWS that the controllers read:
 * - Infrastructure and DNS `cluster`: machine-api-operator's webhooks read both at start and exit
 *   without them (pkg/webhooks/machine_webhook.go getInfra, getDNS); platformStatus gives the
 *   AWS defaulting its region and the Machines their cluster label.
 * - APIServer `cluster` (its TLS profile), FeatureGate `cluster` for the release, ClusterVersion and
 *   the machine-api ClusterOperator: cluster-autoscaler-operator refuses to start, or reports itself
 *   degraded, without them (pkg/operator/operator.go, status.go).
 */
async function openshiftConfig(server: ApiServer, options: ClusterInABoxOptions): Promise<void> {
    const config = "/apis/config.openshift.io/v1";
    await created(server, `${config}/infrastructures`, {
        apiVersion: "config.openshift.io/v1",
        kind: "Infrastructure",
        metadata: { name: "cluster" },
        spec: { platformSpec: { type: "AWS" } },
    });
    await statusOf(server, `${config}/infrastructures/cluster`, {
        infrastructureName: options.infraId,
        platform: "AWS",
        platformStatus: { type: "AWS", aws: { region: options.region } },
        controlPlaneTopology: "HighlyAvailable",
        infrastructureTopology: "HighlyAvailable",
        apiServerURL: "https://api.e2e.example.com:6443",
        apiServerInternalURI: "https://api-int.e2e.example.com:6443",
        etcdDiscoveryDomain: "",
    });
    await created(server, `${config}/dnses`, {
        apiVersion: "config.openshift.io/v1",
        kind: "DNS",
        metadata: { name: "cluster" },
        spec: { baseDomain: "e2e.example.com" },
    });
    await created(server, `${config}/apiservers`, {
        apiVersion: "config.openshift.io/v1",
        kind: "APIServer",
        metadata: { name: "cluster" },
        spec: {},
    });
    await created(server, `${config}/featuregates`, {
        apiVersion: "config.openshift.io/v1",
        kind: "FeatureGate",
        metadata: { name: "cluster" },
        spec: {},
    });
    // The Default feature set: no gate the operator asks about is on (library-go reads this list).
    await statusOf(server, `${config}/featuregates/cluster`, {
        featureGates: [{ version: options.openshiftRelease, enabled: [], disabled: [] }],
    });
    await created(server, `${config}/clusterversions`, {
        apiVersion: "config.openshift.io/v1",
        kind: "ClusterVersion",
        metadata: { name: "version" },
        spec: { clusterID: "2f7b1c4e-0d4a-4c55-9b0e-6f1de7f3c001" },
    });
    const now = new Date().toISOString();
    await statusOf(server, `${config}/clusterversions/version`, {
        desired: {
            version: options.openshiftRelease,
            image: "quay.io/openshift-release-dev/ocp-release@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        },
        history: [
            {
                state: "Completed",
                version: options.openshiftRelease,
                image: "quay.io/openshift-release-dev/ocp-release",
                startedTime: now,
                completionTime: now,
                verified: false,
            },
        ],
        observedGeneration: 1,
        versionHash: "e2e",
        availableUpdates: [],
    });
    await created(server, `${config}/clusteroperators`, {
        apiVersion: "config.openshift.io/v1",
        kind: "ClusterOperator",
        metadata: { name: "machine-api" },
        spec: {},
    });
    await statusOf(server, `${config}/clusteroperators/machine-api`, {
        conditions: [
            { type: "Available", status: "True", lastTransitionTime: now, reason: "AsExpected" },
            { type: "Progressing", status: "False", lastTransitionTime: now, reason: "AsExpected" },
            { type: "Degraded", status: "False", lastTransitionTime: now, reason: "AsExpected" },
        ],
        versions: [{ name: "operator", version: options.openshiftRelease }],
    });
}

/**
 * The Machine API's webhook configurations as machine-api-operator applies them
 * (pkg/webhooks/config.go NewMachineValidatingWebhookConfiguration and
 * NewMachineMutatingWebhookConfiguration: failurePolicy Ignore, sideEffects None), with a URL and
 * the suite's CA in place of the Service and service-ca's injection.
 */
function machineApiWebhooks(url: string, caBundle: string): { validating: unknown; mutating: unknown } {
    const hook = (name: string, resource: string, verb: "validate" | "mutate", operations: string[]) => ({
        name: `${name}.${resource.slice(0, -1)}.machine.openshift.io`,
        admissionReviewVersions: ["v1"],
        failurePolicy: "Ignore",
        sideEffects: "None",
        clientConfig: { url: `${url}/${verb}-machine-openshift-io-v1beta1-${resource.slice(0, -1)}`, caBundle },
        rules: [{ apiGroups: ["machine.openshift.io"], apiVersions: ["v1beta1"], resources: [resource], operations }],
    });
    return {
        validating: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingWebhookConfiguration",
            metadata: { name: "machine-api" },
            webhooks: [
                hook("validation", "machines", "validate", ["CREATE", "UPDATE"]),
                hook("validation", "machinesets", "validate", ["CREATE", "UPDATE"]),
            ],
        },
        mutating: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingWebhookConfiguration",
            metadata: { name: "machine-api" },
            webhooks: [hook("default", "machines", "mutate", ["CREATE"]), hook("default", "machinesets", "mutate", ["CREATE"])],
        },
    };
}

/**
 * A worker MachineSet as openshift-install writes it for AWS (its `pkg/asset/machines/aws`
 * machinesets): `<infraId>-worker-<zone>`, the worker role, an empty node metadata and no taints.
 */
function workerMachineSet(options: ClusterInABoxOptions, zone: string): Record<string, unknown> {
    const name = `${options.infraId}-worker-${zone}`;
    const selector = { "machine.openshift.io/cluster-api-cluster": options.infraId, "machine.openshift.io/cluster-api-machineset": name };
    return {
        apiVersion: "machine.openshift.io/v1beta1",
        kind: "MachineSet",
        metadata: { name, namespace: MACHINE_API_NAMESPACE, labels: { "machine.openshift.io/cluster-api-cluster": options.infraId } },
        spec: {
            replicas: 1,
            selector: { matchLabels: selector },
            template: {
                metadata: {
                    labels: {
                        ...selector,
                        "machine.openshift.io/cluster-api-machine-role": "worker",
                        "machine.openshift.io/cluster-api-machine-type": "worker",
                    },
                },
                spec: {
                    metadata: {},
                    providerSpec: {
                        value: {
                            apiVersion: "machine.openshift.io/v1beta1",
                            kind: "AWSMachineProviderConfig",
                            ami: { id: "ami-0a5e3b2c9d8f71e46" },
                            instanceType: WORKER_INSTANCE_TYPE,
                            placement: { availabilityZone: zone, region: options.region },
                            subnet: { filters: [{ name: "tag:Name", values: [`${options.infraId}-subnet-private-${zone}`] }] },
                            securityGroups: [
                                { filters: [{ name: "tag:Name", values: [`${options.infraId}-node`, `${options.infraId}-lb`] }] },
                            ],
                            iamInstanceProfile: { id: `${options.infraId}-worker-profile` },
                            userDataSecret: { name: "worker-user-data" },
                            credentialsSecret: { name: "aws-cloud-credentials" },
                            tags: [{ name: `kubernetes.io/cluster/${options.infraId}`, value: "owned" }],
                            deviceIndex: 0,
                            blockDevices: [{ ebs: { encrypted: true, volumeSize: 120, volumeType: "gp3" } }],
                        },
                    },
                },
            },
        },
    };
}

/** Starts the box's controllers on `server` (which must run the job controller) and the installer's workers. */
export async function startClusterInABox(
    server: ApiServer,
    kinds: KindIndex,
    bins: Record<string, string>,
    options: ClusterInABoxOptions,
): Promise<ClusterInABox> {
    const processes: ChildProcess[] = [];
    const logs: Record<string, string> = {};
    const run = (name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => {
        logs[name] = path.join(server.dir, `${name}.log`);
        const child = start(binary, args, logs[name], env);
        processes.push(child);
        return child;
    };
    let actuator: AwsActuatorPlayer | undefined;
    const stop = () => {
        actuator?.stop();
        for (const child of processes) child.kill("SIGKILL");
    };
    try {
        await installCrds(
            server,
            fs
                .readdirSync(BOX_CRD_DIR)
                .filter((f) => f.endsWith(".yaml"))
                .map((f) => path.join(BOX_CRD_DIR, f)),
            kinds,
        );
        for (const namespace of [MACHINE_API_NAMESPACE, "openshift-config", "openshift-config-managed"])
            await ensureNamespace(server, namespace);
        await openshiftConfig(server, options);
        // The Secrets the installer leaves for the workers' machines; the webhook warns when the credentials are missing.
        for (const name of ["aws-cloud-credentials", "worker-user-data"]) {
            await created(server, `/api/v1/namespaces/${MACHINE_API_NAMESPACE}/secrets`, {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name, namespace: MACHINE_API_NAMESPACE },
                stringData:
                    name === "worker-user-data"
                        ? { userData: "{}", disableTemplating: "true" }
                        : { aws_access_key_id: "e2e", aws_secret_access_key: "e2e" },
            });
        }
        const tls = webhookCertificates(server.dir);
        const kubeconfig = `--kubeconfig=${server.kubeconfig}`;

        // kube-scheduler: its own serving port, for /readyz.
        const schedulerPort = await freePort();
        const scheduler = run("kube-scheduler", path.join(bins["kube-scheduler-1.35"], "kube-scheduler"), [
            kubeconfig,
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            `--secure-port=${schedulerPort}`,
        ]);

        // kwok: every Node is its, with the module's stages and the suite's not-ready one.
        const kwokPort = await freePort();
        run("kwok", path.join(bins.kwok, "kwok"), [
            kubeconfig,
            "--manage-all-nodes=true",
            `--server-address=127.0.0.1:${kwokPort}`,
            "--node-lease-duration-seconds=0",
            ...[...kwokStages(), NOT_READY_STAGE].map((file) => `--config=${file}`),
        ]);

        // The Machine API: the MachineSet controller serves the webhooks; its ports, and the others', explicit.
        const mao = bins["machine-api-operator"];
        const [webhookPort, machineSetMetrics, machineSetHealth, healthCheckMetrics, healthCheckHealth] = [
            await freePort(),
            await freePort(),
            await freePort(),
            await freePort(),
            await freePort(),
        ];
        const machineSetController = run("machineset", path.join(mao, "machineset"), [
            kubeconfig,
            `--namespace=${MACHINE_API_NAMESPACE}`,
            "--leader-elect=false",
            `--metrics-bind-address=127.0.0.1:${machineSetMetrics}`,
            `--health-addr=127.0.0.1:${machineSetHealth}`,
            `--webhook-port=${webhookPort}`,
            `--webhook-cert-dir=${tls.certDir}`,
        ]);
        // nodelink-controller opens no port (its metrics are off upstream).
        run("nodelink-controller", path.join(mao, "nodelink-controller"), [
            kubeconfig,
            `--namespace=${MACHINE_API_NAMESPACE}`,
            "--leader-elect=false",
        ]);
        run("machine-healthcheck", path.join(mao, "machine-healthcheck"), [
            kubeconfig,
            `--namespace=${MACHINE_API_NAMESPACE}`,
            "--leader-elect=false",
            `--metrics-bind-address=127.0.0.1:${healthCheckMetrics}`,
            `--health-addr=127.0.0.1:${healthCheckHealth}`,
        ]);
        const webhooks = machineApiWebhooks(`https://127.0.0.1:${webhookPort}`, tls.caBundle);
        await created(server, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", webhooks.validating);
        await created(server, "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", webhooks.mutating);

        // cluster-autoscaler-operator: env as its install/07_deployment.yaml, leader election off, ports explicit.
        const [operatorWebhookPort, operatorMetrics] = [await freePort(), await freePort()];
        const operatorTls = path.join(server.dir, "cluster-autoscaler-operator-tls");
        fs.cpSync(tls.certDir, operatorTls, { recursive: true });
        const operator = run(
            "cluster-autoscaler-operator",
            path.join(bins["cluster-autoscaler-operator"], "cluster-autoscaler-operator"),
            [kubeconfig],
            {
                PATH: process.env.PATH,
                HOME: server.dir,
                WATCH_NAMESPACE: MACHINE_API_NAMESPACE,
                CLUSTER_AUTOSCALER_NAMESPACE: MACHINE_API_NAMESPACE,
                LEADER_ELECTION: "false",
                CLUSTER_AUTOSCALER_IMAGE: "quay.io/openshift/origin-cluster-autoscaler:4.22",
                RELEASE_VERSION: options.openshiftRelease,
                METRICS_PORT: String(operatorMetrics),
                WEBHOOKS_PORT: String(operatorWebhookPort),
                WEBHOOKS_CERT_DIR: operatorTls,
            },
        );

        await waitFor(
            "the Machine API webhooks to answer: a Machine without an AMI refused",
            120_000,
            async () => {
                if (machineSetController.exitCode !== null) throw new Error("machineset exited");
                const answer = await server.request("POST", `${MACHINES}?dryRun=All`, {
                    apiVersion: "machine.openshift.io/v1beta1",
                    kind: "Machine",
                    metadata: { generateName: "probe-", namespace: MACHINE_API_NAMESPACE },
                    spec: { providerSpec: { value: { apiVersion: "machine.openshift.io/v1beta1", kind: "AWSMachineProviderConfig" } } },
                });
                return answer.status === 400 || answer.status === 422 || answer.status === 403 ? true : undefined;
            },
            [logs.machineset],
        );
        // The operator makes its ValidatingWebhookConfiguration once, for a Service the box lacks
        // (pkg/operator/webhookconfig.go): point it at the operator, as service-ca and a Service would.
        await waitFor(
            "cluster-autoscaler-operator's webhook configuration",
            120_000,
            async () => {
                if (operator.exitCode !== null) throw new Error("cluster-autoscaler-operator exited");
                const path_ = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/autoscaling.openshift.io";
                const current = await server.request("GET", path_);
                if (current.status !== 200) return undefined;
                const hooks = current.body.webhooks.map((hook: { clientConfig: { service?: { path?: string } } }) => ({
                    ...hook,
                    clientConfig: {
                        url: `https://127.0.0.1:${operatorWebhookPort}${hook.clientConfig.service?.path ?? ""}`,
                        caBundle: tls.caBundle,
                    },
                }));
                const patched = await server.request("PATCH", path_, { webhooks: hooks }, "application/merge-patch+json");
                if (patched.status !== 200) throw new Error(`${patched.status} ${JSON.stringify(patched.body)}`);
                return true;
            },
            [logs["cluster-autoscaler-operator"]],
        );
        await waitFor(
            "kube-scheduler /readyz",
            120_000,
            async () => {
                if (scheduler.exitCode !== null) throw new Error("kube-scheduler exited");
                return (await insecureGet(`https://127.0.0.1:${schedulerPort}/readyz`)) === 200 ? true : undefined;
            },
            [logs["kube-scheduler"]],
        );

        actuator = new AwsActuatorPlayer(server, options.region, path.join(server.dir, "aws-actuator.log"));
        actuator.start();
        const workerMachineSets: string[] = [];
        for (const zone of options.zones) {
            const worker = workerMachineSet(options, zone);
            await created(server, MACHINE_SETS, worker);
            workerMachineSets.push((worker.metadata as { name: string }).name);
        }
        return { workerMachineSets, actuator, logs, stop };
    } catch (e) {
        stop();
        throw e;
    }
}

/** GET of a local serving port whose certificate the suite does not hold (kube-scheduler's, made in memory). */
function insecureGet(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
        https
            .get(url, { rejectUnauthorized: false }, (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
            })
            .on("error", reject);
    });
}

/**
 * The box's kube-controller-manager controllers beyond the suite's: Jobs make pods (the smoke tests),
 * in namespaces whose `default` ServiceAccount the serviceaccount controller makes (the API server's
 * ServiceAccount admission refuses a pod without it), and the node lifecycle controller lifts the
 * `node.kubernetes.io/not-ready` taint the API server puts on every new Node (admission plugin
 * TaintNodesByCondition) once kwok reports it Ready. Its grace period outlasts kwok's heartbeat
 * (every 20 to 45 s, kustomize/stage/node/heartbeat) on a loaded machine: a Node goes NotReady only
 * when a test says so.
 */
export const BOX_CONTROLLER_MANAGER: ControllerManagerOptions = {
    controllers: ["job-controller", "serviceaccount-controller", "node-lifecycle-controller"],
    flags: ["--node-monitor-grace-period=2m"],
};
