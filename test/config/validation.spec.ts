import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../../lib/config/validate";
import { rawConfigFrom, runtimeConfig } from "../../lib/config/load";
import { runProgram, StackConfig } from "../support/harness";
import * as fs from "fs";
import * as path from "path";
import { AwsFixture, TOKENS } from "../support/aws";
import { gpuPool, offlineStack, PROD_AWS, REPO } from "../support/scenarios";

interface BadInput {
    what: string;
    config: StackConfig;
    aws?: AwsFixture;
    /** Key path, the bad value as the message shows it, and words from what is allowed. */
    path: string;
    got: string;
    allowed: string;
}

const cluster = (extra: Record<string, unknown>) => ({
    name: "test",
    infraId: "test-abcde",
    openshiftVersion: "4.18",
    region: "us-east-2",
    ...extra,
});
const onlineStack = (overrides: StackConfig = {}, pools = [gpuPool("l4")]): StackConfig =>
    offlineStack(
        {
            "cluster-capacity:lookups": "aws",
            "cluster-capacity:quotas": {},
            "cluster-capacity:ami": { namePattern: "rhcos-418.94.*-x86_64" },
            ...overrides,
        },
        pools,
    );

const BAD_INPUTS: BadInput[] = [
    {
        what: "a cluster name that is not a DNS-1123 label",
        config: offlineStack({ "cluster-capacity:cluster": cluster({ name: "Prod_East" }) }),
        path: "cluster-capacity:cluster.name",
        got: '"Prod_East"',
        allowed: "DNS-1123 label",
    },
    {
        what: "a pool name that is not a DNS-1123 label",
        config: offlineStack({}, [gpuPool("GPU_pool")]),
        path: "cluster-capacity:pools[0].name",
        got: '"GPU_pool"',
        allowed: "DNS-1123 label",
    },
    {
        what: "two pools with the same name",
        config: offlineStack({}, [gpuPool("l4"), gpuPool("l4", { zones: ["us-east-2b"] })]),
        path: "cluster-capacity:pools[1].name",
        got: '"l4"',
        allowed: "pools[0] is also",
    },
    {
        what: "minReplicas above maxReplicas",
        config: offlineStack({}, [gpuPool("l4"), gpuPool("l4-quad", { autoscaling: { minReplicas: 3, maxReplicas: 2 } })]),
        path: "cluster-capacity:pools[1].autoscaling.maxReplicas",
        got: "2",
        allowed: ">= minReplicas (3)",
    },
    {
        what: "negative replicas",
        config: offlineStack({}, [gpuPool("l4", { replicas: -1 })]),
        path: "cluster-capacity:pools[0].replicas",
        got: "-1",
        allowed: ">= 0",
    },
    {
        what: "an empty zone list",
        config: offlineStack({}, [gpuPool("l4", { zones: [] })]),
        path: "cluster-capacity:pools[0].zones",
        got: "[]",
        allowed: "at least 1 item",
    },
    {
        what: "a zone outside the cluster's region",
        config: offlineStack({}, [gpuPool("l4", { zones: ["us-east-2a", "us-west-2a"] })]),
        path: "cluster-capacity:pools[0].zones[1]",
        got: '"us-west-2a"',
        allowed: "an availability zone of us-east-2",
    },
    {
        what: "the same zone twice",
        config: offlineStack({}, [gpuPool("l4", { zones: ["us-east-2a", "us-east-2a"] })]),
        path: "cluster-capacity:pools[0].zones",
        got: '["us-east-2a","us-east-2a"]',
        allowed: "no duplicates",
    },
    {
        what: "an unknown market",
        config: offlineStack({}, [gpuPool("l4", { market: "reserved" })]),
        path: "cluster-capacity:pools[0].market",
        got: '"reserved"',
        allowed: "one of on-demand, spot",
    },
    {
        what: "an unknown accelerator",
        config: offlineStack({}, [gpuPool("l4", { accelerator: "amd" })]),
        path: "cluster-capacity:pools[0].accelerator",
        got: '"amd"',
        allowed: "one of nvidia, neuron",
    },
    {
        what: "an unknown taint effect",
        config: offlineStack({}, [gpuPool("l4", { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoRun" }] })]),
        path: "cluster-capacity:pools[0].taints[0].effect",
        got: '"NoRun"',
        allowed: "one of NoSchedule, PreferNoSchedule, NoExecute",
    },
    {
        what: "an instance type the offline catalogue does not know",
        config: offlineStack({}, [gpuPool("l4", { instanceType: "g9.xlarge" })]),
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g9.xlarge"',
        allowed: "built-in catalogue",
    },
    {
        what: "an instance type AWS does not offer",
        config: onlineStack({}, [gpuPool("l4", { instanceType: "g6.5xlarge" })]),
        aws: { ...PROD_AWS, amis: { "rhcos-418.94.*-x86_64": "ami-0123456789abcdef0" } },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g6.5xlarge"',
        allowed: "an instance type AWS offers in us-east-2",
    },
    {
        what: "an NVIDIA pool on an instance type without GPUs",
        config: offlineStack(
            {
                "cluster-capacity:instanceTypes": { "m6i.xlarge": { vcpus: 4, memoryMiB: 16384 } },
                "cluster-capacity:quotas": { "L-1216C47A": 64 },
            },
            [gpuPool("cpu", { instanceType: "m6i.xlarge" })],
        ),
        path: "cluster-capacity:pools[0].instanceType",
        got: '"m6i.xlarge"',
        allowed: "with NVIDIA GPUs",
    },
    {
        what: "a MachineSet name over 63 characters",
        config: offlineStack({}, [gpuPool("a-pool-name-long-enough-to-break-the-label-limit")]),
        path: "cluster-capacity:pools[0].name",
        got: '"a-pool-name-long-enough-to-break-the-label-limit"',
        allowed: "at most 63 are allowed",
    },
    {
        what: "a missing cluster.infraId",
        config: offlineStack({ "cluster-capacity:cluster": { name: "test", openshiftVersion: "4.18", region: "us-east-2" } }),
        path: "cluster-capacity:cluster.infraId",
        got: "nothing",
        allowed: "infrastructure name",
    },
    {
        what: "an openshiftVersion that is not 4.N",
        config: offlineStack({ "cluster-capacity:cluster": cluster({ openshiftVersion: "4.18.3" }) }),
        path: "cluster-capacity:cluster.openshiftVersion",
        got: '"4.18.3"',
        allowed: '"4.N" minor version',
    },
    {
        what: "an OpenShift version older than supported",
        config: offlineStack({ "cluster-capacity:cluster": cluster({ openshiftVersion: "4.10" }) }),
        path: "cluster-capacity:cluster.openshiftVersion",
        got: '"4.10"',
        allowed: "4.12 or later",
    },
    {
        what: "an unknown lookups mode",
        config: offlineStack({ "cluster-capacity:lookups": "online" }),
        path: "cluster-capacity:lookups",
        got: '"online"',
        allowed: "one of aws, offline",
    },
    {
        what: "a typo in a pool key",
        config: offlineStack({}, [gpuPool("l4", { replica: 2 })]),
        path: "cluster-capacity:pools[0].replica",
        got: "2",
        allowed: "no such key",
    },
    {
        what: "a typo in a cluster key",
        config: offlineStack({ "cluster-capacity:cluster": cluster({ infraID: "x" }) }),
        path: "cluster-capacity:cluster.infraID",
        got: '"x"',
        allowed: "known keys: name, infraId",
    },
    {
        what: "a typo in a top-level key",
        config: { ...offlineStack(), "cluster-capacity:pool": [] },
        path: "cluster-capacity:pool",
        got: "[]",
        allowed: "no such key",
    },
    {
        what: "a typo in an autoscaling key",
        config: offlineStack({}, [gpuPool("l4", { autoscaling: { minReplicas: 0, max: 2 } })]),
        path: "cluster-capacity:pools[0].autoscaling.max",
        got: "2",
        allowed: "no such key",
    },
    {
        what: "a neuron pool without the Inferentia gate",
        config: offlineStack({}, [gpuPool("inf", { accelerator: "neuron", instanceType: "inf2.xlarge" })]),
        path: "cluster-capacity:pools[0].accelerator",
        got: '"neuron"',
        allowed: "neuron.enabled: true",
    },
    {
        what: "the Inferentia gate on OpenShift 4.18",
        config: offlineStack({ "cluster-capacity:neuron": { enabled: true } }),
        path: "cluster-capacity:neuron.enabled",
        got: "true",
        allowed: "needs OpenShift 4.19",
    },
    {
        what: "offline lookups without a pinned AMI",
        config: offlineStack({ "cluster-capacity:ami": { namePattern: "rhcos-418.*" } }),
        path: "cluster-capacity:ami.id",
        got: "nothing",
        allowed: "offline lookups cannot search AMIs",
    },
    {
        what: "rendering YAML with AWS lookups but neither a pinned AMI nor a name pattern",
        config: onlineStack({ "cluster-capacity:ami": { owners: ["531415883065"] } }),
        path: "cluster-capacity:ami",
        got: '{"owners":["531415883065"]}',
        allowed: "renderDirectory reads nothing from the cluster, so its boot image cannot be used",
    },
    {
        what: "a misspelt key holding a kubeconfig with a token",
        config: offlineStack({
            "cluster-capacity:kubernetes": { kubeconfg: "apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: sha256~s3cr3tT0k3n" },
        }),
        path: "cluster-capacity:kubernetes.kubeconfg",
        got: "a hidden value (",
        allowed: "no such key (a typo?)",
    },
    {
        what: "an aws:region that is not a region",
        config: {
            ...offlineStack({ "cluster-capacity:cluster": { name: "t", infraId: "t-1", openshiftVersion: "4.18" } }),
            "aws:region": "us-east-(2",
        },
        path: "cluster-capacity:cluster.region",
        got: '"us-east-(2"',
        allowed: "taken from aws:region",
    },
    {
        what: "expired AWS credentials",
        config: onlineStack(),
        aws: { ...PROD_AWS, callerIdentityError: "ExpiredToken: The security token included in the request is expired" },
        path: "cluster-capacity:lookups",
        got: '"aws"',
        allowed:
            "sts:GetCallerIdentity failed because the AWS credentials are expired, invalid or missing: refresh them (e.g. aws sso login), or use lookups: offline",
    },
    {
        what: "missing AWS credentials",
        config: onlineStack(),
        aws: {
            ...PROD_AWS,
            callerIdentityError: "error configuring Terraform AWS Provider: no valid credential sources for AWS Provider found",
        },
        path: "cluster-capacity:lookups",
        got: '"aws"',
        allowed: "sts:GetCallerIdentity failed because the AWS credentials are expired, invalid or missing",
    },
    {
        what: "credentials denied ec2:DescribeInstanceTypes",
        config: onlineStack(),
        aws: {
            ...PROD_AWS,
            invokeErrors: {
                [TOKENS.instanceType]:
                    "operation error EC2: DescribeInstanceTypes, https response error StatusCode: 403, api error UnauthorizedOperation: You are not authorized to perform this operation.",
            },
        },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g6.4xlarge"',
        allowed: "ec2:DescribeInstanceTypes was denied: grant ec2:DescribeInstanceTypes to the identity that runs Pulumi",
    },
    {
        what: "a throttled Service Quotas call",
        config: onlineStack(),
        aws: {
            ...PROD_AWS,
            invokeErrors: {
                [TOKENS.serviceQuota]: "operation error Service Quotas: GetServiceQuota, api error TooManyRequestsException: Rate exceeded",
            },
        },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g6.4xlarge"',
        allowed: "AWS throttled servicequotas:GetServiceQuota: run again in a minute",
    },
    {
        what: "credentials denied ec2:DescribeInstanceTypeOfferings",
        config: onlineStack(),
        aws: {
            ...PROD_AWS,
            invokeErrors: { [TOKENS.offerings]: "AccessDenied: User is not authorized to perform: ec2:DescribeInstanceTypeOfferings" },
        },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g6.4xlarge"',
        allowed: "ec2:DescribeInstanceTypeOfferings was denied: grant ec2:DescribeInstanceTypeOfferings",
    },
    {
        what: "a quota AWS returns without a value",
        config: onlineStack(),
        aws: { ...PROD_AWS, quotas: { "L-DB2E81BA": Number.NaN } },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g6.4xlarge"',
        allowed: "Service Quotas returned none",
    },
    {
        what: "an nvidia pool on AMD GPUs (g4ad)",
        config: onlineStack({}, [gpuPool("amd", { instanceType: "g4ad.xlarge" })]),
        aws: {
            ...PROD_AWS,
            quotas: { "L-DB2E81BA": 64 },
            instanceTypes: { "g4ad.xlarge": { vcpus: 4, memoryMiB: 16384, gpus: 1, gpuModel: "AMD Radeon Pro V520" } },
        },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"g4ad.xlarge"',
        allowed: "its GPUs are AMD Radeon Pro V520",
    },
    {
        what: "an nvidia pool on Habana Gaudi accelerators (dl1)",
        config: onlineStack({}, [gpuPool("gaudi", { instanceType: "dl1.24xlarge" })]),
        aws: {
            ...PROD_AWS,
            quotas: { "L-6E869C2A": 1024 },
            instanceTypes: { "dl1.24xlarge": { vcpus: 96, memoryMiB: 786432, gpus: 8, gpuModel: "Habana Gaudi HL-205" } },
        },
        path: "cluster-capacity:pools[0].instanceType",
        got: '"dl1.24xlarge"',
        allowed: "its GPUs are Habana Gaudi HL-205",
    },
    {
        what: "a Kueue namespace created in openshift-machine-api",
        config: offlineStack({
            "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "openshift-machine-api", create: true }] },
        }),
        path: "cluster-capacity:kueue.namespaces[0].create",
        got: "true",
        allowed: "system and operator namespaces are only labelled",
    },
    {
        what: "a Kueue namespace created in kube-system",
        config: offlineStack({ "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "kube-system", create: true }] } }),
        path: "cluster-capacity:kueue.namespaces[0].create",
        got: "true",
        allowed: "false for kube-system",
    },
    {
        what: "a label under kubernetes.io/",
        config: offlineStack({}, [gpuPool("l4", { labels: { "kubernetes.io/hostname": "gpu-1" } })]),
        path: 'cluster-capacity:pools[0].labels["kubernetes.io/hostname"]',
        got: '"gpu-1"',
        allowed: "a label this program does not set itself",
    },
    {
        what: "a priority beyond int32",
        config: offlineStack({ "cluster-capacity:kueue": { enabled: true, priorityClasses: [{ name: "huge", value: 2147483648 }] } }),
        path: "cluster-capacity:kueue.priorityClasses[0].value",
        got: "2147483648",
        allowed: "a number <= 2147483647",
    },
    {
        what: "the masters' user data for a pool",
        config: offlineStack({}, [gpuPool("l4", { providerSpec: { userDataSecret: { name: "master-user-data" } } })]),
        path: "cluster-capacity:pools[0].providerSpec.userDataSecret.name",
        got: '"master-user-data"',
        allowed: "worker-user-data or worker-user-data-managed (or leave it out)",
    },
    {
        what: "an offline stack without the quota its pools use",
        config: offlineStack({ "cluster-capacity:quotas": { "L-DB2E81BA": 64 } }, [gpuPool("spot", { market: "spot" })]),
        path: 'cluster-capacity:quotas["L-3819A6DF"]',
        got: "nothing",
        allowed: "a vCPU limit for L-3819A6DF",
    },
    {
        what: "boot-image management on OpenShift 4.18",
        config: offlineStack({ "cluster-capacity:ami": { id: "ami-0123456789abcdef0", managedByCluster: true } }),
        path: "cluster-capacity:ami.managedByCluster",
        got: "true",
        allowed: "false below OpenShift 4.19",
    },
    {
        what: "replicas together with autoscaling",
        config: offlineStack({}, [gpuPool("l4", { replicas: 2, autoscaling: { minReplicas: 0, maxReplicas: 2 } })]),
        path: "cluster-capacity:pools[0].replicas",
        got: "2",
        allowed: "the autoscaler owns the machine count",
    },
    {
        what: "credentials of another AWS account",
        config: onlineStack({ "cluster-capacity:cluster": cluster({ accountId: "444455556666" }) }),
        aws: { ...PROD_AWS, amis: { "rhcos-418.94.*-x86_64": "ami-0123456789abcdef0" } },
        path: "cluster-capacity:cluster.accountId",
        got: '"444455556666"',
        allowed: "(111122223333); refusing to touch another account",
    },
    {
        what: "a label the program manages",
        config: offlineStack({}, [gpuPool("l4", { labels: { "node-role.kubernetes.io/infra": "" } })]),
        path: 'cluster-capacity:pools[0].labels["node-role.kubernetes.io/infra"]',
        got: '""',
        allowed: "node roles",
    },
    {
        what: "a quota key that is not a quota code",
        config: offlineStack({ "cluster-capacity:quotas": { "G and VT": 64 } }),
        path: 'cluster-capacity:quotas["G and VT"]',
        got: '"G and VT"',
        allowed: "a Service Quotas code",
    },
    {
        what: "no region anywhere",
        config: offlineStack({ "cluster-capacity:cluster": { name: "test", infraId: "test-abcde", openshiftVersion: "4.18" } }),
        path: "cluster-capacity:cluster.region",
        got: "nothing",
        allowed: "aws:region",
    },
    {
        what: "time-slicing below one replica",
        config: offlineStack({}, [gpuPool("l4", { timeSlicing: 0 })]),
        path: "cluster-capacity:pools[0].timeSlicing",
        got: "0",
        allowed: ">= 1",
    },
    {
        what: "pools given as a map",
        config: offlineStack({ "cluster-capacity:pools": { l4: gpuPool("l4") } }),
        path: "cluster-capacity:pools",
        got: '{"l4"',
        allowed: "a value of type array",
    },
    {
        what: "an unencrypted-looking KMS key",
        config: offlineStack({}, [gpuPool("l4", { rootVolume: { kmsKeyArn: "alias/gpu" } })]),
        path: "cluster-capacity:pools[0].rootVolume.kmsKeyArn",
        got: '"alias/gpu"',
        allowed: "a KMS key ARN",
    },
    {
        what: "two pools sharing a Kueue flavor",
        config: offlineStack({}, [gpuPool("a"), gpuPool("b", { kueueFlavor: "a" })]),
        path: "cluster-capacity:pools[1].kueueFlavor",
        got: '"a"',
        allowed: "each flavor selects exactly one pool's nodes",
    },
    {
        what: "an AMI pattern that matches nothing",
        config: onlineStack(),
        aws: { ...PROD_AWS, amis: {} },
        path: "cluster-capacity:ami.namePattern",
        got: '"rhcos-418.94.*-x86_64"',
        allowed:
            "owners 531415883065 + namePattern rhcos-418.94.*-x86_64: no AMI matches in us-east-2 (AWS said: Your query returned no results",
    },
    {
        what: "the GPU Operator through OLM on plain Kubernetes",
        config: offlineStack({
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:gpuOperator": { enabled: true, install: "olm" },
        }),
        path: "cluster-capacity:gpuOperator.install",
        got: '"olm"',
        allowed: "helm on plain Kubernetes",
    },
    {
        what: "the GPU Operator through Helm on OpenShift",
        config: offlineStack({ "cluster-capacity:gpuOperator": { enabled: true, install: "helm" } }),
        path: "cluster-capacity:gpuOperator.install",
        got: '"helm"',
        allowed: "olm on OpenShift",
    },
    {
        what: "a GPU Operator version that is not a release",
        config: offlineStack({ "cluster-capacity:gpuOperator": { enabled: true, version: "v25.3" } }),
        path: "cluster-capacity:gpuOperator.version",
        got: '"v25.3"',
        allowed: "a GPU Operator release such as 25.3.0",
    },
    {
        what: "time-slicing without the GPU Operator",
        config: offlineStack({}, [gpuPool("l4", { timeSlicing: 4 })]),
        path: "cluster-capacity:pools[0].timeSlicing",
        got: "4",
        allowed: "gpuOperator.enabled is true",
    },
    {
        what: "an unknown MIG strategy",
        config: offlineStack({ "cluster-capacity:gpuOperator": { enabled: true, mig: { strategy: "all" } } }),
        path: "cluster-capacity:gpuOperator.mig.strategy",
        got: '"all"',
        allowed: "one of none, single, mixed",
    },
    {
        what: "an unknown Kueue API version",
        config: offlineStack({ "cluster-capacity:kueue": { enabled: true, apiVersion: "v1" } }),
        path: "cluster-capacity:kueue.apiVersion",
        got: '"v1"',
        allowed: "one of v1beta2, v1beta1",
    },
    {
        what: "Kueue without any pool",
        config: offlineStack({ "cluster-capacity:kueue": { enabled: true } }, []),
        path: "cluster-capacity:kueue.enabled",
        got: "true",
        allowed: "at least one pool",
    },
    {
        what: "a namespace listed twice for Kueue",
        config: offlineStack({ "cluster-capacity:kueue": { enabled: true, namespaces: [{ name: "a" }, { name: "a" }] } }),
        path: "cluster-capacity:kueue.namespaces[1].name",
        got: '"a"',
        allowed: "not listed before",
    },
    {
        what: "HardwareProfiles without a LocalQueue of the configured namespaces",
        config: offlineStack({
            "cluster-capacity:kueue": {
                enabled: true,
                namespaces: [{ name: "a" }],
                hardwareProfiles: { enabled: true, localQueue: "b-queue" },
            },
        }),
        path: "cluster-capacity:kueue.hardwareProfiles.localQueue",
        got: '"b-queue"',
        allowed: "one of: a-queue",
    },
    {
        what: "the Red Hat build of Kueue on plain Kubernetes",
        config: offlineStack({
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:kueue": { enabled: true, operator: { enabled: true } },
        }),
        path: "cluster-capacity:kueue.operator.enabled",
        got: "true",
        allowed: "OpenShift operator",
    },
    {
        what: "the Neuron stack on plain Kubernetes",
        config: offlineStack({
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:neuron": { enabled: true },
        }),
        path: "cluster-capacity:neuron.enabled",
        got: "true",
        allowed: "installed through OpenShift's OLM",
    },
    {
        what: "a console dashboard on plain Kubernetes",
        config: offlineStack({
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:gpuOperator": { enabled: true, monitoring: { dashboard: true } },
        }),
        path: "cluster-capacity:gpuOperator.monitoring.dashboard",
        got: "true",
        allowed: "OpenShift console ConfigMap",
    },
    {
        what: "a GPU pool without a repelling taint",
        config: offlineStack({}, [gpuPool("l4", { taints: [{ key: "nvidia.com/gpu", effect: "PreferNoSchedule" }] })]),
        path: "cluster-capacity:pools[0].taints",
        got: '[{"key":"nvidia.com/gpu","effect":"PreferNoSchedule"}]',
        allowed: "at least one NoSchedule or NoExecute taint",
    },
    {
        what: "gp3 IOPS below the gp3 minimum",
        config: offlineStack({}, [gpuPool("l4", { rootVolume: { iops: 1000 } })]),
        path: "cluster-capacity:pools[0].rootVolume.iops",
        got: "1000",
        allowed: "3000 to 16000 IOPS for gp3",
    },
    {
        what: "an io2 volume without IOPS",
        config: offlineStack({}, [gpuPool("l4", { rootVolume: { type: "io2" } })]),
        path: "cluster-capacity:pools[0].rootVolume.iops",
        got: "nothing",
        allowed: "io2 volumes require them",
    },
    {
        what: "gp3 throughput before OpenShift 4.21, whose Machine API has no throughput field",
        config: offlineStack({}, [gpuPool("l4", { rootVolume: { throughputMiBps: 250 } })]),
        path: "cluster-capacity:pools[0].rootVolume.throughputMiBps",
        got: "250",
        allowed: "the Machine API takes EBS throughput (throughputMib) from 4.21",
    },
    {
        what: "throughput on a gp2 volume",
        config: offlineStack({}, [gpuPool("l4", { rootVolume: { type: "gp2", throughputMiBps: 250 } })]),
        path: "cluster-capacity:pools[0].rootVolume.throughputMiBps",
        got: "250",
        allowed: "only gp3 takes it",
    },
    {
        what: "a providerSpec override of the instance type",
        config: offlineStack({}, [gpuPool("l4", { providerSpec: { instanceType: "p5.48xlarge" } })]),
        path: "cluster-capacity:pools[0].providerSpec.instanceType",
        got: '"p5.48xlarge"',
        allowed: "it is set from pools[].instanceType",
    },
    {
        what: "a providerSpec override of IMDS",
        config: offlineStack({}, [gpuPool("l4", { providerSpec: { metadataServiceOptions: { authentication: "Optional" } } })]),
        path: "cluster-capacity:pools[0].providerSpec.metadataServiceOptions",
        got: '{"authentication":"Optional"}',
        allowed: "IMDSv2, which is always required",
    },
    {
        what: "a providerSpec override of the zone",
        config: offlineStack({}, [gpuPool("l4", { providerSpec: { placement: { availabilityZone: "us-east-2c" } } })]),
        path: "cluster-capacity:pools[0].providerSpec.placement.availabilityZone",
        got: '"us-east-2c"',
        allowed: "set from cluster.region and pools[].zones",
    },
    {
        what: "a label key Kubernetes refuses",
        config: offlineStack({}, [gpuPool("l4", { labels: { "bad key!": "x" } })]),
        path: 'cluster-capacity:pools[0].labels["bad key!"]',
        got: '"bad key!"',
        allowed: "a Kubernetes label or taint key",
    },
    {
        what: "a label value Kubernetes refuses",
        config: offlineStack({}, [gpuPool("l4", { labels: { team: "a b" } })]),
        path: "cluster-capacity:pools[0].labels.team",
        got: '"a b"',
        allowed: "a Kubernetes label value",
    },
    {
        what: "the device-plugin label set by hand",
        config: offlineStack({}, [gpuPool("l4", { labels: { "nvidia.com/device-plugin.config": "x" } })]),
        path: 'cluster-capacity:pools[0].labels["nvidia.com/device-plugin.config"]',
        got: '"x"',
        allowed: "device-plugin labels are managed",
    },
    {
        what: "HardwareProfiles on plain Kubernetes",
        config: offlineStack({
            "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" },
            "cluster-capacity:kueue": {
                enabled: true,
                namespaces: [{ name: "a" }],
                hardwareProfiles: { enabled: true, localQueue: "a-queue" },
            },
        }),
        path: "cluster-capacity:kueue.hardwareProfiles.enabled",
        got: "true",
        allowed: "HardwareProfiles belong to OpenShift AI",
    },
];

describe("stack config validation", () => {
    it("has a table of at least 60 bad inputs, and docs/contributing.md gives its size", () => {
        assert.ok(BAD_INPUTS.length >= 60, `only ${BAD_INPUTS.length} cases`);
        const contributing = fs.readFileSync(path.join(REPO, "docs", "contributing.md"), "utf8");
        assert.match(contributing, new RegExp(`a table of ${BAD_INPUTS.length} bad inputs`));
    });

    for (const bad of BAD_INPUTS) {
        it(`refuses ${bad.what}, naming the key, the value and what is allowed, before registering anything`, async () => {
            const run = await runProgram(bad.config, bad.aws);
            assert.ok(run.error, "the program should have failed");
            assert.ok(pulumi.RunError.isInstance(run.error), "a RunError, so Pulumi prints no stack trace");
            const message = run.error.message;
            assert.ok(message.includes(`${bad.path}: got ${bad.got}`), `message should name ${bad.path} and ${bad.got}:\n${message}`);
            assert.ok(message.includes(bad.allowed), `message should say what is allowed (${bad.allowed}):\n${message}`);
            assert.ok(!/\n\s+at /.test(message), "no stack trace in the message");
            assert.deepStrictEqual(run.resources, [], "nothing may be registered");
        });
    }

    it("reports bad values of several keys together in one message", async () => {
        const config = offlineStack({ "cluster-capacity:lookups": "online" }, [gpuPool("l4", { market: "reserved" }), gpuPool("Bad")]);
        const run = await runProgram(config);
        const message = run.error?.message ?? "";
        for (const path of ["cluster-capacity:lookups", "cluster-capacity:pools[0].market", "cluster-capacity:pools[1].name"]) {
            assert.ok(message.includes(path), `missing ${path}:\n${message}`);
        }
        assert.match(message, /3 problem\(s\)/);
    });

    it("reports every cross-field problem of one pool set together", () => {
        const raw = rawConfigFrom(runtimeConfig(offlineStack({}, [gpuPool("l4", { zones: ["eu-west-1a"] }), gpuPool("l4")])));
        assert.throws(
            () => parseConfig(raw),
            (e: Error) => e.message.includes("pools[0].zones[0]") && e.message.includes("pools[1].name"),
        );
    });
});

describe("an account guardrail that cannot be checked", () => {
    it("says that cluster.accountId is not checked with offline lookups", async () => {
        const run = await runProgram(offlineStack({ "cluster-capacity:cluster": cluster({ accountId: "111122223333" }) }));
        assert.ifError(run.error);
        assert.match(run.warnings.join("\n"), /cluster\.accountId 111122223333 is not checked: offline lookups ask AWS nothing/);
    });
});

describe("secrets in config errors", () => {
    it("never prints a value that looks like a credential, nor any value of a key set with --secret", async () => {
        const token = "sha256~s3cr3tT0k3n";
        const typo = await runProgram(
            offlineStack({ "cluster-capacity:kubernetes": { kubeconfg: `users:\n- user:\n    token: ${token}` } }),
        );
        assert.ok(typo.error && !typo.error.message.includes(token) && !typo.error.message.includes("s3cr3t"), typo.error?.message);
        const secretKey = await runProgram(
            offlineStack({ "cluster-capacity:prices": "not-an-object-but-a-password" }),
            {},
            {
                secretKeys: ["cluster-capacity:prices"],
            },
        );
        assert.match(String(secretKey.error), /cluster-capacity:prices: got a hidden value \(\d+ characters\)/);
        assert.doesNotMatch(String(secretKey.error), /not-an-object-but-a-password/);
    });
});

describe("stack config defaults", () => {
    const parse = (config: StackConfig, awsRegion?: string) => parseConfig(rawConfigFrom(runtimeConfig(config)), { awsRegion });

    it("defaults lookups to aws, platform to openshift and market to on-demand", () => {
        const stack = offlineStack({ "cluster-capacity:ami": { namePattern: "rhcos-418.*" } });
        delete stack["cluster-capacity:lookups"];
        const config = parse(stack);
        assert.strictEqual(config.lookups, "aws");
        assert.strictEqual(config.cluster.platform, "openshift");
        assert.strictEqual(config.pools[0].market, "on-demand");
    });

    it("defaults lookups to aws on plain Kubernetes too: the engine hands every stack Pulumi.yaml's one default", () => {
        const stack = offlineStack({ "cluster-capacity:cluster": { name: "lab", platform: "kubernetes" } });
        delete stack["cluster-capacity:lookups"];
        assert.strictEqual(parse(stack).lookups, "aws");
        assert.strictEqual(parse({ ...stack, "cluster-capacity:lookups": "offline" }).lookups, "offline");
    });

    it("takes the region from aws:region when the cluster does not set one", () => {
        const stack = offlineStack({ "cluster-capacity:cluster": { name: "t", infraId: "t-1", openshiftVersion: "4.18" } }, [
            gpuPool("l4", { zones: ["eu-west-1a"] }),
        ]);
        const config = parse(stack, "eu-west-1");
        assert.strictEqual(config.cluster.region, "eu-west-1");
    });

    it("gives NVIDIA pools the nvidia.com/gpu NoSchedule taint and neuron pools a PreferNoSchedule one the Neuron driver tolerates", () => {
        const config = parse(
            offlineStack(
                {
                    "cluster-capacity:cluster": { name: "t", infraId: "t-1", openshiftVersion: "4.19", region: "us-east-2" },
                    "cluster-capacity:neuron": { enabled: true },
                },
                [gpuPool("l4"), gpuPool("inf", { accelerator: "neuron", instanceType: "inf2.xlarge" })],
            ),
        );
        assert.deepStrictEqual(config.pools[0].taints, [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }]);
        assert.deepStrictEqual(config.pools[1].taints, [{ key: "aws.amazon.com/neuron", value: "true", effect: "PreferNoSchedule" }]);
    });

    it("defaults replicas to 0, the root volume to 120 GiB gp3 and the Kueue flavor to the pool name", () => {
        const config = parse(offlineStack({}, [{ name: "l4", accelerator: "nvidia", instanceType: "g6.xlarge", zones: ["us-east-2a"] }]));
        const [pool] = config.pools;
        assert.strictEqual(pool.replicas, 0);
        assert.deepStrictEqual(pool.rootVolume, { sizeGiB: 120, type: "gp3" });
        assert.strictEqual(pool.kueueFlavor, "l4");
    });

    it("starts an autoscaled pool at its minimum", () => {
        const config = parse(offlineStack({}, [gpuPool("l4", { autoscaling: { minReplicas: 1, maxReplicas: 3 } })]));
        assert.strictEqual(config.pools[0].replicas, 1);
    });
});
