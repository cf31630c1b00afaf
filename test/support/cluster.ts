/**
 * The Kubernetes client the program lists MachineSets with (lib/lookups/poolMachineSets.ts), faked for every
 * test at the client library's boundary: no test reaches a cluster through it, the e2e suite's
 * in-process runs included. The engine runs the program in a process of its own, with the real client. By default the
 * cluster has none of the stack's MachineSets; a test sets its own, or a failure.
 */
import { KubeConfig } from "@kubernetes/client-node";

interface FakeCluster {
    /** The items the MachineSet LIST answers. */
    machineSets: unknown[];
    /** Thrown by the LIST instead, when set. */
    failure?: Error;
    /** How each client was configured: which loader, with what, and the context. */
    loads: { loader: "default" | "file" | "string"; value?: string; context?: string }[];
    /** The LIST requests made. */
    requests: unknown[];
}

export const fakeCluster: FakeCluster = { machineSets: [], loads: [], requests: [] };

export function resetFakeCluster(): void {
    fakeCluster.machineSets = [];
    fakeCluster.failure = undefined;
    fakeCluster.loads = [];
    fakeCluster.requests = [];
}

const prototype = KubeConfig.prototype as unknown as Record<string, unknown>;
prototype.loadFromDefault = function () {
    fakeCluster.loads.push({ loader: "default" });
};
prototype.loadFromFile = function (file: string) {
    fakeCluster.loads.push({ loader: "file", value: file });
};
prototype.loadFromString = function (contents: string) {
    fakeCluster.loads.push({ loader: "string", value: contents });
};
prototype.setCurrentContext = function (context: string) {
    fakeCluster.loads[fakeCluster.loads.length - 1].context = context;
};
prototype.makeApiClient = function () {
    return {
        listNamespacedCustomObject(request: unknown) {
            fakeCluster.requests.push(request);
            return fakeCluster.failure === undefined
                ? Promise.resolve({ items: fakeCluster.machineSets })
                : Promise.reject(fakeCluster.failure);
        },
    };
};

/** Mocha root hooks (loaded through .mocharc's require). */
export const mochaHooks = { beforeEach: resetFakeCluster };
