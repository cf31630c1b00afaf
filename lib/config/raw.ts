/** The raw config values as the schema has accepted them: typed, not yet defaulted. */
import type { LookupMode } from "../../policy/lib/contract";
import type { ClusterConfig, HealthCheck, MigLayout, PoolConfig } from "./types";

export interface RawAmi {
    id?: string;
    owners?: string[];
    namePattern?: string;
    managedByCluster?: boolean;
}
export type RawPool = Omit<Partial<PoolConfig>, "ami" | "rootVolume" | "sysctls" | "healthCheck" | "placementGroup" | "mig"> & {
    mig?: Omit<MigLayout, "strategy">;
    placementGroup?: { name: string; create?: boolean };
    ami?: RawAmi;
    healthCheck?: Partial<HealthCheck>;
    rootVolume?: Partial<PoolConfig["rootVolume"]>;
    sysctls?: Record<string, string | number>;
};

/** What an AMI query may use: the lookups, the cluster, and whether the stack only renders. */
export interface AmiContext {
    lookups: LookupMode;
    cluster: ClusterConfig;
    /** renderDirectory is set: nothing can be read from the cluster, its boot image included. */
    rendering: boolean;
}
