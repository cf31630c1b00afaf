/** A stack's parsed config, and a fake of the lookups' AWS client, for the specs that call a lookup directly. */
import type { AwsClient } from "../../lib/lookups/awsClient";
import type { CapacityConfig } from "../../lib/config/types";
import { rawConfigFrom, runtimeConfig } from "../../lib/config/load";
import { parseConfig } from "../../lib/config/validate";
import { StackConfig, withProjectDefaults } from "./harness";

/** The config the program would load for this stack file's config (project defaults included). */
export function capacityConfig(stack: StackConfig): CapacityConfig {
    return parseConfig(rawConfigFrom(runtimeConfig(withProjectDefaults(stack))), { awsRegion: stack["aws:region"] as string | undefined });
}

export interface FakeAws extends AwsClient {
    /** Every call made, as `method(arguments as JSON)`, in order. */
    calls: string[];
}

/** A client whose methods are the given ones (each recorded); any other method fails the test that calls it. */
export function fakeAws(methods: Partial<Omit<AwsClient, "region">>, region = "us-east-2"): FakeAws {
    const calls: string[] = [];
    const methodNames: (keyof Omit<AwsClient, "region">)[] = [
        "accountId",
        "instanceType",
        "serviceQuota",
        "offeredZones",
        "subnetIds",
        "subnet",
        "securityGroupIds",
        "newestAmi",
        "capacityReservation",
        "clusterInstances",
        "newestUsage",
    ];
    const client = { region, calls } as unknown as FakeAws;
    for (const name of methodNames) {
        (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
            calls.push(`${name}(${args.map((a) => JSON.stringify(a)).join(", ")})`);
            const method = methods[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
            return method ? method(...args) : Promise.reject(new Error(`the test gives no answer to ${name}`));
        };
    }
    return client;
}

/** An error as AWS raises it for an IAM denial. */
export const denied = (action: string) =>
    Object.assign(new Error(`UnauthorizedOperation: You are not authorized to perform this operation. (${action})`), {
        name: "UnauthorizedOperation",
    });
