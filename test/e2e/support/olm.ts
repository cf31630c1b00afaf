/**
 * OLM played on the e2e API server, which has only the Subscription CRD and no catalog operator.
 * For each Subscription it sets the status OLM's catalog operator sets
 * (operator-framework/operator-lifecycle-manager `pkg/controller/operators/catalog/subscriptions`,
 * types in operator-framework/api `pkg/operators/v1alpha1/subscription_types.go`): first
 * `UpgradePending` with `currentCSV` and an InstallPlanPending condition (an InstallPlan waiting,
 * as a Manual approval leaves it), then, `pendingSeconds` later, `AtLatestKnown` with
 * `installedCSV` equal to `currentCSV`, once the CSV succeeded.
 */
import { ApiServer } from "./apiServer";

const SUBSCRIPTIONS = "/apis/operators.coreos.com/v1alpha1/subscriptions";

interface Subscription {
    metadata: { name: string; namespace: string };
    spec: { name: string; startingCSV?: string };
    status?: { installedCSV?: string };
}

export class OlmPlayer {
    private timer: NodeJS.Timeout | undefined;
    private readonly seen = new Map<string, number>();
    private readonly installed = new Map<string, number>();
    private pendingMs = 0;
    private busy = false;

    constructor(private readonly server: ApiServer) {}

    /** Starts playing: a Subscription is installed `pendingSeconds` after it is first seen. */
    start({ pendingSeconds }: { pendingSeconds: number }): void {
        this.pendingMs = pendingSeconds * 1000;
        this.timer ??= setInterval(() => void this.tick(), 500);
    }

    stop(): void {
        clearInterval(this.timer);
        this.timer = undefined;
    }

    /** When the Subscription at this API path got its installedCSV (ms since the epoch), if it did. */
    installedAt(subscriptionPath: string): number | undefined {
        return this.installed.get(subscriptionPath);
    }

    private async tick(): Promise<void> {
        if (this.busy) return;
        this.busy = true;
        try {
            const list = await this.server.request("GET", SUBSCRIPTIONS);
            for (const sub of (list.body?.items ?? []) as Subscription[]) {
                const at = `/apis/operators.coreos.com/v1alpha1/namespaces/${sub.metadata.namespace}/subscriptions/${sub.metadata.name}`;
                const csv = sub.spec.startingCSV ?? `${sub.spec.name}.v1.0.0`;
                const firstSeen = this.seen.get(at);
                if (firstSeen === undefined) {
                    this.seen.set(at, Date.now());
                    await this.setStatus(sub, at, {
                        state: "UpgradePending",
                        currentCSV: csv,
                        installPlanRef: {
                            apiVersion: "operators.coreos.com/v1alpha1",
                            kind: "InstallPlan",
                            name: "install-e2e",
                            namespace: sub.metadata.namespace,
                        },
                        conditions: [
                            {
                                type: "InstallPlanPending",
                                status: "True",
                                reason: "RequiresApproval",
                                lastTransitionTime: new Date().toISOString(),
                            },
                        ],
                    });
                } else if (!this.installed.has(at) && Date.now() - firstSeen >= this.pendingMs) {
                    await this.setStatus(sub, at, { state: "AtLatestKnown", currentCSV: csv, installedCSV: csv, conditions: [] });
                    this.installed.set(at, Date.now());
                }
            }
        } finally {
            this.busy = false;
        }
    }

    private async setStatus(sub: Subscription, at: string, status: Record<string, unknown>): Promise<void> {
        const answer = await this.server.request(
            "PATCH",
            `${at}/status?fieldManager=catalog-operator&force=true`,
            {
                apiVersion: "operators.coreos.com/v1alpha1",
                kind: "Subscription",
                metadata: { name: sub.metadata.name, namespace: sub.metadata.namespace },
                status: { lastUpdated: new Date().toISOString(), ...status },
            },
            "application/apply-patch+yaml",
        );
        if (answer.status !== 200) throw new Error(`OLM status of ${at}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
}
