import * as assert from "assert";
import { type CustomObjectsClient, livePoolMachineSets, type RetryClock, retryDelayMs } from "../../lib/lookups/poolMachineSets";

/** A clock that only moves when the LIST sleeps, and remembers each sleep. */
function fakeClock(): RetryClock & { slept: number[] } {
    let now = 0;
    const slept: number[] = [];
    return {
        slept,
        now: () => now,
        sleep: (ms) => {
            slept.push(ms);
            now += ms;
            return Promise.resolve();
        },
    };
}

/** client-node's ApiException, as it throws an HTTP error answer. */
function httpError(code: number, message: string, headers: Record<string, string> = {}): Error {
    return Object.assign(new Error(`HTTP-Code: ${code}`), { code, headers, body: JSON.stringify({ kind: "Status", message }) });
}

/** A client that fails with each of `failures` in turn, then answers one MachineSet. */
function clientFailing(failures: Error[]): CustomObjectsClient & { calls: number } {
    const client = {
        calls: 0,
        listNamespacedCustomObject: () => {
            const failure = failures[client.calls++];
            return failure ? Promise.reject(failure) : Promise.resolve({ items: [{ metadata: { name: "a" }, spec: { replicas: 0 } }] });
        },
    };
    return client;
}

describe("the pool MachineSets LIST (lib/lookups/poolMachineSets.ts)", () => {
    it("asks again after a 429, waiting as Retry-After says, as client-go does", async () => {
        const clock = fakeClock();
        const client = clientFailing([httpError(429, "storage is (re)initializing", { "retry-after": "1" })]);
        const live = await livePoolMachineSets(() => client, clock);
        assert.deepStrictEqual(
            live.map((m) => m.name),
            ["a"],
        );
        assert.strictEqual(client.calls, 2);
        assert.deepStrictEqual(clock.slept, [1000]);
    });

    it("asks again after transient 5xx answers, backing off without a Retry-After", async () => {
        const clock = fakeClock();
        const client = clientFailing([httpError(503, "unavailable"), httpError(500, "etcd leader changed"), httpError(504, "timeout")]);
        await livePoolMachineSets(() => client, clock);
        assert.strictEqual(client.calls, 4);
        assert.deepStrictEqual(clock.slept, [500, 1000, 2000]);
    });

    it("gives up when the 60-second budget would run out, with what the API server said", async () => {
        const clock = fakeClock();
        const client = clientFailing(Array.from({ length: 100 }, () => httpError(429, "too many requests", { "Retry-After": "7" })));
        await assert.rejects(
            livePoolMachineSets(() => client, clock),
            /listing the MachineSets in openshift-machine-api failed.*HTTP 429: too many requests/,
        );
        // Retry-After 7 s, then the backoff's 8 s once it is longer: tries at 0, 7, 14, 21, 28, 36, 44 and 52 s.
        assert.deepStrictEqual(clock.slept, [7000, 7000, 7000, 7000, 8000, 8000, 8000]);
        assert.strictEqual(client.calls, 8);
    });

    it("does not ask again after a refusal that another try cannot change", async () => {
        const clock = fakeClock();
        const client = clientFailing([httpError(403, 'machinesets.machine.openshift.io is forbidden: User "ci" cannot list')]);
        await assert.rejects(
            livePoolMachineSets(() => client, clock),
            /HTTP 403: machinesets\.machine\.openshift\.io is forbidden/,
        );
        assert.strictEqual(client.calls, 1);
        assert.deepStrictEqual(clock.slept, []);
    });

    it("reads the annotations and the machines asked for and counted, with the CRD's default of 1 and 0 before the controller counts", async () => {
        const client: CustomObjectsClient = {
            listNamespacedCustomObject: () =>
                Promise.resolve({
                    items: [
                        {
                            metadata: { name: "a", annotations: { "cluster-capacity.io/retired": "true" } },
                            spec: { replicas: 0 },
                            status: { replicas: 2 },
                        },
                        { metadata: { name: "b" }, spec: {} },
                    ],
                }),
        };
        const live = await livePoolMachineSets(() => client, fakeClock());
        assert.deepStrictEqual(
            live.map(({ name, annotations, replicas, statusReplicas }) => ({ name, annotations, replicas, statusReplicas })),
            [
                { name: "a", annotations: { "cluster-capacity.io/retired": "true" }, replicas: 0, statusReplicas: 2 },
                { name: "b", annotations: {}, replicas: 1, statusReplicas: 0 },
            ],
        );
    });

    it("retries only what is worth it", () => {
        assert.strictEqual(retryDelayMs(httpError(404, "not found"), 0), undefined);
        assert.strictEqual(retryDelayMs(new Error("socket hang up"), 0), undefined);
        assert.strictEqual(retryDelayMs(httpError(502, "bad gateway"), 5), 8000);
        assert.strictEqual(retryDelayMs(httpError(429, "x", { "Retry-After": "0" }), 3), 4000);
    });
});
