/**
 * Runs the policy pack over a program run the way `pulumi preview --policy-pack policy` does:
 * each resource policy over each resource, each stack policy once over all of them, with the
 * policy config a `--policy-pack-config` file would give. The PolicyPack itself is never built.
 */
import Ajv from "ajv";
import type { Policies, PolicyResource, StackValidationArgs } from "./policySdk";
import { policies } from "../../policy/policies";
import { makePoolWithinQuota } from "../../policy/policies/poolWithinQuota";
import type { QuotaSource } from "../../policy/lib/awsQuotaSource";
import type { ProgramRun, RegisteredResource } from "./harness";

export interface Violation {
    policy: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
}

/** Policy name → its config, as in a `--policy-pack-config` JSON file. */
export type PolicyPackConfig = Record<string, Record<string, unknown>>;

export function toPolicyResource(r: RegisteredResource): PolicyResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
        opts: {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            parent: r.parent || undefined,
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
}

class NotApplicable extends Error {}

/** The arguments the analyzer passes a stack policy. */
export function stackArgs(resources: PolicyResource[], config: object): StackValidationArgs {
    return {
        resources,
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export interface PackOptions {
    /** Only this policy. */
    only?: string;
    /** Stands in for AWS when pool-within-quota runs with `lookups: "aws"`. */
    quotaSource?: QuotaSource;
}

/**
 * Refuses a policy's config that its `configSchema` refuses, as the CLI does before running the
 * pack (pulumi/pulumi `pkg/resource/plugin/analyzer_plugin.go` injects `enforcementLevel` into
 * each schema's properties first).
 */
export function assertPolicyConfigValid(policy: Policies[number], config: Record<string, unknown>): void {
    if (!policy.configSchema) return;
    const schema = {
        type: "object",
        ...policy.configSchema,
        properties: { ...policy.configSchema.properties, enforcementLevel: { type: "string" } },
    };
    const validate = new Ajv({ strict: false, useDefaults: true }).compile(schema);
    if (!validate(config)) {
        throw new Error(`policy config of ${policy.name} is invalid: ${JSON.stringify(validate.errors)}`);
    }
}

export async function runPolicyPack(
    run: Pick<ProgramRun, "resources">,
    config: PolicyPackConfig = {},
    options: PackOptions = {},
): Promise<Violation[]> {
    const { only, quotaSource } = options;
    const pack = policies.map((p) => (quotaSource && p.name === "pool-within-quota" ? makePoolWithinQuota(() => quotaSource) : p));
    const violations: Violation[] = [];
    const registered = run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const resources = registered.map(toPolicyResource);
    // As the engine sends them to a stack policy: each dependency as the resource it names.
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    registered.forEach((r, i) => (resources[i].dependencies = r.dependencies.flatMap((urn) => byUrn.get(urn) ?? [])));
    for (const policy of pack.filter((p) => only === undefined || p.name === only)) {
        const report = (message: string, urn?: string) =>
            violations.push({ policy: policy.name, enforcementLevel: policy.enforcementLevel ?? "advisory", message, urn });
        const policyConfig = structuredClone(config[policy.name] ?? {});
        assertPolicyConfigValid(policy, policyConfig);
        try {
            const args = stackArgs(resources, policyConfig);
            if ("validateStack" in policy) {
                await policy.validateStack(args, report);
                continue;
            }
            const validations = [policy.validateResource ?? []].flat();
            for (const resource of resources) {
                for (const validate of validations) {
                    await validate(
                        { ...resource, ...args, provider: undefined, isType: () => false, asType: () => undefined },
                        (message, urn) => report(message, urn ?? resource.urn),
                    );
                }
            }
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return violations;
}

/** The violations that would fail `pulumi preview`. */
export function mandatory(violations: Violation[]): Violation[] {
    return violations.filter((v) => v.enforcementLevel === "mandatory");
}

/** The messages one policy reports over the given resources. */
export async function violationsOf(
    policy: string,
    resources: RegisteredResource[],
    config: Record<string, unknown> = {},
): Promise<string[]> {
    assertKnown(policy);
    const found = await runPolicyPack({ resources }, { [policy]: config }, { only: policy });
    return found.map((v) => v.message);
}

function assertKnown(policy: string): void {
    if (!policies.some((p) => p.name === policy)) throw new Error(`no policy ${policy} in the pack`);
}
