/**
 * The operator settings' config rules called directly: the GPU Operator's, Kueue's (teams included)
 * and Neuron's, each taking the settings as written and as the resolvers default them, and returning
 * its problems with their key paths. test/config/validation.spec.ts checks the same rules through
 * parseConfig, with the messages users see.
 */
import * as assert from "assert";
import type { ClusterConfig, PoolConfig } from "../../lib/config/types";
import type { ConfigProblem } from "../../lib/errors";
import {
    checkKueue,
    checkOperatorSettings,
    checkTeams,
    driverPerPoolSupported,
    gpuDashboardOnOpenShift,
    gpuOperatorChannelSupported,
    gpuOperatorInstallFitsPlatform,
    gpuOperatorVersionSupported,
    gpuSharingNeedsOperator,
    hardwareProfilesLocalQueue,
    hardwareProfilesOnOpenShift,
    KUEUE_RULES,
    kueueHasPools,
    kueueOperatorChannelKnown,
    kueueOperatorOnOpenShift,
    migStrategyFitsPools,
    namespacesBesideTeams,
    namespacesListedOnce,
    neuronChannelInCatalog,
    neuronSchedulerFitsCluster,
    nfdReachesGpuNodes,
    OPERATOR_RULES,
    type OperatorSettings,
    poolDriversNeedDriverPerPool,
    priorityClassesUnique,
    provisioningClassNeedsProvisioning,
    provisioningServed,
    type RawGpuOperator,
    type RawKueue,
    type RawNeuron,
    resolveGpuOperator,
    resolveKueue,
    resolveMigStrategy,
    resolveNeuron,
    resolveOperatorChannels,
    TEAM_RULES,
    teamEntries,
    teamNameUnique,
    teamNamespacesOwnedOnce,
    teamPriorityClassesDefined,
    teamPriorityClassesEnforceable,
    teamShareOrNominal,
    teamSharesFit,
} from "../../lib/config/operatorSettings";
import { capacityConfig } from "../support/fakeAws";
import { gpuPool, offlineStack, PRIORITY_CLASSES, TEAMS } from "../support/scenarios";

const cluster = (minor = 18, extra: Partial<ClusterConfig> = {}): ClusterConfig => ({
    name: "test",
    infraId: "test-abcde",
    platform: "openshift",
    openshiftVersion: { major: 4, minor },
    region: "us-east-2",
    ...extra,
});
const kubernetes = () => cluster(18, { platform: "kubernetes", infraId: "" });

/** The pools of a valid offline stack: one NVIDIA g6.4xlarge pool `l4`, as the defaults leave it. */
const POOLS: readonly PoolConfig[] = capacityConfig(offlineStack()).pools;
const withPools = (...changes: Partial<PoolConfig>[]): PoolConfig[] =>
    changes.map((change, i) => ({ ...POOLS[0], name: `p${i}`, ...change }));

interface RawSettings {
    gpuOperator?: RawGpuOperator;
    kueue?: RawKueue;
    neuron?: RawNeuron;
}

/** The settings as written, resolved by the resolvers for the cluster (default: OpenShift 4.18) and pools (default: POOLS). */
function settings(raw: RawSettings = {}, on: { cluster?: ClusterConfig; pools?: readonly PoolConfig[] } = {}): OperatorSettings {
    const at = on.cluster ?? cluster();
    return {
        raw,
        cluster: at,
        pools: on.pools ?? POOLS,
        gpuOperator: resolveGpuOperator(raw.gpuOperator, at, "single"),
        kueue: resolveKueue(raw.kueue, at),
        neuron: resolveNeuron(raw.neuron, at),
        operators: resolveOperatorChannels(at),
    };
}

const kueueOn = (kueue: RawKueue, on?: { cluster?: ClusterConfig; pools?: readonly PoolConfig[] }) =>
    settings({ kueue: { enabled: true, ...kueue } }, on);
const pathsOf = (problems: readonly ConfigProblem[]) => problems.map((p) => p.path);
const SCHEDULER = "public.ecr.aws/eks-distro/kubernetes/kube-scheduler";

describe("operator settings: the rule lists", () => {
    it("lists each rule once in every list", () => {
        for (const rules of [OPERATOR_RULES, KUEUE_RULES, TEAM_RULES] as readonly (readonly unknown[])[]) {
            assert.strictEqual(new Set(rules).size, rules.length);
        }
    });

    it("aggregates the GPU Operator's, Kueue's, Neuron's and the pools' problems in the order of the rules", () => {
        const problems = checkOperatorSettings(
            settings(
                {
                    gpuOperator: { enabled: true, install: "helm", driverPerPool: true },
                    kueue: { enabled: true, operator: { enabled: true }, provisioningClass: "check-capacity.autoscaling.x-k8s.io" },
                    neuron: { enabled: true, operatorChannel: "stable" },
                },
                { cluster: cluster(19), pools: withPools({ driver: { version: "580.95.05" }, accelerator: "neuron" }) },
            ),
        );
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:gpuOperator.install",
            "cluster-capacity:kueue.provisioningClass",
            "cluster-capacity:neuron.operatorChannel",
            "cluster-capacity:pools[0].driver",
            "cluster-capacity:gpuOperator.driverPerPool",
            "cluster-capacity:gpuOperator.driverVersion",
        ]);
    });

    it("aggregates Kueue's problems in the order of its rules, the teams' among them", () => {
        const problems = checkKueue(
            kueueOn(
                {
                    operator: { enabled: true },
                    namespaces: [{ name: "ml" }, { name: "ml" }],
                    teams: [{ name: "a", namespaces: [{ name: "ml" }], share: 0.5 }],
                    provisioning: true,
                    hardwareProfiles: { enabled: true },
                },
                { cluster: kubernetes(), pools: [] },
            ),
        );
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:kueue.enabled",
            "cluster-capacity:kueue.operator.enabled",
            "cluster-capacity:kueue.namespaces",
            "cluster-capacity:kueue.teams[0].namespaces[0].name",
            "cluster-capacity:kueue.namespaces[1].name",
            "cluster-capacity:kueue.hardwareProfiles.enabled",
            "cluster-capacity:kueue.hardwareProfiles.localQueue",
        ]);
    });

    it("checks nothing of Kueue while it is off", () => {
        assert.deepStrictEqual(
            checkKueue(settings({ kueue: { operator: { enabled: true }, namespaces: [{ name: "a" }, { name: "a" }] } }, { pools: [] })),
            [],
        );
    });

    it("reports each team's problems together, team by team, between the namespaces' and the shares'", () => {
        const problems = checkTeams(
            kueueOn({
                namespaces: [{ name: "ml" }],
                teams: [
                    { name: "a", namespaces: [{ name: "x" }], share: 0.8, nominal: { l4: 1 } },
                    { name: "a", namespaces: [{ name: "ml" }], share: 0.8 },
                ],
            }),
        );
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:kueue.namespaces",
            "cluster-capacity:kueue.teams[0].share",
            "cluster-capacity:kueue.teams[1].name",
            "cluster-capacity:kueue.teams[1].namespaces[0].name",
            "cluster-capacity:kueue.teams",
        ]);
    });
});

describe("operator settings: MIG strategy", () => {
    const mig = (profile: string, devices?: Record<string, number>) => ({
        accelerator: "nvidia",
        mig: { profile, ...(devices && { devices }) },
    });
    const gpu = { accelerator: "nvidia" };

    it("keeps the configured strategy, default single, while no pool uses MIG", () => {
        assert.deepStrictEqual(
            [resolveMigStrategy([gpu], undefined), resolveMigStrategy([gpu], "none"), resolveMigStrategy([], "mixed")],
            ["single", "none", "mixed"],
        );
    });

    it("defaults to single when every GPU pool has the same layout of one device kind", () => {
        assert.strictEqual(resolveMigStrategy([mig("all-1g.10gb"), mig("all-1g.10gb"), { accelerator: "neuron" }], undefined), "single");
    });

    it("defaults to mixed when a GPU pool has no MIG, the layouts differ, or a layout has several kinds", () => {
        assert.deepStrictEqual(
            [
                resolveMigStrategy([mig("all-1g.10gb"), gpu], undefined),
                resolveMigStrategy([mig("all-1g.10gb"), mig("all-3g.40gb")], undefined),
                resolveMigStrategy([mig("all-balanced")], undefined),
            ],
            ["mixed", "mixed", "mixed"],
        );
    });

    it("turns strategy none into mixed when a pool uses MIG, and refuses it, naming the pools", () => {
        const pools = [
            { name: "a100", ...mig("all-1g.10gb") },
            { name: "l4", ...gpu },
        ];
        assert.strictEqual(resolveMigStrategy(pools, "none"), "mixed");
        const problems = migStrategyFitsPools(pools, "none");
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.value, p.expected]),
            [["cluster-capacity:gpuOperator.mig.strategy", "none", "single or mixed (or leave it out): pool(s) a100 use MIG"]],
        );
    });

    it("refuses under strategy single each MIG pool with several device kinds, at its profile", () => {
        const pools = [mig("all-1g.10gb"), mig("all-balanced"), mig("custom", { "3g.40gb": 1, "1g.10gb": 4 })];
        assert.deepStrictEqual(pathsOf(migStrategyFitsPools(pools, "single")), [
            "cluster-capacity:pools[1].mig.profile",
            "cluster-capacity:pools[2].mig.profile",
        ]);
        assert.deepStrictEqual([migStrategyFitsPools(pools, "mixed"), migStrategyFitsPools(pools, undefined)], [[], []]);
    });
});

describe("operator settings: the GPU Operator", () => {
    const gpuOperator = (raw: RawGpuOperator, at = cluster()) => settings({ gpuOperator: { enabled: true, ...raw } }, { cluster: at });

    it("takes the pinned release's line as channel, else the matrix's default line, else stable", () => {
        assert.deepStrictEqual(
            [
                resolveGpuOperator({ version: "25.3.1" }, cluster(), "single").channel,
                resolveGpuOperator({}, cluster(), "single").channel,
                resolveGpuOperator({}, cluster(30), "single").channel,
                resolveGpuOperator({}, kubernetes(), "single").channel,
            ],
            ["v25.3", "v26.7", "stable", "stable"],
        );
    });

    it("pins a pinned release against upgrades, with a Manual InstallPlan", () => {
        assert.deepStrictEqual(
            [
                resolveGpuOperator({ version: "26.7.0" }, cluster(), "single").installPlanApproval,
                resolveGpuOperator({}, cluster(), "single").installPlanApproval,
            ],
            ["Manual", "Automatic"],
        );
    });

    it("refuses a pinned release NVIDIA does not support on the cluster's OpenShift, naming the lines it does", () => {
        const [problem] = gpuOperatorVersionSupported(gpuOperator({ version: "24.9.2" }));
        assert.deepStrictEqual(
            [problem.path, problem.value, problem.expected],
            [
                "cluster-capacity:gpuOperator.version",
                "24.9.2",
                "a GPU Operator release NVIDIA supports on OpenShift 4.18 (release line 24.9 is not supported there): lines 25.3, 25.10, 26.3, 26.7",
            ],
        );
        assert.deepStrictEqual(gpuOperatorVersionSupported(gpuOperator({ version: "26.7.0" })), []);
    });

    it("refuses a release before the first supported one of its line", () => {
        assert.match(
            gpuOperatorVersionSupported(gpuOperator({ version: "25.3.1" }, cluster(19)))[0].expected,
            /25\.3 is supported there from 25\.3\.3 on/,
        );
    });

    it("asks outside the version matrix for a pinned release, which there is not checked", () => {
        assert.deepStrictEqual(pathsOf(gpuOperatorVersionSupported(gpuOperator({}, cluster(30)))), [
            "cluster-capacity:gpuOperator.version",
        ]);
        assert.deepStrictEqual(gpuOperatorVersionSupported(gpuOperator({ version: "1.0.0" }, cluster(30))), []);
    });

    it("checks no release of a disabled operator or of a Helm install", () => {
        assert.deepStrictEqual(gpuOperatorVersionSupported(settings({ gpuOperator: { version: "24.9.2" } })), []);
        assert.deepStrictEqual(gpuOperatorVersionSupported(gpuOperator({ install: "helm", version: "24.9.2" })), []);
    });

    it("installs the operator by OLM on OpenShift and by Helm elsewhere", () => {
        assert.deepStrictEqual(
            gpuOperatorInstallFitsPlatform(gpuOperator({ install: "helm" })).map((p) => p.expected),
            ["olm on OpenShift, where NVIDIA supports the certified operator"],
        );
        assert.deepStrictEqual(pathsOf(gpuOperatorInstallFitsPlatform(gpuOperator({ install: "olm" }, kubernetes()))), [
            "cluster-capacity:gpuOperator.install",
        ]);
        assert.deepStrictEqual(gpuOperatorInstallFitsPlatform(gpuOperator({}, kubernetes())), []);
        assert.deepStrictEqual(gpuOperatorInstallFitsPlatform(settings({ gpuOperator: { install: "helm" } })), []);
    });

    it("refuses the console dashboard on plain Kubernetes, enabled or not", () => {
        const dashboard = { monitoring: { dashboard: true } };
        assert.deepStrictEqual(pathsOf(gpuDashboardOnOpenShift(settings({ gpuOperator: dashboard }, { cluster: kubernetes() }))), [
            "cluster-capacity:gpuOperator.monitoring.dashboard",
        ]);
        assert.deepStrictEqual(gpuDashboardOnOpenShift(settings({ gpuOperator: dashboard })), []);
    });

    it("refuses an explicit channel other than the pinned release's", () => {
        const [problem] = gpuOperatorChannelSupported(gpuOperator({ version: "25.3.1", channel: "v26.7" }));
        assert.deepStrictEqual(
            [problem.path, problem.expected],
            ["cluster-capacity:gpuOperator.channel", "v25.3, the channel of the pinned release 25.3.1 (or leave channel out)"],
        );
    });

    it("refuses an explicit channel of a line NVIDIA does not support on the cluster's OpenShift, and takes one that names no line", () => {
        assert.deepStrictEqual(
            gpuOperatorChannelSupported(gpuOperator({ channel: "v24.9" })).map((p) => p.expected),
            ["a channel of a release line NVIDIA supports on OpenShift 4.18: v25.3, v25.10, v26.3, v26.7"],
        );
        assert.deepStrictEqual(gpuOperatorChannelSupported(gpuOperator({ channel: "stable" })), []);
    });

    it("checks only an explicit channel: the derived one is the matrix's", () => {
        assert.deepStrictEqual(gpuOperatorChannelSupported(gpuOperator({ version: "25.3.1" })), []);
        // 24.9 is no line of 4.18: gpuOperatorVersionSupported says so, at the version.
        assert.deepStrictEqual(gpuOperatorChannelSupported(gpuOperator({ version: "24.9.2" })), []);
    });

    it("refuses, before 4.19, a NoExecute taint on an NVIDIA pool, which NFD's worker does not tolerate", () => {
        const taints = [
            { key: "a", value: "b", effect: "NoSchedule" as const },
            { key: "c", value: "d", effect: "NoExecute" as const },
        ];
        const pools = withPools({}, { taints }, { taints, accelerator: "neuron" });
        const at = (minor: number) => settings({ gpuOperator: { enabled: true } }, { cluster: cluster(minor), pools });
        assert.deepStrictEqual(pathsOf(nfdReachesGpuNodes(at(18))), ["cluster-capacity:pools[1].taints[1].effect"]);
        assert.deepStrictEqual(nfdReachesGpuNodes(at(19)), []);
        assert.deepStrictEqual(nfdReachesGpuNodes(settings({}, { pools })), []);
    });

    it("refuses MIG and time-slicing without the GPU Operator, pool by pool", () => {
        const pools = withPools({ timeSlicing: 2 }, { mig: { profile: "all-1g.10gb", strategy: "single" }, timeSlicing: 4 });
        const problems = gpuSharingNeedsOperator(settings({}, { pools }));
        assert.deepStrictEqual(pathsOf(problems), [
            "cluster-capacity:pools[0].timeSlicing",
            "cluster-capacity:pools[1].mig",
            "cluster-capacity:pools[1].timeSlicing",
        ]);
        assert.deepStrictEqual(problems[1].value, { profile: "all-1g.10gb" });
        assert.deepStrictEqual(gpuSharingNeedsOperator(settings({ gpuOperator: { enabled: true } }, { pools })), []);
    });
});

describe("operator settings: the driver per pool", () => {
    const driver = { version: "580.95.05" };
    const perPool = (raw: RawGpuOperator) =>
        settings({ gpuOperator: { enabled: true, driverPerPool: true, driverVersion: "570.195.03", ...raw } });

    it("refuses a pool's driver settings without driverPerPool, and on a Neuron pool", () => {
        const pools = withPools({ driver }, { driver, accelerator: "neuron" });
        assert.deepStrictEqual(
            poolDriversNeedDriverPerPool(settings({}, { pools })).map((p) => [p.path, p.expected]),
            [
                ["cluster-capacity:pools[0].driver", "no driver settings without gpuOperator.driverPerPool: true"],
                ["cluster-capacity:pools[1].driver", "no driver settings without gpuOperator.driverPerPool: true"],
                ["cluster-capacity:pools[1].driver", "no NVIDIA driver settings on a Neuron pool"],
            ],
        );
    });

    it("takes the driver per pool on an OLM install of a line from 26.7", () => {
        assert.deepStrictEqual(driverPerPoolSupported(perPool({})), []);
        assert.deepStrictEqual(driverPerPoolSupported(perPool({ channel: "v27.1" })), []);
    });

    it("refuses the driver per pool without the operator, with Helm, or on a line before 26.7 or none", () => {
        const expected = (raw: RawGpuOperator, at?: ClusterConfig) =>
            driverPerPoolSupported(
                settings({ gpuOperator: { driverPerPool: true, driverVersion: "570.195.03", ...raw } }, { cluster: at }),
            ).map((p) => p.expected.replace(/:.*/, ""));
        assert.deepStrictEqual(
            [
                expected({}),
                expected({ enabled: true, install: "helm" }),
                expected({ enabled: true, channel: "v26.3" }),
                expected({ enabled: true }, cluster(30)),
            ],
            [
                ["false without gpuOperator.enabled"],
                ["false with the Helm install"],
                ["false on GPU Operator channel v26.3"],
                ["false on GPU Operator channel stable"],
            ],
        );
    });

    it("asks for the default NVIDIADriver CR's version, after what is wrong with the operator", () => {
        assert.deepStrictEqual(pathsOf(driverPerPoolSupported(perPool({ driverVersion: undefined, channel: "v25.3" }))), [
            "cluster-capacity:gpuOperator.driverPerPool",
            "cluster-capacity:gpuOperator.driverVersion",
        ]);
    });

    it("checks nothing of the operator without the driver per pool", () => {
        assert.deepStrictEqual(driverPerPoolSupported(settings({ gpuOperator: { install: "helm" } })), []);
    });
});

describe("operator settings: the Red Hat build of Kueue", () => {
    const operator = (kueue: RawKueue, minor = 18) =>
        kueueOn({ ...kueue, operator: { enabled: true, ...kueue.operator } }, { cluster: cluster(minor) });

    it("takes the catalog's default channel and the kueue.x-k8s.io version its release serves", () => {
        const kueue = resolveKueue({ enabled: true, operator: { enabled: true, channel: "stable-v1.2" } }, cluster());
        assert.deepStrictEqual([kueue.operator.channel, kueue.apiVersion], ["stable-v1.2", "v1beta1"]);
        assert.deepStrictEqual(kueueOperatorChannelKnown(operator({})), []);
        assert.strictEqual(resolveKueue({ enabled: true, operator: { enabled: true } }, cluster()).apiVersion, "v1beta2");
    });

    it("tells the served version from the channel outside the version matrix", () => {
        const kueue = resolveKueue({ enabled: true, operator: { enabled: true, channel: "stable-v1.2" } }, cluster(30));
        assert.strictEqual(kueue.apiVersion, "v1beta1");
        assert.deepStrictEqual(kueueOperatorChannelKnown(operator({ operator: { channel: "stable-v1.2" } }, 30)), []);
    });

    it("asks for an explicit channel outside the version matrix", () => {
        assert.deepStrictEqual(pathsOf(kueueOperatorChannelKnown(operator({}, 30))), ["cluster-capacity:kueue.operator.channel"]);
    });

    it("refuses the operator where the catalog does not offer it", () => {
        const [problem] = kueueOperatorChannelKnown(operator({}, 17));
        assert.deepStrictEqual([problem.path, problem.value], ["cluster-capacity:kueue.operator.enabled", true]);
        assert.match(problem.expected, /^false on OpenShift 4\.17: the Red Hat build of Kueue is offered from OpenShift 4\.18/);
    });

    it("refuses a channel the catalog lacks, case-sensitively, naming those it has", () => {
        assert.deepStrictEqual(
            kueueOperatorChannelKnown(operator({ operator: { channel: "stable-v1.1" } }, 21)).map((p) => [p.path, p.value, p.expected]),
            [
                [
                    "cluster-capacity:kueue.operator.channel",
                    "stable-v1.1",
                    "a channel the OpenShift 4.21 catalog has (case-sensitive): stable-v1.2, stable-v1.3, stable-v1.4",
                ],
            ],
        );
    });

    it("refuses apiVersion v1beta2 on a channel that serves v1beta1 only", () => {
        assert.deepStrictEqual(
            pathsOf(kueueOperatorChannelKnown(operator({ apiVersion: "v1beta2", operator: { channel: "stable-v1.2" } }))),
            ["cluster-capacity:kueue.apiVersion"],
        );
        assert.deepStrictEqual(kueueOperatorChannelKnown(operator({ apiVersion: "v1beta1", operator: { channel: "stable-v1.2" } })), []);
        assert.deepStrictEqual(kueueOperatorChannelKnown(operator({ apiVersion: "v1beta2", operator: { channel: "stable-v1.3" } })), []);
    });

    it("checks no catalog for an operator that is not installed, or on plain Kubernetes", () => {
        assert.deepStrictEqual(kueueOperatorChannelKnown(kueueOn({}, { cluster: cluster(30) })), []);
        assert.deepStrictEqual(kueueOperatorChannelKnown(kueueOn({ operator: { enabled: true } }, { cluster: kubernetes() })), []);
    });

    it("refuses the operator on plain Kubernetes", () => {
        assert.deepStrictEqual(pathsOf(kueueOperatorOnOpenShift(kueueOn({ operator: { enabled: true } }, { cluster: kubernetes() }))), [
            "cluster-capacity:kueue.operator.enabled",
        ]);
        assert.deepStrictEqual(kueueOperatorOnOpenShift(kueueOn({ operator: { enabled: true } })), []);
        assert.deepStrictEqual(kueueOperatorOnOpenShift(kueueOn({}, { cluster: kubernetes() })), []);
    });
});

describe("operator settings: Kueue", () => {
    it("needs a pool, whose capacity is the ClusterQueue's quota", () => {
        assert.deepStrictEqual(pathsOf(kueueHasPools(kueueOn({}, { pools: [] }))), ["cluster-capacity:kueue.enabled"]);
        assert.deepStrictEqual(kueueHasPools(kueueOn({})), []);
    });

    it("refuses ProvisioningRequests on OpenShift, and takes them on plain Kubernetes", () => {
        assert.deepStrictEqual(pathsOf(provisioningServed(kueueOn({ provisioning: true }))), ["cluster-capacity:kueue.provisioning"]);
        assert.deepStrictEqual(provisioningServed(kueueOn({ provisioning: true }, { cluster: kubernetes() })), []);
        assert.deepStrictEqual(provisioningServed(kueueOn({})), []);
    });

    it("refuses a provisioningClass without provisioning", () => {
        assert.deepStrictEqual(
            provisioningClassNeedsProvisioning(kueueOn({ provisioningClass: "check-capacity.autoscaling.x-k8s.io" })).map((p) => [
                p.path,
                p.value,
            ]),
            [["cluster-capacity:kueue.provisioningClass", "check-capacity.autoscaling.x-k8s.io"]],
        );
        assert.deepStrictEqual(
            provisioningClassNeedsProvisioning(kueueOn({ provisioning: true, provisioningClass: "check-capacity.autoscaling.x-k8s.io" })),
            [],
        );
    });

    it("refuses creating a system or operator namespace", () => {
        const problems = namespacesListedOnce(
            kueueOn({ namespaces: [{ name: "ml", create: true }, { name: "openshift-ai", create: true }, { name: "kube-system" }] }),
        );
        assert.deepStrictEqual(pathsOf(problems), ["cluster-capacity:kueue.namespaces[1].create"]);
        assert.match(problems[0].expected, /^false for openshift-ai: system and operator namespaces are only labelled, never created/);
    });

    it("refuses a namespace listed twice, naming the last entry before it", () => {
        const problems = namespacesListedOnce(kueueOn({ namespaces: [{ name: "ml" }, { name: "ml" }, { name: "ml" }] }));
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.expected]),
            [
                ["cluster-capacity:kueue.namespaces[1].name", "a namespace not listed before (namespaces[0])"],
                ["cluster-capacity:kueue.namespaces[2].name", "a namespace not listed before (namespaces[1])"],
            ],
        );
    });

    it("refuses a priority class name listed twice, at each later entry", () => {
        const priorityClasses = [...PRIORITY_CLASSES, { name: "training", value: 1 }, { name: "batch", value: 2 }];
        assert.deepStrictEqual(pathsOf(priorityClassesUnique(kueueOn({ priorityClasses }))), [
            "cluster-capacity:kueue.priorityClasses[3].name",
            "cluster-capacity:kueue.priorityClasses[4].name",
        ]);
    });

    it("refuses HardwareProfiles on plain Kubernetes", () => {
        const profiles = { hardwareProfiles: { enabled: true }, namespaces: [{ name: "ml" }] };
        assert.deepStrictEqual(pathsOf(hardwareProfilesOnOpenShift(kueueOn(profiles, { cluster: kubernetes() }))), [
            "cluster-capacity:kueue.hardwareProfiles.enabled",
        ]);
        assert.deepStrictEqual(hardwareProfilesOnOpenShift(kueueOn(profiles)), []);
    });

    it("gives HardwareProfiles the one LocalQueue there is, and asks which of several", () => {
        assert.deepStrictEqual(
            hardwareProfilesLocalQueue(kueueOn({ hardwareProfiles: { enabled: true }, namespaces: [{ name: "ml" }] })),
            [],
        );
        const several = kueueOn({
            hardwareProfiles: { enabled: true },
            namespaces: [{ name: "ml" }, { name: "cv", localQueue: "vision" }],
        });
        assert.deepStrictEqual(
            hardwareProfilesLocalQueue(several).map((p) => [p.path, p.value, p.expected]),
            [
                [
                    "cluster-capacity:kueue.hardwareProfiles.localQueue",
                    undefined,
                    "the LocalQueue the profiles submit to, one of: ml-queue, vision",
                ],
            ],
        );
    });

    it("refuses HardwareProfiles without a LocalQueue, or with one that no namespace has", () => {
        assert.match(
            hardwareProfilesLocalQueue(kueueOn({ hardwareProfiles: { enabled: true } }))[0].expected,
            /configure kueue\.namespaces first/,
        );
        const unknown = kueueOn({ hardwareProfiles: { enabled: true, localQueue: "q" }, namespaces: [{ name: "ml" }] });
        assert.deepStrictEqual(
            hardwareProfilesLocalQueue(unknown).map((p) => p.value),
            ["q"],
        );
    });
});

describe("operator settings: Kueue teams", () => {
    const teams = (list: RawKueue["teams"], kueue: RawKueue = {}) => kueueOn({ priorityClasses: PRIORITY_CLASSES, teams: list, ...kueue });
    const entries = (list: RawKueue["teams"], kueue: RawKueue = {}) => teamEntries(teams(list, kueue).kueue);

    it("finds no problem in the teams of teamsStack", () => {
        assert.deepStrictEqual(checkTeams(teams(TEAMS)), []);
    });

    it("tells each team the names and namespaces taken before it, by kueue.namespaces or an earlier team", () => {
        const list = [
            { name: "a", namespaces: [{ name: "x" }, { name: "ml" }], share: 0.2 },
            { name: "a", namespaces: [{ name: "x" }, { name: "y" }, { name: "y" }], share: 0.2 },
        ];
        assert.deepStrictEqual(
            entries(list, { namespaces: [{ name: "ml" }] }).map((e) => [e.nameTaken, e.namespaceOwners]),
            [
                [false, [undefined, "kueue.namespaces"]],
                [true, ["kueue.teams[0]", undefined, "kueue.teams[1]"]],
            ],
        );
    });

    it("refuses a team name used before, or the shared ClusterQueue's", () => {
        const [first, second] = entries([
            { name: "gpu-cluster-queue", namespaces: [{ name: "a" }], share: 0.1 },
            { name: "gpu-cluster-queue", namespaces: [{ name: "b" }], share: 0.1 },
        ]);
        const kueue = teams([]).kueue;
        assert.deepStrictEqual(
            [...pathsOf(teamNameUnique(first, { kueue })), ...pathsOf(teamNameUnique(second, { kueue }))],
            ["cluster-capacity:kueue.teams[0].name", "cluster-capacity:kueue.teams[1].name"],
        );
        assert.match(teamNameUnique(first, { kueue })[0].expected, /not the ClusterQueue's \(gpu-cluster-queue\)/);
    });

    it("refuses a team with both share and nominal, or neither", () => {
        const [both, neither, share, nominal] = entries([
            { name: "a", namespaces: [{ name: "a" }], share: 0.1, nominal: { l4: 1 } },
            { name: "b", namespaces: [{ name: "b" }] },
            { name: "c", namespaces: [{ name: "c" }], share: 0.1 },
            { name: "d", namespaces: [{ name: "d" }], nominal: { l4: 1 } },
        ]);
        assert.deepStrictEqual(
            [both, neither, share, nominal].map((e) => pathsOf(teamShareOrNominal(e))),
            [["cluster-capacity:kueue.teams[0].share"], ["cluster-capacity:kueue.teams[1].share"], [], []],
        );
    });

    it("refuses a team's priority class that kueue.priorityClasses does not define, at its index", () => {
        const settingsOf = teams([]);
        const [team] = entries([{ name: "a", namespaces: [{ name: "a" }], share: 0.1, priorityClasses: ["training", "urgent"] }]);
        assert.deepStrictEqual(
            teamPriorityClassesDefined(team, settingsOf).map((p) => [p.path, p.value, p.expected]),
            [
                [
                    "cluster-capacity:kueue.teams[0].priorityClasses[1]",
                    "urgent",
                    "a WorkloadPriorityClass of kueue.priorityClasses (training, inference, batch)",
                ],
            ],
        );
        assert.match(teamPriorityClassesDefined(team, kueueOn({}))[0].expected, /\(none is defined\)/);
    });

    it("refuses a team's priority classes before OpenShift 4.17, which has no GA ValidatingAdmissionPolicy", () => {
        const [team] = entries([{ name: "a", namespaces: [{ name: "a" }], share: 0.1, priorityClasses: ["training"] }]);
        assert.deepStrictEqual(pathsOf(teamPriorityClassesEnforceable(team, { cluster: cluster(16) })), [
            "cluster-capacity:kueue.teams[0].priorityClasses",
        ]);
        assert.deepStrictEqual(teamPriorityClassesEnforceable(team, { cluster: cluster(17) }), []);
        assert.deepStrictEqual(
            teamPriorityClassesEnforceable(team, { cluster: { ...kubernetes(), openshiftVersion: { major: 4, minor: 14 } } }),
            [],
        );
    });

    it("refuses a team's namespace that another team or queue has, and creating a system one, namespace by namespace", () => {
        const [, second] = entries([
            { name: "a", namespaces: [{ name: "ml" }], share: 0.1 },
            {
                name: "b",
                namespaces: [{ name: "ml", create: true }, { name: "default", create: true }, { name: "kube-public" }],
                share: 0.1,
            },
        ]);
        assert.deepStrictEqual(
            teamNamespacesOwnedOnce(second).map((p) => [p.path, p.expected]),
            [
                ["cluster-capacity:kueue.teams[1].namespaces[0].name", "a namespace of no other team or queue (kueue.teams[0] has it)"],
                [
                    "cluster-capacity:kueue.teams[1].namespaces[1].create",
                    "false for default: system and operator namespaces are only labelled",
                ],
            ],
        );
    });

    it("refuses kueue.namespaces beside teams, listing them", () => {
        const problems = namespacesBesideTeams(teams(TEAMS, { namespaces: [{ name: "a" }, { name: "b" }] }));
        assert.deepStrictEqual(
            problems.map((p) => [p.path, p.value]),
            [["cluster-capacity:kueue.namespaces", ["a", "b"]]],
        );
        assert.deepStrictEqual(namespacesBesideTeams(kueueOn({ namespaces: [{ name: "a" }] })), []);
    });

    it("refuses shares that add up past the pools, and takes ones that add up to 1 within rounding", () => {
        const share = (...shares: number[]) => shares.map((s, i) => ({ name: `t${i}`, namespaces: [{ name: `n${i}` }], share: s }));
        const [problem] = teamSharesFit(teams(share(0.5, 0.4, 0.2)));
        assert.deepStrictEqual(
            [problem.path, problem.value, problem.expected],
            [
                "cluster-capacity:kueue.teams",
                "t0: 0.5, t1: 0.4, t2: 0.2",
                "shares that add up to at most 1 (they add up to 1.1: more than the pools can provide)",
            ],
        );
        // 0.2 + 0.4 + 0.3 + 0.1 is 1.0000000000000002 in floating point.
        assert.deepStrictEqual(teamSharesFit(teams(share(0.2, 0.4, 0.3, 0.1))), []);
    });
});

describe("operator settings: Neuron", () => {
    const neuron = (raw: RawNeuron, at = cluster(19)) => settings({ neuron: { enabled: true, ...raw } }, { cluster: at });

    it("takes the matrix's operator channel, catalog and custom scheduler of the cluster's release", () => {
        const resolved = resolveNeuron({ enabled: true }, cluster(21));
        assert.deepStrictEqual(
            [resolved.operatorChannel, resolved.operatorSource, resolved.images.customScheduler],
            ["Stable", "community-operators", `${SCHEDULER}:v1.34.4-eks-1-34-16`],
        );
    });

    it("refuses a channel its catalog lacks, case-sensitively, and checks none of another catalog", () => {
        assert.deepStrictEqual(
            neuronChannelInCatalog(neuron({ operatorChannel: "stable" })).map((p) => [p.path, p.expected]),
            [
                [
                    "cluster-capacity:neuron.operatorChannel",
                    "a channel of aws-neuron-operator in community-operators (case-sensitive): Stable, Fast",
                ],
            ],
        );
        assert.deepStrictEqual(neuronChannelInCatalog(neuron({ operatorChannel: "Fast" })), []);
        assert.deepStrictEqual(neuronChannelInCatalog(neuron({ operatorChannel: "stable", operatorSource: "my-catalog" })), []);
    });

    it("asks outside the version matrix for a custom scheduler image", () => {
        assert.deepStrictEqual(pathsOf(neuronSchedulerFitsCluster(neuron({}, cluster(30)))), [
            "cluster-capacity:neuron.images.customScheduler",
        ]);
        assert.deepStrictEqual(
            neuronSchedulerFitsCluster(neuron({ images: { customScheduler: `${SCHEDULER}:v1.36.0` } }, cluster(30))),
            [],
        );
    });

    it("refuses a custom scheduler newer than the cluster's Kubernetes, and takes one as new or older", () => {
        const scheduler = (tag: string) => neuronSchedulerFitsCluster(neuron({ images: { customScheduler: `${SCHEDULER}:${tag}` } }));
        assert.deepStrictEqual(
            scheduler("v1.33.1").map((p) => p.expected),
            [
                "a kube-scheduler no newer than the cluster's Kubernetes 1.32 (OpenShift 4.19): a scheduler may not be newer than its API server",
            ],
        );
        assert.deepStrictEqual([scheduler("v1.32.9-eks-1-32-24"), scheduler("v1.31.0"), scheduler("latest")], [[], [], []]);
    });

    it("checks nothing of a disabled Neuron stack", () => {
        const off = settings(
            { neuron: { operatorChannel: "stable", images: { customScheduler: `${SCHEDULER}:v1.40.0` } } },
            { cluster: cluster(19) },
        );
        assert.deepStrictEqual([neuronChannelInCatalog(off), neuronSchedulerFitsCluster(off)], [[], []]);
    });
});

describe("operator settings through parseConfig", () => {
    it("reports the operator settings' problems after the pools' and before the reservations'", () => {
        const stack = offlineStack(
            {
                "cluster-capacity:gpuOperator": { enabled: true, install: "helm" },
                "cluster-capacity:kueue": { enabled: true, provisioningClass: "check-capacity.autoscaling.x-k8s.io" },
            },
            [gpuPool("l4", { timeSlicing: 2, accelerator: "neuron", capacityReservations: ["cr-0a1b2c3d4e5f60718"] })],
        );
        assert.throws(
            () => capacityConfig(stack),
            (error: Error & { problems: ConfigProblem[] }) => {
                assert.deepStrictEqual(pathsOf(error.problems), [
                    "cluster-capacity:pools[0].timeSlicing",
                    "cluster-capacity:pools[0].accelerator",
                    "cluster-capacity:gpuOperator.install",
                    "cluster-capacity:kueue.provisioningClass",
                    "cluster-capacity:pools[0].capacityReservations[0]",
                ]);
                return true;
            },
        );
    });
});
