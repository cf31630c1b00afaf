import type { PolicyConfigSchema, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { BUILTIN_INSTANCE_TYPES } from "../lib/catalogue";
import { checkQuotas, describeQuotaExcess, DemandSource, QuotaCheck, quotaDemand } from "../lib/quota";
import { awsQuotaSource, QuotaSource } from "../lib/awsQuotaSource";
import { desiredMachines, machineSets, maxMachines, type ResourceLike } from "../lib/resources";
import { POLICY_LOOKUP_MODES, type PolicyLookupMode, quotaName } from "../lib/contract";

interface PoolWithinQuotaConfig {
    /** Quota code → vCPUs; with `lookups: "aws"` a lower cap on the live value. */
    quotas?: Record<string, number>;
    /** Instance type → `{vcpus}`, over the built-in catalogue. */
    instanceTypes?: Record<string, { vcpus: number }>;
    lookups?: PolicyLookupMode;
    /** AWS region for `lookups: "aws"`; default: the SDK's environment (AWS_REGION). */
    region?: string;
    /** Capacity reservation id → instances it holds; with `lookups: "aws"` EC2 says. */
    capacityReservations?: Record<string, number>;
}

const CONFIG_KEYS = ["quotas", "instanceTypes", "lookups", "region", "capacityReservations", "enforcementLevel"];

type QuotaDemand = ReturnType<typeof quotaDemand>["demands"][number];

/** An instance type's vCPUs, or why they are unknown. */
type VcpusOf = (instanceType: string) => Promise<number | string>;

/** The MachineSets that launch into one capacity reservation, and the machines they can have there together. */
export interface ReservedDemand {
    names: string[];
    machines: number;
}

/** What each MachineSet asks: vCPUs of an EC2 quota, or machines of the capacity reservation it launches into. */
interface Demand {
    sources: DemandSource[];
    /** Capacity reservation id → the MachineSets in it. */
    reserved: Map<string, ReservedDemand>;
}

function configSchema(): PolicyConfigSchema {
    return {
        properties: {
            quotas: { type: "object", additionalProperties: { type: "integer", minimum: 0 } },
            instanceTypes: {
                type: "object",
                additionalProperties: {
                    type: "object",
                    properties: { vcpus: { type: "integer", minimum: 1 } },
                    required: ["vcpus"],
                    additionalProperties: false,
                },
            },
            lookups: { type: "string", enum: [...POLICY_LOOKUP_MODES], default: "config" },
            region: { type: "string" },
            capacityReservations: { type: "object", additionalProperties: { type: "integer", minimum: 1 } },
        },
    };
}

export function makePoolWithinQuota(source: (region?: string) => QuotaSource = awsQuotaSource): StackValidationPolicy {
    return {
        name: "pool-within-quota",
        description:
            "For each EC2 quota code, the vCPUs of all MachineSets at their maximum size fit within the AWS quota; a reserved MachineSet fits its capacity reservation instead.",
        enforcementLevel: "mandatory",
        configSchema: configSchema(),
        validateStack: async (args, reportViolation) => {
            const config = args.getConfig<PoolWithinQuotaConfig>();
            const unknownKeys = unknownConfigKeys(config);
            if (unknownKeys.length > 0) {
                reportViolation(
                    `The policy config of pool-within-quota has unknown key(s) ${unknownKeys.join(", ")}; known keys: ${CONFIG_KEYS.join(", ")}. Nothing was checked.`,
                );
                return;
            }
            const live = config.lookups === "aws" ? source(config.region) : undefined;
            const { sources, reserved } = await countDemand(args.resources, vcpuCounter(config, live), reportViolation);
            await checkReservations(reserved, config, live, reportViolation);
            const { demands, unmatched } = quotaDemand(sources);
            for (const u of unmatched) {
                reportViolation(`${u.source}: ${u.instanceType} belongs to no known EC2 quota group, so its quota cannot be checked.`);
            }
            const checks = checkQuotas(demands, await quotaLimits(demands, config, live, reportViolation));
            for (const check of checks.filter((c) => c.exceeded)) {
                reportViolation(
                    `${describeQuotaExcess(check)}\nLower the MachineSets' replicas or MachineAutoscaler maxReplicas, or raise the quota first.`,
                );
            }
            if (live?.vcpusInUse && live.ownVcpus) {
                await checkUsageNow(
                    live as Required<QuotaSource>,
                    checks.filter((c) => !c.exceeded && c.limit !== undefined),
                    sources,
                    args.resources,
                    reportViolation,
                );
            }
        },
    };
}

/**
 * The policy config's keys the pack does not know. The CLI passes only `properties` of a config
 * schema to the engine, so an unknown key would pass its validation: a misspelt `quota` would leave
 * every quota unchecked.
 */
export function unknownConfigKeys(config: object): string[] {
    return Object.keys(config).filter((key) => !CONFIG_KEYS.includes(key));
}

/** Each instance type's vCPUs, asked once: from AWS with `lookups: "aws"`, else the policy config over the built-in catalogue. */
function vcpuCounter(config: PoolWithinQuotaConfig, live: QuotaSource | undefined): VcpusOf {
    const vcpuCache = new Map<string, Promise<number | string>>();
    return (type: string): Promise<number | string> => {
        if (!vcpuCache.has(type)) {
            const configured = config.instanceTypes?.[type]?.vcpus ?? BUILTIN_INSTANCE_TYPES[type]?.vcpus;
            const answer = live
                ? live.vcpus(type).catch((e: Error) => `AWS does not know it (${e.message})`)
                : Promise.resolve(configured ?? "it is neither in the policy config `instanceTypes` nor in the built-in catalogue");
            vcpuCache.set(type, answer);
        }
        return vcpuCache.get(type) as Promise<number | string>;
    };
}

/**
 * Each MachineSet's demand at its maximum size: on its capacity reservation when it launches into
 * one, else on the EC2 quota of its instance type and market. A MachineSet whose demand cannot be
 * counted (no instance type, unknown vCPUs) is reported and left out.
 */
async function countDemand(resources: readonly ResourceLike[], vcpusOf: VcpusOf, reportViolation: ReportViolation): Promise<Demand> {
    const maxima = maxMachines(resources);
    const sources: DemandSource[] = [];
    const reserved = new Map<string, ReservedDemand>();
    for (const ms of machineSets(resources)) {
        if (ms.capacityReservationId) {
            // Launched into a reservation: the reservation, bought already, bounds it.
            const entry = reserved.get(ms.capacityReservationId) ?? { names: [], machines: 0 };
            reserved.set(ms.capacityReservationId, {
                names: [...entry.names, ms.name],
                machines: entry.machines + (maxima.get(ms.name) ?? 0),
            });
            continue;
        }
        if (!ms.instanceType) {
            reportViolation(
                `MachineSet ${ms.name} has no providerSpec.value.instanceType, so its quota cannot be checked.`,
                ms.resource.urn,
            );
            continue;
        }
        const vcpus = await vcpusOf(ms.instanceType);
        if (typeof vcpus === "string") {
            reportViolation(`MachineSet ${ms.name}: the vCPU count of ${ms.instanceType} is unknown: ${vcpus}.`, ms.resource.urn);
            continue;
        }
        sources.push({
            source: `MachineSet ${ms.name}`,
            instanceType: ms.instanceType,
            market: ms.spot ? "spot" : "on-demand",
            vcpus,
            maxMachines: maxima.get(ms.name) ?? 0,
        });
    }
    return { sources, reserved };
}

/** Each reservation's size, from the policy config or else EC2, against the machines its MachineSets can have in it. */
async function checkReservations(
    reserved: ReadonlyMap<string, ReservedDemand>,
    config: PoolWithinQuotaConfig,
    live: QuotaSource | undefined,
    reportViolation: ReportViolation,
): Promise<void> {
    for (const [id, demand] of reserved) {
        let held: number | undefined = config.capacityReservations?.[id];
        if (held === undefined && live?.reservedInstances) {
            try {
                held = await live.reservedInstances(id);
            } catch (e) {
                reportViolation(
                    `Capacity reservation ${id} could not be read (ec2:DescribeCapacityReservations: ${(e as Error).message}).`,
                );
                continue;
            }
        }
        const problem = reservationProblem(id, demand, held);
        if (problem !== undefined) reportViolation(problem);
    }
}

/**
 * What is wrong with the MachineSets of capacity reservation `id`, which holds `held` instances
 * (undefined: unknown): a size nobody knows, or more machines than it holds. Undefined when they fit.
 */
export function reservationProblem(id: string, { names, machines }: ReservedDemand, held: number | undefined): string | undefined {
    if (held === undefined) {
        return `MachineSet(s) ${names.join(", ")} launch into capacity reservation ${id}, whose size is unknown: set capacityReservations.${id} in the policy config, or use lookups: "aws".`;
    }
    if (machines > held) {
        return `MachineSet(s) ${names.join(", ")} can have ${machines} machine(s) in capacity reservation ${id}, which holds ${held}: the rest would fail to launch.`;
    }
    return undefined;
}

/**
 * The limit of each quota with a demand: with `lookups: "aws"` AWS's value, capped by the policy
 * config's; else the policy config's. A quota whose limit is unknown is reported and left out.
 */
async function quotaLimits(
    demands: readonly QuotaDemand[],
    config: PoolWithinQuotaConfig,
    live: QuotaSource | undefined,
    reportViolation: ReportViolation,
): Promise<Record<string, number>> {
    const limits: Record<string, number> = {};
    for (const demand of demands) {
        const cap = config.quotas?.[demand.code];
        if (live) {
            try {
                const value = await live.quotaValue(demand.code);
                limits[demand.code] = cap === undefined ? value : Math.min(cap, value);
            } catch (e) {
                reportViolation(
                    `Quota ${demand.code} "${quotaName(demand.code)}" could not be read from AWS (${(e as Error).message}); demand is ${demand.demand} vCPUs.`,
                );
            }
        } else if (cap === undefined) {
            const from = demand.contributions.map((c) => c.source).join(", ");
            reportViolation(
                `Quota ${demand.code} "${demand.name}" has no value in the policy config \`quotas\`, so a demand of ${demand.demand} vCPUs (${from}) cannot be checked. Set it, or use lookups: "aws".`,
            );
        } else {
            limits[demand.code] = cap;
        }
    }
    return limits;
}

/**
 * The program's rule for what is in use now (clusters sharing an account share its quotas): the
 * stack's desired size must fit the limit minus what is used outside the stack. A maximum above
 * that is only a warning in the program; a mandatory policy has no warnings, so it is left there.
 */
async function checkUsageNow(
    live: Required<QuotaSource>,
    checks: QuotaCheck[],
    sources: readonly DemandSource[],
    resources: Parameters<typeof desiredMachines>[0],
    reportViolation: (message: string) => void,
): Promise<void> {
    const desired = desiredMachines(resources);
    const bySource = new Map(sources.map((s) => [s.source.replace(/^MachineSet /, ""), s]));
    let own: Record<string, number>;
    try {
        own = await live.ownVcpus([...bySource.keys()]);
    } catch (e) {
        reportViolation(
            `This stack's running machines could not be counted (ec2:DescribeInstances: ${(e as Error).message}), so usage now cannot be checked.`,
        );
        return;
    }
    for (const check of checks) {
        const ours = check.contributions.map((c) => c.source.replace(/^MachineSet /, ""));
        const wanted = ours.reduce((sum, ms) => sum + (desired.get(ms) ?? 0) * (bySource.get(ms)?.vcpus ?? 0), 0);
        let inUse: number | undefined;
        try {
            inUse = await live.vcpusInUse(check.code);
        } catch (e) {
            reportViolation(
                `Usage of ${check.code} "${check.name}" could not be read (cloudwatch:GetMetricStatistics: ${(e as Error).message}).`,
            );
            continue;
        }
        if (inUse === undefined) continue;
        const problem = usageNowProblem(check, wanted, inUse, own[check.code] ?? 0);
        if (problem !== undefined) reportViolation(problem);
    }
}

/**
 * Whether `wanted` vCPUs (the stack's desired size) fit quota `check` now, with `inUse` vCPUs in use
 * of which `own` are this stack's machines: what is used outside the stack is not free for it.
 */
export function usageNowProblem(check: QuotaCheck, wanted: number, inUse: number, own: number): string | undefined {
    if (wanted === 0) return undefined;
    const outside = Math.max(0, inUse - own);
    const free = (check.limit as number) - outside;
    return wanted > free
        ? `${check.code} "${check.name}": the MachineSets' desired size needs ${wanted} vCPUs, but of its ${check.limit} vCPUs ${outside} are in use outside this stack, leaving ${free}. Machines would stay in Provisioning.`
        : undefined;
}

export const poolWithinQuota = makePoolWithinQuota();
