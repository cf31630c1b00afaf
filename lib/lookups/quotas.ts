/**
 * The EC2 vCPU quotas the pools count against: the limit per quota code (Service Quotas with aws
 * lookups, capped by `quotas`; `quotas` alone offline) and the usage metric Service Quotas names for
 * each, which the usage lookup reads.
 */
import { quotaFor } from "../../policy/lib/contract";
import { isReservedOnly } from "../config/pool";
import type { CapacityConfig } from "../config/types";
import { ConfigProblem, describeAwsFailure, problem } from "../errors";
import type { AwsClient, ServiceQuotaUsageMetric } from "./awsClient";
import { firstUse } from "./firstUse";

export interface QuotasAnswer {
    limits: Record<string, number>;
    /** What Service Quotas answered per code, before any lower cap from config (aws lookups only). */
    awsValues: Record<string, number>;
    usageMetrics: Map<string, ServiceQuotaUsageMetric>;
    problems: ConfigProblem[];
}

/**
 * Each quota code the pools use, with the index of the first pool that uses it. EC2 quotas bound
 * MachineSets on OpenShift only (on plain Kubernetes the pools are existing nodes); a spot pool with
 * an on-demand fallback uses both of its type's quotas; a pool of reservations alone uses none.
 */
export function quotaUses(config: CapacityConfig): Map<string, number> {
    if (config.cluster.platform !== "openshift") return new Map();
    const refs = config.pools.flatMap((p, index) =>
        (p.onDemandFallback ? [p.market, "on-demand" as const] : [p.market]).map((market) => ({ p, index, market })),
    );
    return new Map(
        [...firstUse(refs, (r) => (!isReservedOnly(r.p) ? quotaFor(r.p.instanceType, r.market)?.code : undefined))].map(
            ([code, ref]) => [code, refs[ref].index] as const,
        ),
    );
}

/** Pools whose type is in no EC2 quota group the contract knows: their vCPUs could not be counted. */
export function unknownQuotaGroups(config: CapacityConfig): ConfigProblem[] {
    if (config.cluster.platform !== "openshift") return [];
    return config.pools.flatMap((pool, index) =>
        quotaFor(pool.instanceType, pool.market)
            ? []
            : [
                  problem(
                      ["pools", index, "instanceType"],
                      pool.instanceType,
                      "an instance type of a known EC2 quota group (Standard, G and VT, P, Inf, Trn, DL)",
                  ),
              ],
    );
}

export async function lookupQuotas(
    config: CapacityConfig,
    client: Pick<AwsClient, "serviceQuota" | "region"> | undefined,
): Promise<QuotasAnswer> {
    const answer: QuotasAnswer = { limits: {}, awsValues: {}, usageMetrics: new Map(), problems: [] };
    const limits = await Promise.all(
        [...quotaUses(config)].map(
            async ([code, poolIndex]) => [code, client ? await fromAws(client, code, poolIndex) : fromConfig(code, poolIndex)] as const,
        ),
    );
    for (const [code, limit] of limits) {
        if (typeof limit === "number") answer.limits[code] = limit;
        else answer.problems.push(limit);
    }
    return answer;

    function fromConfig(code: string, poolIndex: number): number | ConfigProblem {
        return (
            config.quotas[code] ??
            problem(
                ["quotas", code],
                undefined,
                `a vCPU limit for ${code}, used by pools[${poolIndex}] (offline lookups read quotas from config)`,
            )
        );
    }

    async function fromAws(
        api: Pick<AwsClient, "serviceQuota" | "region">,
        code: string,
        poolIndex: number,
    ): Promise<number | ConfigProblem> {
        const cap = config.quotas[code];
        const { instanceType } = config.pools[poolIndex];
        try {
            const quota = await api.serviceQuota(code);
            if (typeof quota.value !== "number" || !Number.isFinite(quota.value)) {
                // An unknown limit must stop the run: treating it as no limit would pass any size.
                return (
                    cap ??
                    problem(
                        ["pools", poolIndex, "instanceType"],
                        instanceType,
                        `a type whose quota ${code} has a value in ${api.region} (Service Quotas returned none; set quotas.${code} to the limit you know)`,
                    )
                );
            }
            answer.awsValues[code] = quota.value;
            if (quota.usageMetrics?.[0]?.metricDimensions?.[0]) answer.usageMetrics.set(code, quota.usageMetrics[0]);
            return cap === undefined ? quota.value : Math.min(cap, quota.value);
        } catch (error) {
            return problem(
                ["pools", poolIndex, "instanceType"],
                instanceType,
                `a type whose quota ${code} can be read in ${api.region} (${describeAwsFailure("servicequotas:GetServiceQuota", error)})`,
            );
        }
    }
}
