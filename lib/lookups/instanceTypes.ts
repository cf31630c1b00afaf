/**
 * What each instance type of the pools is: vCPUs, memory, accelerators, EFA and architectures. With
 * aws lookups AWS answers, once per type; offline, the built-in catalogue and `instanceTypes`.
 */
import { InstanceSpec, resolveInstanceSpec } from "../../policy/lib/catalogue";
import type { CapacityConfig } from "../config/types";
import { ConfigProblem, describeAwsFailure, PathSegment, problem } from "../errors";
import type { AwsClient } from "./awsClient";
import { firstUse } from "./firstUse";

export interface InstanceTypesAnswer {
    specs: Map<string, InstanceSpec>;
    /** AWS's `supportedArchitectures` per type (aws lookups only), for the boot image's architecture. */
    architectures: Map<string, string[]>;
    problems: ConfigProblem[];
}

export async function lookupInstanceTypes(
    config: CapacityConfig,
    client: Pick<AwsClient, "instanceType" | "region"> | undefined,
): Promise<InstanceTypesAnswer> {
    const architectures = new Map<string, string[]>();
    const answers = await Promise.all(
        [...firstUse(config.pools, (p) => p.instanceType)].map(async ([type, index]) => {
            const at: PathSegment[] = ["pools", index, "instanceType"];
            return [type, client ? await fromAws(client, type, at) : fromConfig(type, at)] as const;
        }),
    );
    const specs = new Map<string, InstanceSpec>();
    const problems: ConfigProblem[] = [];
    for (const [type, answer] of answers) {
        if ("spec" in answer) specs.set(type, answer.spec);
        else problems.push(answer.problem);
    }
    return { specs, architectures, problems };

    function fromConfig(type: string, at: PathSegment[]): { spec: InstanceSpec } | { problem: ConfigProblem } {
        const spec = resolveInstanceSpec(type, config.instanceTypes);
        if (spec) return { spec };
        const expected = config.instanceTypes[type]
            ? "vcpus and memoryMiB in its cluster-capacity:instanceTypes entry (not in the built-in catalogue)"
            : "a type of the built-in catalogue, or an entry in cluster-capacity:instanceTypes (offline lookups)";
        return { problem: problem(at, type, expected) };
    }

    async function fromAws(
        api: Pick<AwsClient, "instanceType" | "region">,
        type: string,
        at: PathSegment[],
    ): Promise<{ spec: InstanceSpec } | { problem: ConfigProblem }> {
        try {
            const found = await api.instanceType(type);
            architectures.set(type, found.supportedArchitectures ?? []);
            return { spec: withAwsCounts(config.instanceTypes[type], found) };
        } catch (error) {
            return {
                problem: problem(
                    at,
                    type,
                    `an instance type AWS offers in ${api.region} (${describeAwsFailure("ec2:DescribeInstanceTypes", error)})`,
                ),
            };
        }
    }
}

/**
 * AWS's answer over the config's entry: config may only add what AWS does not say (a GPU model name,
 * say), since a lower vCPU or device count from config would let more machines past the quota than
 * AWS will launch.
 */
export function withAwsCounts(
    override: Partial<InstanceSpec> | undefined,
    found: Awaited<ReturnType<AwsClient["instanceType"]>>,
): InstanceSpec {
    const fromAws: InstanceSpec = {
        vcpus: found.defaultVcpus,
        memoryMiB: found.memorySize,
        gpus: found.gpuses.reduce((sum, gpu) => sum + gpu.count, 0),
        gpuModel: found.gpuses[0] ? `${found.gpuses[0].manufacturer} ${found.gpuses[0].name}` : undefined,
        gpuMemoryMiB: found.gpuses[0]?.memorySize,
        neuronDevices: found.neuronDevices.reduce((sum, device) => sum + device.count, 0),
        neuronCores: found.neuronDevices.reduce((sum, device) => sum + device.count * device.coreCount, 0),
        efaSupported: found.efaSupported,
    };
    const known = Object.fromEntries(Object.entries(fromAws).filter(([, value]) => value !== undefined));
    return { ...override, ...known } as InstanceSpec;
}
