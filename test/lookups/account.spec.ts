import * as assert from "assert";
import { accountMismatch, lookupAccount } from "../../lib/lookups/account";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { offlineStack } from "../support/scenarios";

describe("lookups: the account", () => {
    it("asks nothing offline and knows no account", async () => {
        assert.deepStrictEqual(await lookupAccount(undefined), { problems: [] });
    });

    it("answers the account of the credentials", async () => {
        const aws = fakeAws({ accountId: () => Promise.resolve("111122223333") });
        assert.deepStrictEqual(await lookupAccount(aws), { accountId: "111122223333", problems: [] });
        assert.deepStrictEqual(aws.calls, ["accountId()"]);
    });

    it("turns expired credentials into a problem at lookups that says to refresh them", async () => {
        const expired = Object.assign(new Error("ExpiredToken: The security token included in the request is expired"), {
            name: "ExpiredToken",
        });
        const { accountId, problems } = await lookupAccount(fakeAws({ accountId: () => Promise.reject(expired) }));
        assert.strictEqual(accountId, undefined);
        assert.strictEqual(problems.length, 1);
        assert.strictEqual(problems[0].path, "cluster-capacity:lookups");
        assert.match(problems[0].expected, /sts:GetCallerIdentity failed because the AWS credentials are expired.*refresh them/);
    });

    it("refuses credentials of another account than cluster.accountId, and says whose they are", () => {
        const config = capacityConfig(
            offlineStack({
                "cluster-capacity:cluster": {
                    name: "t",
                    infraId: "test-abcde",
                    openshiftVersion: "4.18",
                    region: "us-east-2",
                    accountId: "111122223333",
                },
            }),
        );
        const [refused, ...rest] = accountMismatch(config, "444455556666");
        assert.deepStrictEqual(rest, []);
        assert.strictEqual(refused.path, "cluster-capacity:cluster.accountId");
        assert.match(refused.expected, /\(444455556666\); refusing to touch another account/);
        assert.deepStrictEqual(accountMismatch(config, "111122223333"), []);
    });

    it("checks no account when the config names none", () => {
        assert.deepStrictEqual(accountMismatch(capacityConfig(offlineStack()), "444455556666"), []);
    });

    it("reports a denied call with the IAM action to grant", async () => {
        const { problems } = await lookupAccount(fakeAws({ accountId: () => Promise.reject(denied("sts:GetCallerIdentity")) }));
        assert.match(problems[0].expected, /grant sts:GetCallerIdentity/);
    });
});
