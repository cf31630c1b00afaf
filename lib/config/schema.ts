import {
    KUEUE_API_VERSIONS,
    KUEUE_GROUP,
    KUEUE_MANAGED_LABEL,
    KUEUE_PODSET_LABEL,
    LOOKUP_MODES,
    MIG_CONFIG_LABEL,
    NEURONCORE_RESOURCE,
    RETIRED_ANNOTATION,
    WORKLOAD_PRIORITY_CLASS_LABEL,
} from "../../policy/lib/contract";
/**
 * JSON Schema of the stack configuration (namespace `cluster-capacity:`). Checked with ajv before any
 * resource is registered; cross-field rules that a schema cannot say live in `poolRules.ts` and `operatorSettings.ts`.
 * `allowed` annotates a pattern with the words an error message shows instead of the regex.
 * Every key carries its documentation: `description` (what it means) and, where it has one, `defaultText`
 * (what an unset key means, in words). `npm run docs` writes docs/configuration.md from them
 * (lib/config/reference.ts); neither annotation changes what validates.
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
        id: { ...amiId, description: "pinned AMI id, no lookup (required when rendering offline)" },
        owners: {
            type: "array",
            minItems: 1,
            items: {
                type: "string",
                pattern: "^([0-9]{12}|self|amazon|aws-marketplace)$",
                allowed: "a 12-digit AWS account id, self, amazon or aws-marketplace",
            },
            description: "AMI owners for the lookup (the RHCOS publisher)",
            defaultText: '`["531415883065"]`',
        },
        namePattern: {
            type: "string",
            minLength: 1,
            description:
                "name filter, e.g. `rhcos-418.94.*-x86_64`, newest match: the fallback when rendering or when the cluster lists no AMI for the region",
        },
        managedByCluster: {
            type: "boolean",
            description: "OpenShift 4.19+ boot-image management: set once, then ignore AMI drift",
            defaultText: "`true` on OpenShift 4.19+, else `false`",
        },
    },
} as const;

const instanceSpec = {
    type: "object",
    additionalProperties: false,
    properties: {
        vcpus: { type: "integer", minimum: 1, description: "vCPUs" },
        memoryMiB: { type: "integer", minimum: 1, description: "memory" },
        gpus: { type: "integer", minimum: 0, description: "GPUs per instance", defaultText: "0" },
        gpuModel: { ...nonEmptyString, description: "e.g. `NVIDIA L4`" },
        gpuMemoryMiB: { type: "integer", minimum: 1, description: "memory of one GPU" },
        neuronDevices: { type: "integer", minimum: 0, description: "Inferentia/Trainium devices", defaultText: "0" },
        neuronCores: { type: "integer", minimum: 0, description: "NeuronCores of all devices", defaultText: "2 per device" },
    },
} as const;

const taint = {
    type: "object",
    additionalProperties: false,
    required: ["key", "effect"],
    properties: {
        key: { ...labelKey, description: "taint key" },
        value: { ...labelValue, description: "taint value" },
        effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"], description: "`NoSchedule`, `PreferNoSchedule` or `NoExecute`" },
    },
} as const;

const pool = {
    type: "object",
    additionalProperties: false,
    required: ["name", "accelerator", "instanceType"],
    properties: {
        name: { ...dns1123Label, description: "DNS-1123 label, unique; MachineSets are `<infraId>-<name>-<zone>` (≤ 63 characters)" },
        accelerator: {
            enum: ["nvidia", "neuron"],
            description: "`nvidia` (GPU) or `neuron` (Inferentia/Trainium; needs `neuron.enabled`)",
        },
        instanceType: {
            type: "string",
            pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$",
            allowed: "an EC2 instance type such as g6.4xlarge",
            description: "must have GPUs (`nvidia`) or Neuron devices (`neuron`)",
        },
        zones: {
            type: "array",
            minItems: 1,
            uniqueItems: true,
            items: { type: "string" },
            description: "availability zones of the cluster's region; one MachineSet per zone",
            defaultText:
                "with `aws` lookups on OpenShift: the cluster's zones (its private subnets) where AWS offers the type; else required",
        },
        market: { enum: ["on-demand", "spot"], description: "`on-demand` or `spot`", defaultText: "`on-demand`" },
        replicas: { type: "integer", minimum: 0, description: "machines per zone; not with `autoscaling`", defaultText: "0" },
        autoscaling: {
            type: "object",
            additionalProperties: false,
            required: ["minReplicas", "maxReplicas"],
            properties: {
                minReplicas: { type: "integer", minimum: 0, description: "per zone" },
                maxReplicas: { type: "integer", minimum: 1, description: "per zone, ≥ minReplicas" },
            },
            description: "a MachineAutoscaler per MachineSet",
            defaultText: "none",
        },
        labels: {
            type: "object",
            propertyNames: labelKey,
            additionalProperties: labelValue,
            description: "extra node labels (node roles, the pool and accelerator labels are managed)",
            defaultText: "`{}`",
        },
        taints: {
            type: "array",
            items: taint,
            description:
                "default `nvidia.com/gpu=true:NoSchedule`, or `aws.amazon.com/neuron=true:PreferNoSchedule` (Neuron pools refuse NoSchedule/NoExecute: the Neuron driver would never load)",
            defaultText: "per accelerator",
        },
        rootVolume: {
            type: "object",
            additionalProperties: false,
            properties: {
                sizeGiB: { type: "integer", minimum: 16, maximum: 16384, description: "size", defaultText: "120" },
                type: { enum: ["gp3", "gp2", "io1", "io2"], description: "`gp3`, `gp2`, `io1`, `io2`", defaultText: "`gp3`" },
                iops: { type: "integer", minimum: 0, description: "provisioned IOPS" },
                throughputMiBps: {
                    type: "integer",
                    minimum: 125,
                    maximum: 1000,
                    description:
                        "gp3 throughput, OpenShift 4.21 or later (rendered as `throughputMib`; earlier Machine APIs have no such field and would ignore it)",
                },
                kmsKeyArn: {
                    type: "string",
                    pattern: "^arn:aws[a-z-]*:kms:",
                    allowed: "a KMS key ARN",
                    description: "customer KMS key",
                    defaultText: "AWS-managed key",
                },
            },
            description: "root EBS volume, always encrypted",
        },
        timeSlicing: {
            type: "integer",
            minimum: 1,
            maximum: 64,
            description: "GPU time-slicing replicas per physical GPU (needs `gpuOperator.enabled`)",
            defaultText: "none",
        },
        kueueFlavor: { ...dns1123Label, description: "ResourceFlavor name", defaultText: "the pool name" },
        sysctls: {
            type: "object",
            propertyNames: { pattern: "^[a-z0-9_]+(\\.[a-z0-9_-]+)+$" },
            additionalProperties: { type: ["string", "integer"] },
            description: "sysctls for this pool's nodes (own MachineConfigPool)",
            defaultText: "`{}`",
        },
        kernelArguments: {
            type: "array",
            items: { type: "string", pattern: "^\\S+$", allowed: "one kernel argument without spaces" },
            description: "kernel arguments for this pool's nodes (own MachineConfigPool)",
            defaultText: "`[]`",
        },
        ami: { ...amiQuery, description: "per-pool AMI, of the same shape as `ami`", defaultText: "`ami`" },
        retired: {
            type: "boolean",
            description: `scale to 0, drop the autoscaler, keep the protected MachineSets and mark them \`${RETIRED_ANNOTATION}\` (the first step of retiring a pool: once they have no machines, the program and the deletion guard let them be deleted)`,
            defaultText: "`false`",
        },
        providerSpec: {
            type: "object",
            description:
                "deep-merged over the generated provider spec (the `AWSMachineProviderConfig`), for sites whose names differ (objects merge, arrays replace, `null` removes); instance type, AMI, market, zone, IMDS and volumes cannot be overridden",
            defaultText: "`{}`",
        },
        capacityReservations: {
            type: "array",
            uniqueItems: true,
            items: { type: "string", pattern: "^cr-[0-9a-f]{17}$", allowed: "a capacity reservation id such as cr-0123456789abcdef0" },
            description:
                "ODCR or Capacity Block ids (`cr-` and 17 hex digits). Each gets its own MachineSet `<infraId>-<pool>-<zone>-<last 8 hex digits of the id>` (≤ 63 characters) in the reservation's zone, with `capacityReservationId` (and `marketType: CapacityBlock` for a block), sized at most to the reservation; it counts against the reservation, not an EC2 quota. The reservation's type must be the pool's, its zone one of `zones` (when given), and it must not have ended more than `reservationWarningDays` ago. A pool with reservations and no `zones` has only its reserved MachineSets. OpenShift 4.18+, Capacity Blocks 4.19+; on-demand pools only.",
            defaultText: "`[]`",
        },
        driver: {
            type: "object",
            additionalProperties: false,
            properties: {
                version: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
                    allowed: "an NVIDIA driver version such as 580.95.05",
                    description: "its NVIDIA driver version (image `nvcr.io/nvidia/driver`)",
                    defaultText: "`gpuOperator.driverVersion`",
                },
                upgradePolicy: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        maxParallelUpgrades: {
                            type: "integer",
                            minimum: 0,
                            description: "nodes upgraded at once (0: all)",
                            defaultText: "`1`",
                        },
                        maxUnavailable: {
                            type: ["integer", "string"],
                            minimum: 0,
                            pattern: "^[0-9]+%?$",
                            allowed: "a node count or a percentage such as 1 or 25%",
                            description: "GPU nodes unavailable at once",
                            defaultText: "`25%`",
                        },
                        drain: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                enable: {
                                    type: "boolean",
                                    description: "drain the node before its driver is upgraded",
                                    defaultText: "`false`",
                                },
                                force: {
                                    type: "boolean",
                                    description: "also delete pods that no controller manages",
                                    defaultText: "`false`",
                                },
                                podSelector: { type: "string", description: "which pods to drain" },
                                timeoutSeconds: {
                                    type: "integer",
                                    minimum: 0,
                                    description: "how long the drain may take (0: no limit)",
                                    defaultText: "`300`",
                                },
                                deleteEmptyDir: {
                                    type: "boolean",
                                    description: "also drain pods with `emptyDir` volumes, whose data is lost",
                                    defaultText: "`false`",
                                },
                            },
                            description: "drain the node before the upgrade",
                            defaultText: "off",
                        },
                        waitForCompletion: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                podSelector: {
                                    type: "string",
                                    description: "the label selector of the pods to wait for",
                                    defaultText: `\`${KUEUE_PODSET_LABEL}\``,
                                },
                                timeoutSeconds: {
                                    type: "integer",
                                    minimum: 0,
                                    description: "how long to wait for them (0: forever)",
                                    defaultText: "`0` (forever)",
                                },
                            },
                            description: "pods to wait for before the upgrade",
                            defaultText: "Kueue pods, no timeout",
                        },
                    },
                    description: `merged over \`{autoUpgrade: true, maxParallelUpgrades: 1, maxUnavailable: 25%, waitForCompletion: {podSelector: kueue.x-k8s.io/podset, timeoutSeconds: 0}}\`: every pod of a Kueue-admitted workload carries \`${KUEUE_PODSET_LABEL}\`, so running jobs finish before the node's driver is replaced`,
                    defaultText: "one node at a time, after its Kueue pods",
                },
            },
            description: "with `gpuOperator.driverPerPool`: the pool's NVIDIADriver CR (named after the pool, on its nodes)",
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
                    description: "`all-<device>` such as `all-1g.10gb`, `all-balanced`, or a custom name with `devices`",
                },
                devices: {
                    type: "object",
                    minProperties: 1,
                    propertyNames: { pattern: "^[1-7]g\\.[0-9]+gb(\\+me)?$" },
                    additionalProperties: { type: "integer", minimum: 1, maximum: 7 },
                    description: 'a custom profile\'s MIG devices per GPU, such as `{"3g.40gb": 1, "1g.10gb": 4}`',
                },
            },
            description: `MIG: split the pool's GPUs (node label \`${MIG_CONFIG_LABEL}\`; needs \`gpuOperator.enabled\` and an A100, H100 or H200 type)`,
            defaultText: "none",
        },
        onDemandFallback: {
            type: "boolean",
            description:
                "spot pools with autoscaling: an on-demand MachineSet `<infraId>-<pool>-<zone>-od` beside each spot one, starting at 0 with the same maximum. The priority expander grows it only when no spot MachineSet can grow; it counts against the on-demand quota, and Kueue sees it as the flavor `<flavor>-on-demand` after the spot one.",
            defaultText: "`false`",
        },
        efa: {
            type: "boolean",
            description:
                "an Elastic Fabric Adapter on each machine (`networkInterfaceType: EFA`) and a security group `<infraId>-<pool>-efa` in the cluster VPC open to all traffic within itself, added to the MachineSets. Needs aws lookups (AWS says whether the type takes EFA), one zone, a `placementGroup`, and a stack that applies (not `renderDirectory`). The role needs `ec2:CreateSecurityGroup`, `ec2:AuthorizeSecurityGroupIngress`/`Egress` and `ec2:DescribeSubnets`.",
            defaultText: "`false`",
        },
        placementGroup: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            properties: {
                name: {
                    type: "string",
                    pattern: "^[A-Za-z0-9._-]{1,255}$",
                    allowed: "an EC2 placement group name",
                    description: "an existing placement group, or the one to create",
                },
                create: {
                    type: "boolean",
                    description:
                        "create it: an `aws.ec2.PlacementGroup` with strategy `cluster`, protected like the MachineSets (`ec2:CreatePlacementGroup`)",
                    defaultText: "`false`",
                },
            },
            description: "the EC2 placement group of the pool's machines (`placementGroupName`)",
            defaultText: "none",
        },
        healthCheck: {
            type: "object",
            additionalProperties: false,
            properties: {
                enabled: {
                    type: "boolean",
                    description: "replacing a reserved machine can lose its slot, so reserved pools have none unless set",
                    defaultText: "`true`; `false` with capacityReservations",
                },
                maxUnhealthy: {
                    type: ["integer", "string"],
                    minimum: 0,
                    pattern: "^((100|[0-9]{1,2})%|[0-9]+)$",
                    allowed: "a machine count or a percentage such as 1 or 20%",
                    description: "machines (or a percentage) remediated at once; beyond it remediation stops",
                    defaultText: "`1`",
                },
                nodeStartupTimeout: {
                    type: "string",
                    pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
                    allowed: "a Go duration such as 25m or 1h",
                    description:
                        "how long a new machine may go without a node before it is replaced (the Machine API's default, 10m, is short for large GPU instances to launch and boot). A node `NotReady` or `Unknown` for 10 minutes is also replaced",
                    defaultText: "`25m`",
                },
            },
            description: "a MachineHealthCheck replacing the pool's failed machines",
            defaultText: "enabled",
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
            description: "the cluster",
            properties: {
                name: { ...dns1123Label, description: "cluster name (DNS-1123 label)" },
                infraId: {
                    type: "string",
                    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                    maxLength: 32,
                    allowed: "the OpenShift infrastructure name (oc get infrastructure cluster -o jsonpath='{.status.infrastructureName}')",
                    description: "infrastructure name: `oc get infrastructure cluster -o jsonpath='{.status.infrastructureName}'`",
                    defaultText: "required on OpenShift",
                },
                platform: {
                    enum: ["openshift", "kubernetes"],
                    description: "`openshift`, or `kubernetes` (existing nodes, Helm)",
                    defaultText: "`openshift`",
                },
                openshiftVersion: {
                    type: "string",
                    pattern: "^4\\.[0-9]{1,2}$",
                    allowed: 'a "4.N" minor version such as "4.18"',
                    description: '`"4.N"`, 4.12 or later',
                    defaultText: "required on OpenShift",
                },
                region: {
                    type: "string",
                    pattern: "^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$",
                    allowed: "an AWS region such as us-east-2",
                    description: "AWS region",
                    defaultText: "`aws:region`",
                },
                accountId: {
                    type: "string",
                    pattern: "^[0-9]{12}$",
                    allowed: "a 12-digit AWS account id",
                    description: "12-digit guardrail: refuse to run with credentials of another account",
                    defaultText: "none",
                },
            },
        },
        network: {
            default: {},
            type: "object",
            additionalProperties: false,
            description:
                "where new pools' machines attach (subnet, security groups, instance profile, user-data and credentials secrets, tags), by precedence: `subnets` + `securityGroups` here; else copied per zone from the cluster's worker MachineSet `<infraId>-worker-<zone>` (read through the provider; a missing one stops the run); else, when rendering with AWS lookups, the cluster-tagged subnet and worker security groups in AWS, under either installer's names. Never derived from `openshiftVersion`: an upgraded cluster keeps the names it was installed with",
            properties: {
                workerMachineSet: {
                    type: "string",
                    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                    maxLength: 63,
                    allowed: "the name of a worker MachineSet in openshift-machine-api",
                    description:
                        "the worker MachineSet to copy from instead, its subnet's zone swapped (a subnet given by id cannot be swapped)",
                    defaultText: "`<infraId>-worker-<zone>`",
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
                    description: "zone → subnet id (`subnet-…`) or Name tag; explicit, required for every pool zone",
                },
                securityGroups: {
                    type: "array",
                    minItems: 1,
                    items: nonEmptyString,
                    description: "worker security group ids (`sg-…`) or Name tags; explicit",
                },
                instanceProfile: {
                    ...nonEmptyString,
                    description: "instance profile, with explicit subnets",
                    defaultText: "`<infraId>-worker-profile`",
                },
            },
            defaultText: "discovered",
        },
        lookups: {
            default: "aws",
            enum: [...LOOKUP_MODES],
            description: "`aws` or `offline` (no AWS call at all)",
            defaultText: "`aws` (`offline` for plain Kubernetes outside AWS)",
        },
        quotas: {
            default: {},
            type: "object",
            properties: {
                requestIncrease: {
                    type: "boolean",
                    description:
                        "with `lookups: aws`: request an increase (`aws.servicequotas.ServiceQuota`, value = the stack's maximum demand plus what is in use outside it) of each quota the pools exceed; the run then registers only those requests and fails until AWS grants them",
                    defaultText: "`false`",
                },
            },
            propertyNames: {
                ...quotaCode,
                pattern: "^(L-[0-9A-F]{8}|requestIncrease)$",
                allowed: `${quotaCode.allowed}, or requestIncrease`,
            },
            additionalProperties: { type: "integer", minimum: 0 },
            description: "quota code → vCPUs; required offline for each quota the pools use, a lower cap with `aws`",
            defaultText: "`{}`",
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
                    kind: {
                        type: "string",
                        enum: ["on-demand", "capacity-block"],
                        description: "`on-demand` (an On-Demand Capacity Reservation) or `capacity-block` (an EC2 Capacity Block for ML)",
                    },
                    instanceType: {
                        type: "string",
                        pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9-]+$",
                        allowed: "an EC2 instance type",
                        description: "the reserved instance type; must be the pool's",
                    },
                    availabilityZone: {
                        type: "string",
                        pattern: "^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$",
                        allowed: "an availability zone",
                        description: "the reservation's zone: its MachineSet's zone",
                    },
                    instanceCount: {
                        type: "integer",
                        minimum: 1,
                        description: "instances reserved: the most machines its MachineSet can have",
                    },
                    startDate: {
                        type: "string",
                        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        allowed: "an ISO 8601 date-time such as 2026-12-01T11:30:00Z",
                        description: "ISO 8601; before it, the MachineSet stays at 0 machines",
                    },
                    endDate: {
                        type: "string",
                        pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
                        allowed: "an ISO 8601 date-time such as 2026-12-01T11:30:00Z",
                        description:
                            "ISO 8601; within `reservationWarningDays` before it the run warns; after it the MachineSet is scaled to 0 and the quota held, and once it is more than `reservationWarningDays` past the run stops (remove the reservation)",
                    },
                },
            },
            description:
                "Offline lookups only: what AWS would say of each reservation a pool names, by id. With aws lookups EC2 says (`aws.ec2.CapacityReservation.get` and DescribeCapacityReservations), and this key is refused.",
            defaultText: "`{}`",
        },
        efaDevicePlugin: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                image: {
                    ...nonEmptyString,
                    description:
                        "the plugin image aws/eks-charts deploys. It sits in EKS's ECR registry: OpenShift's kubelet has the ECR credential provider (4.14+), but the installer's worker role has no ECR permission, so add ECR read access to it or mirror the image",
                    defaultText: "`602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.20`",
                },
            },
            description: "the AWS EFA device plugin, deployed when a pool has `efa` (namespace `cluster-capacity-efa`, privileged SCC)",
        },
        reservationWarningDays: {
            default: 7,
            type: "integer",
            minimum: 0,
            description:
                "warn when a reservation ends within this many days; a reservation that has ended is scaled to 0, and stops the run this many days after its end",
            defaultText: "7",
        },
        usage: {
            default: {},
            type: "object",
            propertyNames: quotaCode,
            additionalProperties: { type: "integer", minimum: 0 },
            description:
                "offline lookups: quota code → vCPUs in use outside this stack now (other clusters and workloads of the account); with `aws` lookups the `AWS/Usage` CloudWatch metric named by Service Quotas, minus this stack's running Machines",
            defaultText: "`{}`",
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
                "type → spec, over the built-in catalogue offline; with `aws` lookups it only adds what AWS does not report (AWS's vCPU, GPU and Neuron counts cannot be lowered)",
            defaultText: "`{}`",
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
                properties: {
                    onDemandHourlyUsd: { type: "number", minimum: 0, description: "On-Demand USD per hour" },
                    spotHourlyUsd: { type: "number", minimum: 0, description: "spot USD per hour" },
                },
            },
            description: "type → prices for the cost report (win over AWS's)",
            defaultText: "`{}`",
        },
        ami: {
            default: {},
            ...amiQuery,
            description:
                "node AMI, by precedence: `id`, else the boot image the cluster publishes (ConfigMap `openshift-machine-config-operator/coreos-bootimages`, for the pool's architecture and region), else the `owners` + `namePattern` lookup",
            defaultText: "the cluster's boot image",
        },
        pools: { default: [], type: "array", items: pool, description: "node pools", defaultText: "`[]`" },
        gpuOperator: {
            default: {},
            type: "object",
            additionalProperties: false,
            description: "NVIDIA GPU Operator",
            properties: {
                enabled: { type: "boolean", description: "install it", defaultText: "`false`" },
                install: {
                    enum: ["olm", "helm"],
                    description: "how to install it: OLM, or NVIDIA's Helm chart",
                    defaultText: "`olm` on OpenShift, `helm` on Kubernetes",
                },
                channel: {
                    type: "string",
                    minLength: 1,
                    description: "OLM channel, e.g. `v25.3`; must be a line NVIDIA supports on the cluster's OpenShift",
                    defaultText: "`v<major.minor>` of `version`, else the version matrix's line",
                },
                version: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+\\.[0-9]+$",
                    allowed: "a GPU Operator release such as 25.3.0",
                    description:
                        "pin a release, e.g. `26.7.0`: the OLM starting CSV `gpu-operator-certified.v<version>`, or the Helm chart version",
                    defaultText: "none",
                },
                installPlanApproval: {
                    enum: ["Manual", "Automatic"],
                    description: "OLM InstallPlan approval",
                    defaultText: "`Manual` with `version`, else `Automatic`",
                },
                nfd: { type: "boolean", description: "install Node Feature Discovery", defaultText: "`true`" },
                driverVersion: {
                    type: "string",
                    pattern: "^[0-9]+\\.[0-9]+(\\.[0-9]+)?$",
                    allowed: "an NVIDIA driver version such as 580.95.05",
                    description:
                        "with driverPerPool: the default CR's driver version (for GPU nodes outside this stack's pools), and the pools' unless they set their own (required: a CR without a version has no fallback)",
                },
                driverPerPool: {
                    type: "boolean",
                    description:
                        "one NVIDIADriver CR per GPU pool and a default one for every other GPU node; the ClusterPolicy gets `driver.useNvidiaDriverCRD: true`. GPU Operator v26.7+ with OLM (26.7 takes running drivers over node by node; earlier lines delete every driver pod at once). Turning it on restarts the driver on every GPU node, one node at a time per each CR's upgradePolicy; every preview says so",
                    defaultText: "`false`",
                },
                mig: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        strategy: {
                            enum: ["none", "single", "mixed"],
                            description: "`none`, `single` or `mixed`",
                            defaultText:
                                "`single`; with MIG pools, `single` only when every GPU pool has the same one-device layout, else `mixed`",
                        },
                    },
                    description: "MIG",
                },
                monitoring: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        serviceMonitor: {
                            type: "boolean",
                            description: "DCGM exporter ServiceMonitor",
                            defaultText: "`true` on OpenShift",
                        },
                        dashboard: { type: "boolean", description: "console dashboard", defaultText: "`true` on OpenShift" },
                        idleGpuAlert: {
                            type: "object",
                            additionalProperties: false,
                            properties: {
                                enabled: { type: "boolean", description: "render it", defaultText: "`true` on OpenShift" },
                                utilizationPercent: {
                                    type: "integer",
                                    minimum: 1,
                                    maximum: 100,
                                    description: "idle below this average",
                                    defaultText: "5",
                                },
                                windowMinutes: {
                                    type: "integer",
                                    minimum: 5,
                                    maximum: 1440,
                                    description: "over this window",
                                    defaultText: "60",
                                },
                            },
                            description: "GPU hoarding alert",
                        },
                    },
                    description: "monitoring",
                },
            },
        },
        kueue: {
            default: {},
            type: "object",
            additionalProperties: false,
            description: "Kueue GPU-as-a-service",
            properties: {
                enabled: { type: "boolean", description: "render the queues", defaultText: "`false`" },
                apiVersion: {
                    enum: [...KUEUE_API_VERSIONS],
                    description: `the \`${KUEUE_GROUP}\` API version: \`v1beta2\`, or \`v1beta1\` for older Kueue (\`stable-v1.0\` to \`stable-v1.2\` serve only v1beta1)`,
                    defaultText: "the operator channel's, else `v1beta2`",
                },
                operator: {
                    type: "object",
                    additionalProperties: false,
                    description: "the Red Hat build of Kueue",
                    properties: {
                        enabled: { type: "boolean", description: "install it (OpenShift)", defaultText: "`false`" },
                        channel: {
                            ...nonEmptyString,
                            description: "OLM channel of the cluster's catalog (case-sensitive)",
                            defaultText: "the version matrix's (`stable-v1.4`)",
                        },
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
                            description: "integrations of the `Kueue` CR",
                            defaultText: "`BatchJob, PyTorchJob, RayJob, RayCluster`",
                        },
                    },
                },
                clusterQueue: { ...dns1123Label, description: "ClusterQueue name", defaultText: "`gpu-cluster-queue`" },
                cohort: { ...dns1123Label, description: "cohort to borrow and lend in", defaultText: "none" },
                queueingStrategy: {
                    enum: ["BestEffortFIFO", "StrictFIFO"],
                    description: "`BestEffortFIFO` or `StrictFIFO`",
                    defaultText: "`BestEffortFIFO`",
                },
                preemption: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        withinClusterQueue: {
                            enum: ["Never", "LowerPriority", "LowerOrNewerEqualPriority"],
                            description: "`Never`, `LowerPriority`, `LowerOrNewerEqualPriority`",
                            defaultText: "`LowerPriority`",
                        },
                        reclaimWithinCohort: {
                            enum: ["Never", "LowerPriority", "Any"],
                            description: "`Never`, `LowerPriority`, `Any`",
                            defaultText: "`Any` with a cohort, else `Never`",
                        },
                    },
                    description: "preemption",
                },
                namespaces: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name"],
                        properties: {
                            name: { ...dns1123Label, description: "namespace" },
                            localQueue: { ...dns1123Label, description: "LocalQueue name", defaultText: "`<name>-queue`" },
                            create: { type: "boolean", description: "create the namespace", defaultText: "`false`" },
                        },
                    },
                    description: "tenant namespaces",
                    defaultText: "`[]`",
                },
                provisioning: {
                    type: "boolean",
                    description:
                        "admit a workload only once the cluster autoscaler has provisioned room for all its pods: an AdmissionCheck `gpu-provisioning` with a ProvisioningRequestConfig (for the accelerator resources) required by every ClusterQueue. Plain Kubernetes only, with a cluster autoscaler run with `--enable-provisioning-requests`; refused on OpenShift, whose autoscaler serves ProvisioningRequests only from 4.21 and only in the DevPreviewNoUpgrade feature set",
                    defaultText: "`false`",
                },
                provisioningClass: {
                    enum: ["best-effort-atomic-scale-up.autoscaling.x-k8s.io", "check-capacity.autoscaling.x-k8s.io"],
                    description:
                        "the ProvisioningRequest class: the default scales the pools up for the whole gang, or not at all; or `check-capacity.autoscaling.x-k8s.io` (only check that the pods fit now)",
                    defaultText: "`best-effort-atomic-scale-up.autoscaling.x-k8s.io`",
                },
                teams: {
                    type: "array",
                    description:
                        "GPU as a service for several teams: one ClusterQueue per team (named after it) in `kueue.cohort` (default `gpu-as-a-service`), with preemption `reclaimWithinCohort: Any` so a team takes back what it lent, and no shared ClusterQueue. Each flavor's quota is split between the teams by `share` or `nominal`, adding up exactly to what the pools provide when the shares add up to 1 (a warning names what no team holds otherwise; more than the pools is an error). Not with `kueue.namespaces`.",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "namespaces"],
                        properties: {
                            name: { ...dns1123Label, description: "the team, and its ClusterQueue's name" },
                            namespaces: {
                                type: "array",
                                minItems: 1,
                                items: {
                                    type: "object",
                                    additionalProperties: false,
                                    required: ["name"],
                                    properties: {
                                        name: { ...dns1123Label, description: "namespace" },
                                        localQueue: { ...dns1123Label, description: "LocalQueue name", defaultText: "`<namespace>-queue`" },
                                        create: {
                                            type: "boolean",
                                            description: "create the namespace (never for system or operator namespaces)",
                                            defaultText: "`false`",
                                        },
                                    },
                                },
                                description: `the team's namespaces, each with a LocalQueue for the team's ClusterQueue (and the \`${KUEUE_MANAGED_LABEL}\` label on OpenShift)`,
                            },
                            share: {
                                type: "number",
                                exclusiveMinimum: 0,
                                maximum: 1,
                                description: "a fraction of every flavor (cpu, memory and devices alike); or",
                            },
                            nominal: {
                                type: "object",
                                additionalProperties: { type: "integer", minimum: 0 },
                                description: "accelerator devices per flavor (`{h100: 8}`), cpu and memory in proportion",
                            },
                            borrowingLimit: {
                                type: "number",
                                minimum: 0,
                                description: "how much the team may borrow, as a fraction of its own quota per flavor and resource",
                                defaultText: "unlimited",
                            },
                            lendingLimit: {
                                type: "number",
                                minimum: 0,
                                maximum: 1,
                                description: "how much of its own quota it lends, as a fraction (the rest is held for it)",
                                defaultText: "all of it",
                            },
                            fairSharingWeight: {
                                type: "number",
                                exclusiveMinimum: 0,
                                description: "the ClusterQueue's `fairSharing.weight` (used when Kueue runs with fair sharing)",
                            },
                            priorityClasses: {
                                type: "array",
                                minItems: 1,
                                uniqueItems: true,
                                items: dns1123Label,
                                description: `the WorkloadPriorityClasses (of \`kueue.priorityClasses\`) the team's jobs may name in \`${WORKLOAD_PRIORITY_CLASS_LABEL}\`: a ValidatingAdmissionPolicy \`kueue-team-<team>-priority-classes\` denies others in its namespaces (Kubernetes 1.30+, OpenShift 4.17+)`,
                                defaultText: "any",
                            },
                        },
                    },
                    defaultText: "`[]`",
                },
                priorityClasses: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "value"],
                        properties: {
                            name: { ...dns1123Label, description: "name" },
                            // WorkloadPriorityClass.value is an int32.
                            value: { type: "integer", minimum: -2147483648, maximum: 2147483647, description: "priority" },
                            description: { type: "string", description: "description" },
                        },
                    },
                    description: "WorkloadPriorityClasses",
                    defaultText: "`[]`",
                },
                hardwareProfiles: {
                    type: "object",
                    additionalProperties: false,
                    description: "OpenShift AI HardwareProfiles per flavor",
                    properties: {
                        enabled: { type: "boolean", description: "render them", defaultText: "`false`" },
                        namespace: { ...dns1123Label, description: "their namespace", defaultText: "`redhat-ods-applications`" },
                        localQueue: {
                            ...dns1123Label,
                            description: "the LocalQueue they submit to; required when there are several",
                            defaultText: "the LocalQueue, when there is exactly one",
                        },
                    },
                },
            },
        },
        neuron: {
            default: {},
            type: "object",
            additionalProperties: false,
            description: "Inferentia: the gate and its stack",
            properties: {
                enabled: { type: "boolean", description: "the Inferentia gate (OpenShift 4.19+)", defaultText: "`false`" },
                neuronCoreQuota: { type: "boolean", description: `also quota \`${NEURONCORE_RESOURCE}\``, defaultText: "`false`" },
                operatorChannel: {
                    ...nonEmptyString,
                    description: "AWS Neuron operator channel: `Stable` or `Fast` in `community-operators` (case-sensitive)",
                    defaultText: "`Stable`",
                },
                operatorSource: { ...nonEmptyString, description: "its catalog", defaultText: "`community-operators`" },
                images: {
                    type: "object",
                    additionalProperties: false,
                    properties: {
                        devicePlugin: { ...nonEmptyString, description: "device plugin" },
                        customScheduler: {
                            ...nonEmptyString,
                            description: "kube-scheduler, no newer than the cluster's Kubernetes",
                            defaultText:
                                "the version matrix's (`v1.32.9-eks-1-32-24` on 4.19 and 4.20, `v1.34.4-eks-1-34-16` on 4.21, `v1.35.5-eks-1-35-10` on 4.22)",
                        },
                        schedulerExtension: { ...nonEmptyString, description: "Neuron scheduler extension" },
                        nodeMetrics: { ...nonEmptyString, description: "neuron-monitor" },
                        drivers: { ...nonEmptyString, description: "kernel module image" },
                    },
                    description: "DeviceConfig images",
                    defaultText: "the operator's sample on main (1.3.0)",
                },
                driverVersion: { ...nonEmptyString, description: "driver version for rolling upgrades", defaultText: "none" },
            },
        },
        operatorInstallTimeout: {
            default: "30m",
            type: "string",
            pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$",
            allowed: "a duration such as 30m",
            description:
                "how long `up` waits for OLM to install each operator (its Subscription's `installedCSV`; a Manual InstallPlan holds it until approved) before failing",
            defaultText: "`30m`",
        },
        smokeTests: {
            default: false,
            type: "boolean",
            description: "a one-device validation Job per pool (`nvidia-smi` or `neuron-ls`)",
            defaultText: "`false`",
        },
        smokeTestImages: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                nvidia: { ...nonEmptyString, description: "runs `nvidia-smi`", defaultText: "CUDA base image" },
                neuron: { ...nonEmptyString, description: "runs `neuron-ls`", defaultText: "Neuron PyTorch image" },
            },
            description: "the smoke-test Jobs' images",
        },
        renderDirectory: {
            default: "",
            type: "string",
            minLength: 1,
            description: "write YAML here instead of talking to a cluster",
            defaultText: "none",
        },
        kubernetes: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                context: { ...nonEmptyString, description: "kube context" },
                kubeconfig: { ...nonEmptyString, description: "kubeconfig path or contents" },
            },
            description: "cluster access",
            defaultText: "ambient kubeconfig",
        },
        clusterAutoscaler: {
            default: {},
            type: "object",
            additionalProperties: false,
            properties: {
                maxNodeProvisionTime: {
                    type: "string",
                    pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$",
                    allowed: "a duration such as 30m",
                    description: "give GPU nodes time to boot",
                    defaultText: "`30m`",
                },
                scaleDownEnabled: { type: "boolean", description: "scale down", defaultText: "`true`" },
                scaleDownDelayAfterAdd: {
                    type: "string",
                    pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$",
                    allowed: "a duration such as 10m",
                    description:
                        "how long after a scale-up the autoscaler waits before it considers scaling down (`scaleDown.delayAfterAdd`)",
                    defaultText: "`10m`",
                },
                scaleDownUnneededTime: {
                    type: "string",
                    pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))+$",
                    allowed: "a duration such as 10m",
                    description: "how long a node must be unneeded before it is removed (`scaleDown.unneededTime`)",
                    defaultText: "`10m`",
                },
            },
            description: "the cluster-wide ClusterAutoscaler `default`, rendered when a pool autoscales",
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
