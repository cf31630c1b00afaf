/** The AWS account the credentials belong to, and the refusal to touch another one than the config names. */
import type { CapacityConfig } from "../config/types";
import { ConfigProblem, describeAwsFailure, problem } from "../errors";
import type { AwsClient } from "./awsClient";

export interface AccountAnswer {
    accountId?: string;
    problems: ConfigProblem[];
}

/** Expired or missing credentials are a problem, not a stack trace; offline (no client) there is no account. */
export async function lookupAccount(client: Pick<AwsClient, "accountId"> | undefined): Promise<AccountAnswer> {
    if (!client) return { problems: [] };
    try {
        return { accountId: await client.accountId(), problems: [] };
    } catch (error) {
        return {
            problems: [problem(["lookups"], "aws", `AWS credentials that work (${describeAwsFailure("sts:GetCallerIdentity", error)})`)],
        };
    }
}

/** `cluster.accountId` set and the credentials of another account: a run must not touch it. */
export function accountMismatch(config: CapacityConfig, accountId: string | undefined): ConfigProblem[] {
    const expected = config.cluster.accountId;
    if (!expected || !accountId || accountId === expected) return [];
    return [
        problem(
            ["cluster", "accountId"],
            expected,
            `the account these AWS credentials belong to (${accountId}); refusing to touch another account`,
        ),
    ];
}
