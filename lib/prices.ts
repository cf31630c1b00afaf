/**
 * Hourly prices for the cost report, one question per distinct instance type and market. Config
 * prices win; with `lookups: aws` On-Demand prices come from the AWS Price List API (served from
 * us-east-1, hence its own provider) and spot prices from the latest spot price history. A price
 * that cannot be had is reported as unknown: the cost report never blocks a deployment.
 */
import * as aws from "@pulumi/aws";
import type { CapacityConfig } from "./config/types";
import { onDemandHourlyUsd, Price, priceKey } from "./cost";
import { firstLineOf } from "./errors";
import type { CapacityPlan } from "./plan";

async function onDemandPrice(instanceType: string, region: string, provider: aws.Provider): Promise<Price> {
    const filter = (field: string, value: string) => ({ field, value });
    const product = await aws.pricing.getProduct(
        {
            serviceCode: "AmazonEC2",
            filters: [
                filter("instanceType", instanceType),
                filter("regionCode", region),
                filter("operatingSystem", "Linux"),
                filter("tenancy", "Shared"),
                filter("preInstalledSw", "NA"),
                filter("capacitystatus", "Used"),
                filter("licenseModel", "No License required"),
            ],
        },
        { provider },
    );
    const usd = onDemandHourlyUsd(product.result);
    return usd === undefined
        ? { hourlyUsd: null, source: "unknown", note: "the Price List product has no hourly On-Demand price" }
        : { hourlyUsd: usd, source: "aws-pricing" };
}

async function spotPrice(instanceType: string, region: string): Promise<Price> {
    const found = await aws.ec2.getSpotPrice({ instanceType, region, filters: [{ name: "product-description", values: ["Linux/UNIX"] }] });
    return { hourlyUsd: Number(found.spotPrice), source: "aws-spot-price" };
}

export async function resolvePrices(
    config: CapacityConfig,
    plan: CapacityPlan,
    pricingProvider: aws.Provider | undefined,
): Promise<Map<string, Price>> {
    // Every market a pool's MachineSets use: a spot pool's on-demand fallback needs the on-demand price too.
    const wanted = new Map(
        plan.pools.flatMap((p) =>
            [p.pool.market, ...p.machineSets.map((m) => m.market)].map(
                (market) => [priceKey(p.pool.instanceType, market), { instanceType: p.pool.instanceType, market }] as const,
            ),
        ),
    );
    const entries = await Promise.all(
        [...wanted].map(async ([key, pool]): Promise<[string, Price]> => {
            const configured = config.prices[pool.instanceType];
            const fromConfig = pool.market === "spot" ? configured?.spotHourlyUsd : configured?.onDemandHourlyUsd;
            if (fromConfig !== undefined) return [key, { hourlyUsd: fromConfig, source: "config" }];
            if (!pricingProvider) return [key, { hourlyUsd: null, source: "unknown", note: "no price in cluster-capacity:prices" }];
            try {
                const price =
                    pool.market === "spot"
                        ? await spotPrice(pool.instanceType, config.cluster.region)
                        : await onDemandPrice(pool.instanceType, config.cluster.region, pricingProvider);
                return [key, price];
            } catch (error) {
                return [key, { hourlyUsd: null, source: "unknown", note: firstLineOf(error, 160) }];
            }
        }),
    );
    return new Map(entries);
}
