/**
 * Hourly prices for the cost report, one question per distinct instance type and market. Config
 * prices win; with `lookups: aws` On-Demand prices come from the AWS Price List API (served from
 * us-east-1, hence its own provider) and spot prices from the latest spot price history. A price
 * that cannot be had is reported as unknown: the cost report never blocks a deployment.
 */
import * as aws from "@pulumi/aws";
import type { CapacityConfig } from "../config/types";
import { firstLineOf } from "../errors";

export type PriceSource = "config" | "aws-pricing" | "aws-spot-price" | "unknown";

export interface Price {
    hourlyUsd: number | null;
    source: PriceSource;
    /** Why a price is unknown. */
    note?: string;
}

/** Key of a price: spot and On-Demand prices of one type differ. */
export function priceKey(instanceType: string, market: string): string {
    return `${instanceType}/${market}`;
}

/** The On-Demand hourly USD price in an AWS Price List product document. */
export function onDemandHourlyUsd(productJson: string): number | undefined {
    const product = JSON.parse(productJson) as {
        terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
    };
    for (const term of Object.values(product.terms?.OnDemand ?? {})) {
        for (const dimension of Object.values(term.priceDimensions ?? {})) {
            const usd = Number(dimension.pricePerUnit?.USD);
            if (dimension.unit === "Hrs" && Number.isFinite(usd)) return usd;
        }
    }
    return undefined;
}

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

/** A price to find: one per instance type and market, keyed by `priceKey`. */
export interface PriceWanted {
    instanceType: string;
    market: string;
}

export async function resolvePrices(
    config: CapacityConfig,
    wanted: ReadonlyMap<string, PriceWanted>,
    pricingProvider: aws.Provider | undefined,
): Promise<Map<string, Price>> {
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
