import { KUEUE_API_VERSIONS, LOOKUP_MODES } from "../../policy/lib/contract";
/**
 * JSON Schema of the stack configuration (namespace `cluster-capacity:`). Checked with ajv before any
 * resource is registered; cross-field rules that a schema cannot say live in `poolRules.ts` and `features.ts`.
 * `allowed` annotates a pattern with the words an error message shows instead of the regex.
 */

const nonEmptyString = { type: "string", minLength: 1 } as const;

const dns1123Label = {
    type: "string",
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    maxLength: 63,
    allowed: "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
} as const;

const labelKey = {
    type: "string",
    pattern: "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    maxLength: 316,
    allowed: "a Kubernetes label or taint key: an optional DNS prefix and '/', then up to 63 letters, digits, '-', '_' or '.'",
} as const;

const labelValue = {
    type: "string",
    pattern: "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$",
    allowed: "a Kubernetes label value: empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
} as const;

const quotaCode = {
    type: "string",
    pattern: "^L-[0-9A-F]{8}$",
    allowed: "a Service Quotas code such as L-DB2E81BA",
} as const;

const amiId = {
    type: "string",
    pattern: "^ami-[0-9a-f]{8,17}$",
    allowed: "an AMI id such as ami-0123456789abcdef0",
} as const;

const amiQuery = {
    type: "object",
    additionalProperties: false,
    properties: {
        id: { ...amiId, description: "Pinned AMI id; no lookup." },
        owners: {
            type: "array",
            minItems: 1,
            items: {
                type: "string",
                pattern: "^([0-9]{12}|self|amazon|aws-marketplace)$",
                allowed: "a 12-digit AWS account id, self, amazon or aws-marketplace",
            },
            description: "AMI owners for the lookup (RHCOS public AMIs: 531415883065).",
        },
        namePattern: {
            type: "string",
            minLength: 1,
            description: "AMI name filter for the lookup, e.g. rhcos-418.94.*-x86_64; the most recent match wins.",
        },
        managedByCluster: {
            type: "boolean",
            description:
                "OpenShift ≥ 4.19 boot-image management: set the AMI once, then ignore AMI drift (default: true for the cluster's boot image on ≥ 4.19).",
        },
    },
} as const;

const instanceSpec = {
    type: "object",
    additionalProperties: false,
    properties: {
        vcpus: { type: "integer", minimum: 1 },
        memoryMiB: { type: "integer", minimum: 1 },
        gpus: { type: "integer", minimum: 0 },
        gpuModel: nonEmptyString,
        gpuMemoryMiB: { type: "integer", minimum: 1 },
        neuronDevices: { type: "integer", minimum: 0 },
        neuronCores: { type: "integer", minimum: 0 },
    },
} as const;

const taint = {
    type: "object",
    additionalProperties: false,
    required: ["key", "effect"],
    properties: {
        key: labelKey,
        value: labelValue,
        effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
    },
} as const;

const pool = {
    type: "object",
    additionalProperties: false,
    required: ["name", "accelerator", "instanceType"],
    properties: {
        name: { ...dns1123Label, description: "Pool name, unique in the stack; part of every MachineSet name." },
        accelerator: { enum: ["nvidia", "neuron"], description: "nvidia (GPU) or neuron (Inferentia/Trainium)." },
        instanceType: {
            type: "string",
            pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$",
            allowed: "an EC2 instance type such as g6.4xlarge",
        },
        zones: {
            type: "array",
            minItems: 1,
            uniqueItems: true,
            items: { type: "string" },
            description:
                "Availability zones of the cluster's region; one MachineSet per zone. Default (aws lookups, OpenShift): the cluster's zones where AWS offers the type.",
        },
        market: { enum: ["on-demand", "spot"], description: "on-demand (default) or spot." },
        replicas: { type: "integer", minimum: 0, description: "Machines per zone when not autoscaled (default 0)." },
        autoscaling: {
            type: "object",
            additionalProperties: false,
            required: ["minReplicas", "maxReplicas"],
            properties: {
                minReplicas: { type: "integer", minimum: 0 },
                maxReplicas: { type: "integer", minimum: 1 },
            },
            description: "Per-zone bounds for a MachineAutoscaler on each MachineSet.",
        },
        labels: {
            type: "object",
            propertyNames: labelKey,
            additionalProperties: labelValue,
            description: "Extra node labels.",
        },
        taints: {
            type: "array",
            items: taint,
            description: "Node taints; default nvidia.com/gpu=true:NoSchedule or aws.amazon.com/neuron=true:PreferNoSchedule.",
        },
        rootVolume: {
            type: "object",
            additionalProperties: false,
            properties: {
                sizeGiB: { type: "integer", minimum: 16, maximum: 16384 },
                type: { enum: ["gp3", "gp2", "io1", "io2"] },
                iops: { type: "integer", minimum: 0 },
                throughputMiBps: { type: "integer", minimum: 125, maximum: 1000 },
                kmsKeyArn: { type: "string", pattern: "^arn:aws[a-z-]*:kms:", allowed: "a KMS key ARN" },
            },
            description: "Root EBS volume (always encrypted): sizeGiB (default 120), type (default gp3), iops, throughputMiBps, kmsKeyArn.",
        },
        timeSlicing: { type: "integer", minimum: 1, maximum: 64, description: "GPU time-slicing replicas per physical GPU." },
        kueueFlavor: { ...dns1123Label, description: "Kueue ResourceFlavor name (default: the pool name)." },
        sysctls: {
            type: "object",
            propertyNames: { pattern: "^[a-z0-9_]+(\\.[a-z0-9_-]+)+$" },
            additionalProperties: { type: ["string", "integer"] },
            description: "Kernel sysctls for this pool's nodes (its own MachineConfigPool).",
        },
        kernelArguments: {
            type: "array",
            items: { type: "string", pattern: "^\\S+$", allowed: "one kernel argument without spaces" },
            description: "Kernel arguments for this pool's nodes (its own MachineConfigPool).",
        },
        ami: { ...amiQuery, description: "Per-pool AMI, same shape as cluster-capacity:ami." },
        retired: {
            type: "boolean",
            description:
                "Retire the pool: scale it to 0 and drop its autoscaler, keeping the protected MachineSets (first step of removing a pool).",
        },
        providerSpec: {
            type: "object",
            description: "Deep-merged over the generated AWSMachineProviderConfig, for sites whose names differ.",
        },
        capacityReservations: {
            type: "array",
            uniqueItems: true,
            items: { type: "string", pattern: "^cr-[0-9a-f]{17}$", allowed: "a capacity reservation id such as cr-0123456789abcdef0" },
            description:
                "On-Demand Capacity Reservation or Capacity Block ids: one MachineSet each, in the reservation's zone, sized at most to it (OpenShift 4.18+, Capacity Blocks 4.19+).",
        },
        driver: {
            type: "object",
            additionalProperties: false,
            properties: {
                version: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
                    allowed: "an NVIDIA driver version such as 580.95.05",
                },
                upgradePolicy: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        maxParallelUpgrades: { type: "integer", minimum: 0 },
                        maxUnavailable: {
                            type: ["integer", "string"],
                            minimum: 0,
                            pattern: "^[0-9]+%?$",
                            allowed: "a node count or a percentage such as 1 or 25%",
                        },
                        drain: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                enable: { type: "boolean" },
                                force: { type: "boolean" },
                                podSelector: { type: "string" },
                                timeoutSeconds: { type: "integer", minimum: 0 },
                                deleteEmptyDir: { type: "boolean" },
                            },
                        },
                        waitForCompletion: {
                            type: "object",
                            additionalProperties: false,
                            properties: { podSelector: { type: "string" }, timeoutSeconds: { type: "integer", minimum: 0 } },
                        },
                    },
                },
            },
            description: "With gpuOperator.driverPerPool: the pool's NVIDIA driver version and upgradePolicy (its NVIDIADriver CR).",
        },
        mig: {
            type: "object",
            additionalProperties: false,
            required: ["profile"],
            properties: {
                profile: {
                    type: "string",
                    pattern: "^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$",
                    allowed: "a MIG config name such as all-1g.10gb, all-balanced, or a custom name",
                },
                devices: {
                    type: "object",
                    minProperties: 1,
                    propertyNames: { pattern: "^[1-7]g\\.[0-9]+gb(\\+me)?$" },
                    additionalProperties: { type: "integer", minimum: 1, maximum: 7 },
                },
            },
            description:
                'MIG layout of the pool\'s GPUs (node label nvidia.com/mig.config): all-<profile> such as all-1g.10gb, or all-balanced; a custom profile name with devices per GPU such as { "3g.40gb": 1, "1g.10gb": 4 }. Needs a MIG GPU (A100, H100, H200) and the GPU Operator.',
        },
        onDemandFallback: {
            type: "boolean",
            description:
                "Spot pools: an on-demand MachineSet beside each spot one (<infraId>-<pool>-<zone>-od), which the autoscaler grows only when no spot MachineSet can; needs autoscaling.",
        },
        efa: {
            type: "boolean",
            description:
                "Elastic Fabric Adapter on each machine (networkInterfaceType: EFA) and a security group open within itself; needs aws lookups, a type with EFA, one zone and a placementGroup.",
        },
        placementGroup: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            properties: {
                name: { type: "string", pattern: "^[A-Za-z0-9._-]{1,255}$", allowed: "an EC2 placement group name" },
                create: { type: "boolean" },
            },
            description:
                "EC2 placement group of the pool's machines (placementGroupName): an existing one by name, or create: true for a protected cluster placement group.",
        },
        healthCheck: {
            type: "object",
            additionalProperties: false,
            properties: {
                enabled: { type: "boolean" },
                maxUnhealthy: {
                    type: ["integer", "string"],
                    minimum: 0,
                    pattern: "^((100|[0-9]{1,2})%|[0-9]+)$",
                    allowed: "a machine count or a percentage such as 1 or 20%",
                },
                nodeStartupTimeout: {
                    type: "string",
                    pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
                    allowed: "a Go duration such as 25m or 1h",
                },
            },
            description:
                "A MachineHealthCheck replacing the pool's failed machines: enabled (default true, false with capacity reservations), maxUnhealthy (default 1), nodeStartupTimeout (default 25m).",
        },
    },
} as const;

export const CONFIG_SCHEMA = {
    type: "object",
    additionalProperties: false,
    required: ["cluster"],
    properties: {
        cluster: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            description: "The cluster: name, infraId, platform, openshiftVersion, region, accountId.",
            properties: {
                name: { ...dns1123Label, description: "Cluster name." },
                infraId: {
                    type: "string",
                    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                    maxLength: 32,
                    allowed: "the OpenShift infrastructure name (oc get infrastructure cluster -o jsonpath='{.status.infrastructureName}')",
                },
                platform: { enum: ["openshift", "kubernetes"] },
                openshiftVersion: { type: "string", pattern: "^4\\.[0-9]{1,2}$", allowed: 'a "4.N" minor version such as "4.18"' },
                region: {
                    type: "string",
                    pattern: "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$",
                    allowed: "an AWS region such as us-east-2",
                },
                accountId: { type: "string", pattern: "^[0-9]{12}$", allowed: "a 12-digit AWS account id" },
            },
        },
        network: {
            default: {},
            type: "object",
            additionalProperties: false,
            description:
                "Where new pools' machines attach. Default: copied per zone from the cluster's worker MachineSet <infraId>-worker-<zone> (connected; a missing one stops the run), or found in AWS by the cluster tag when rendering with aws lookups. workerMachineSet: copy from this one instead (zone swapped); subnets (zone → subnet id or Name tag) + securityGroups (ids or Name tags) + instanceProfile: explicit, no discovery.",
            properties: {
                workerMachineSet: {
                    type: "string",
                    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                    maxLength: 63,
                    allowed: "the name of a worker MachineSet in openshift-machine-api",
                },
                subnets: {
                    type: "object",
                    minProperties: 1,
                    propertyNames: {
                        type: "string",
                        pattern: "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9][a-z]$",
                        allowed: "an availability zone such as us-east-2a",
                    },
                    additionalProperties: nonEmptyString,
                },
                securityGroups: { type: "array", minItems: 1, items: nonEmptyString },
                instanceProfile: nonEmptyString,
            },
        },
        lookups: {
            default: "aws",
            enum: [...LOOKUP_MODES],
            description:
                "aws (default): read quotas, instance specs and AMIs from AWS; offline: no AWS call (set it for plain Kubernetes outside AWS).",
        },
        quotas: {
            default: {},
            type: "object",
            properties: {
                requestIncrease: {
                    type: "boolean",
                    description:
                        "With aws lookups: request an increase of each quota the pools' maximum exceeds (aws.servicequotas.ServiceQuota).",
                },
            },
            propertyNames: {
                ...quotaCode,
                pattern: "^(L-[0-9A-F]{8}|requestIncrease)$",
                allowed: `${quotaCode.allowed}, or requestIncrease`,
            },
            additionalProperties: { type: "integer", minimum: 0 },
            description:
                "Quota code → vCPUs: offline values, or with aws lookups a lower cap; requestIncrease: true asks AWS for what the pools need.",
        },
        capacityReservations: {
            default: {},
            type: "object",
            propertyNames: {
                type: "string",
                pattern: "^cr-[0-9a-f]{17}$",
                allowed: "a capacity reservation id such as cr-0123456789abcdef0",
            },
            additionalProperties: {
                type: "object",
                additionalProperties: false,
                required: ["kind", "instanceType", "availabilityZone", "instanceCount"],
                properties: {
                    kind: { type: "string", enum: ["on-demand", "capacity-block"] },
                    instanceType: { type: "string", pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$", allowed: "an EC2 instance type" },
                    availabilityZone: { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", allowed: "an availability zone" },
                    instanceCount: { type: "integer", minimum: 1 },
                    startDate: {
                        type: "string",
                        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        allowed: "an ISO 8601 date-time such as 2026-12-01T11:30:00Z",
                    },
                    endDate: {
                        type: "string",
                        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        allowed: "an ISO 8601 date-time such as 2026-12-01T11:30:00Z",
                    },
                },
            },
            description:
                "Offline lookups: what AWS would say of each reservation the pools name (kind, instanceType, availabilityZone, instanceCount, startDate, endDate); with aws lookups EC2 says.",
        },
        efaDevicePlugin: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: { image: nonEmptyString },
            description:
                "The AWS EFA device plugin run on EFA pools' nodes: image (default AWS's EKS image, which the workers' role needs ECR read access to pull; or a mirror).",
        },
        reservationWarningDays: {
            default: 7,
            type: "integer",
            minimum: 0,
            description:
                "Warn when a capacity reservation ends within this many days (default 7); one that ended is scaled to 0, and stops the run this many days after its end.",
        },
        usage: {
            default: {},
            type: "object",
            propertyNames: quotaCode,
            additionalProperties: { type: "integer", minimum: 0 },
            description:
                "Offline lookups: quota code → vCPUs in use outside this stack now (other clusters and workloads of the account); with aws lookups CloudWatch says.",
        },
        instanceTypes: {
            default: {},
            type: "object",
            propertyNames: {
                type: "string",
                pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$",
                allowed: "an EC2 instance type such as g6.4xlarge",
            },
            additionalProperties: instanceSpec,
            description:
                "Instance type → {vcpus, memoryMiB, gpus, gpuModel, gpuMemoryMiB, neuronDevices}: offline specs over the catalogue; with aws lookups only what AWS does not report.",
        },
        prices: {
            default: {},
            type: "object",
            propertyNames: {
                type: "string",
                pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$",
                allowed: "an EC2 instance type such as g6.4xlarge",
            },
            additionalProperties: {
                type: "object",
                additionalProperties: false,
                properties: { onDemandHourlyUsd: { type: "number", minimum: 0 }, spotHourlyUsd: { type: "number", minimum: 0 } },
            },
            description: "Instance type → {onDemandHourlyUsd, spotHourlyUsd}: prices for the cost report (offline, or over AWS's).",
        },
        ami: {
            default: {},
            ...amiQuery,
            description:
                "Node AMI: id (pinned), else the cluster's boot image, else owners + namePattern lookup; managedByCluster for ≥ 4.19 boot-image management.",
        },
        pools: { default: [], type: "array", items: pool, description: "Accelerator node pools." },
        gpuOperator: {
            default: {},
            type: "object",
            additionalProperties: false,
            description: "NVIDIA GPU Operator: enabled, install (olm|helm), channel, version, installPlanApproval, nfd, mig, monitoring.",
            properties: {
                enabled: { type: "boolean" },
                install: { enum: ["olm", "helm"], description: "olm (default on OpenShift) or helm (default on plain Kubernetes)." },
                channel: {
                    type: "string",
                    minLength: 1,
                    description: "OLM channel, e.g. v25.3 (default: the version's line, else the version matrix's line for the cluster).",
                },
                version: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
                    allowed: "a GPU Operator release such as 25.3.0",
                    description:
                        "Pin the operator: OLM startingCSV gpu-operator-certified.v<version> with Manual approval, or the Helm chart version.",
                },
                installPlanApproval: {
                    enum: ["Manual", "Automatic"],
                    description: "OLM InstallPlan approval (default Manual when version is pinned).",
                },
                nfd: { type: "boolean", description: "Install Node Feature Discovery (default true)." },
                driverVersion: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
                    allowed: "an NVIDIA driver version such as 580.95.05",
                    description:
                        "With driverPerPool: the driver version of the default NVIDIADriver CR (GPU nodes outside this stack's pools) and of pools without driver.version.",
                },
                driverPerPool: {
                    type: "boolean",
                    description:
                        "One NVIDIADriver CR per GPU pool (ClusterPolicy driver.useNvidiaDriverCRD), each with the pool's driver version and upgrade policy; GPU Operator 26.7 or later. Switching restarts the driver on every GPU node.",
                },
                mig: {
                    type: "object",
                    additionalProperties: false,
                    properties: { strategy: { enum: ["none", "single", "mixed"] } },
                },
                monitoring: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        serviceMonitor: { type: "boolean" },
                        dashboard: { type: "boolean" },
                        idleGpuAlert: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                enabled: { type: "boolean" },
                                utilizationPercent: { type: "integer", minimum: 1, maximum: 100 },
                                windowMinutes: { type: "integer", minimum: 5, maximum: 1440 },
                            },
                        },
                    },
                },
            },
        },
        kueue: {
            default: {},
            type: "object",
            additionalProperties: false,
            description:
                "Kueue GPU-as-a-service: enabled, apiVersion, operator, clusterQueue, cohort, queueingStrategy, preemption, namespaces, teams, provisioning, provisioningClass, priorityClasses, hardwareProfiles.",
            properties: {
                enabled: { type: "boolean" },
                apiVersion: { enum: [...KUEUE_API_VERSIONS], description: "kueue.x-k8s.io version (v1beta1 for older Kueue builds)." },
                operator: {
                    type: "object",
                    additionalProperties: false,
                    description: "Install the Red Hat build of Kueue (OpenShift): channel, frameworks.",
                    properties: {
                        enabled: { type: "boolean" },
                        channel: nonEmptyString,
                        frameworks: {
                            type: "array",
                            minItems: 1,
                            uniqueItems: true,
                            items: {
                                enum: [
                                    "BatchJob",
                                    "RayJob",
                                    "RayCluster",
                                    "JobSet",
                                    "MPIJob",
                                    "PyTorchJob",
                                    "TrainJob",
                                    "Pod",
                                    "Deployment",
                                    "StatefulSet",
                                    "LeaderWorkerSet",
                                ],
                            },
                        },
                    },
                },
                clusterQueue: { ...dns1123Label, description: "ClusterQueue name (default gpu-cluster-queue)." },
                cohort: { ...dns1123Label, description: "Cohort to borrow and lend within." },
                queueingStrategy: { enum: ["BestEffortFIFO", "StrictFIFO"] },
                preemption: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        withinClusterQueue: { enum: ["Never", "LowerPriority", "LowerOrNewerEqualPriority"] },
                        reclaimWithinCohort: { enum: ["Never", "LowerPriority", "Any"] },
                    },
                },
                namespaces: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name"],
                        properties: {
                            name: dns1123Label,
                            localQueue: dns1123Label,
                            create: { type: "boolean" },
                        },
                    },
                },
                provisioning: {
                    type: "boolean",
                    description:
                        "Admit a workload only once the cluster autoscaler says its pods fit (a ProvisioningRequest admission check on the ClusterQueues); plain Kubernetes only: OpenShift's autoscaler serves ProvisioningRequests only in its DevPreviewNoUpgrade feature set.",
                },
                provisioningClass: {
                    enum: ["best-effort-atomic-scale-up.autoscaling.x-k8s.io", "check-capacity.autoscaling.x-k8s.io"],
                    description:
                        "The ProvisioningRequest class: best-effort-atomic-scale-up (default: scale the pools up for the whole gang, or not at all) or check-capacity (only check that it fits now).",
                },
                teams: {
                    type: "array",
                    description:
                        "GPU as a service for several teams: one ClusterQueue each in one cohort, with share (a fraction of every flavor) or nominal (GPUs per flavor), borrowingLimit and lendingLimit (fractions of the team's quota), fairSharingWeight, namespaces, and the priorityClasses its jobs may use.",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "namespaces"],
                        properties: {
                            name: dns1123Label,
                            namespaces: {
                                type: "array",
                                minItems: 1,
                                items: {
                                    type: "object",
                                    additionalProperties: false,
                                    required: ["name"],
                                    properties: { name: dns1123Label, localQueue: dns1123Label, create: { type: "boolean" } },
                                },
                            },
                            share: { type: "number", exclusiveMinimum: 0, maximum: 1 },
                            nominal: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
                            borrowingLimit: { type: "number", minimum: 0 },
                            lendingLimit: { type: "number", minimum: 0, maximum: 1 },
                            fairSharingWeight: { type: "number", exclusiveMinimum: 0 },
                            priorityClasses: { type: "array", minItems: 1, uniqueItems: true, items: dns1123Label },
                        },
                    },
                },
                priorityClasses: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "value"],
                        properties: {
                            name: dns1123Label,
                            // WorkloadPriorityClass.value is an int32.
                            value: { type: "integer", minimum: -2147483648, maximum: 2147483647 },
                            description: { type: "string" },
                        },
                    },
                },
                hardwareProfiles: {
                    type: "object",
                    additionalProperties: false,
                    description: "OpenShift AI HardwareProfiles per flavor: enabled, namespace, localQueue.",
                    properties: {
                        enabled: { type: "boolean" },
                        namespace: dns1123Label,
                        localQueue: dns1123Label,
                    },
                },
            },
        },
        neuron: {
            default: {},
            type: "object",
            additionalProperties: false,
            description:
                "Inferentia gate and stack: enabled (default false), neuronCoreQuota, operator channel, driver and device-plugin images.",
            properties: {
                enabled: { type: "boolean" },
                neuronCoreQuota: { type: "boolean", description: "Also give Kueue flavors an aws.amazon.com/neuroncore quota." },
                operatorChannel: nonEmptyString,
                operatorSource: nonEmptyString,
                images: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        devicePlugin: nonEmptyString,
                        customScheduler: nonEmptyString,
                        schedulerExtension: nonEmptyString,
                        nodeMetrics: nonEmptyString,
                        drivers: nonEmptyString,
                    },
                },
                driverVersion: nonEmptyString,
            },
        },
        operatorInstallTimeout: {
            default: "30m",
            type: "string",
            pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$",
            allowed: "a duration such as 30m",
            description:
                "How long `pulumi up` waits for OLM to install each operator (its Subscription's installedCSV, which a Manual InstallPlan holds until approved) before it fails the update; default 30m.",
        },
        smokeTests: {
            default: false,
            type: "boolean",
            description: "Render a one-device validation Job per accelerator pool (nvidia-smi / neuron-ls).",
        },
        smokeTestImages: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: { nvidia: nonEmptyString, neuron: nonEmptyString },
            description: "Images of the validation Jobs: nvidia (runs nvidia-smi), neuron (runs neuron-ls).",
        },
        renderDirectory: {
            default: "",
            type: "string",
            minLength: 1,
            description: "Write YAML to this folder instead of talking to a cluster.",
        },
        kubernetes: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                context: nonEmptyString,
                kubeconfig: nonEmptyString,
            },
            description: "Cluster access: kubeconfig (path or contents) and context; default: the ambient kubeconfig.",
        },
        clusterAutoscaler: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                maxNodeProvisionTime: { type: "string", pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$", allowed: "a duration such as 30m" },
                scaleDownEnabled: { type: "boolean" },
                scaleDownDelayAfterAdd: { type: "string", pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$", allowed: "a duration such as 10m" },
                scaleDownUnneededTime: { type: "string", pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$", allowed: "a duration such as 10m" },
            },
            description: "Settings of the cluster-wide ClusterAutoscaler `default`, rendered when a pool autoscales.",
        },
    },
} as const;

/** Top-level keys of the schema; Pulumi.yaml must declare exactly these. */
export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA.properties);

/**
 * What the engine hands the program for each key a stack leaves out: the `default` of every
 * top-level key but `cluster`, declared the same in Pulumi.yaml. The Pulumi CLI refuses a stack that
 * lacks a key Pulumi.yaml declares without a default (pulumi `pkg/workspace/config.go`, mergeConfig:
 * "Stack '…' is missing configuration values"), and it has no optional-without-default
 * (pulumi/pulumi#21797). Each default is the program's own meaning of "unset".
 */
export const PROJECT_DEFAULTS: Readonly<Record<string, unknown>> = Object.fromEntries(
    Object.entries(CONFIG_SCHEMA.properties).flatMap(([key, schema]) => ("default" in schema ? [[key, schema.default]] : [])),
);
